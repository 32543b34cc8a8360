using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What an emulated machine looks like: memory, product type, pool capacities, Driver Verifier
/// switches. Immutable once a <see cref="KernelSystem"/> is created from it.
/// </summary>
public sealed record SystemConfiguration
{
    /// <summary>Physical memory in bytes; drives <c>MmQuerySystemSize</c>. Defaults to this machine's memory.</summary>
    public ulong PhysicalMemoryBytes { get; init; } = DefaultPhysicalMemory();

    /// <summary>Workstation or server; drives <c>MmIsThisAnNtAsSystem</c> and the medium-system threshold.</summary>
    public NT_PRODUCT_TYPE ProductType { get; init; } = NT_PRODUCT_TYPE.NtProductWinNt;

    /// <summary>How often lookaside depths are re-tuned (the kernel scans every ~3 s). <see cref="TimeSpan.Zero"/> or negative disables the background scan.</summary>
    public TimeSpan LookasideScanPeriod { get; init; } = TimeSpan.FromSeconds(3);

    private static ulong DefaultPhysicalMemory()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? (ulong)total : 8UL << 30;
    }
}
