using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What an emulated machine looks like: memory, product type, pool capacities, Driver Verifier
/// switches. Immutable once a <see cref="KernelSystem"/> is created from it.
/// </summary>
public sealed record SystemConfiguration
{
    /// <summary>
    /// Physical memory in bytes; drives <c>MmQuerySystemSize</c>. Defaults to this machine's RAM as
    /// the operating system reports it (not the smaller figure a container or GC limit allows the
    /// process), falling back to the GC's available-memory figure where the OS gives no answer.
    /// </summary>
    public ulong PhysicalMemoryBytes { get; init; } = HostMemory.PhysicalMemoryBytes;

    /// <summary>Workstation or server; drives <c>MmIsThisAnNtAsSystem</c> and the medium-system threshold.</summary>
    public NT_PRODUCT_TYPE ProductType { get; init; } = NT_PRODUCT_TYPE.NtProductWinNt;

    /// <summary>How often lookaside depths are re-tuned (the kernel scans every ~3 s). <see cref="TimeSpan.Zero"/> or negative disables the background scan.</summary>
    public TimeSpan LookasideScanPeriod { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Capacity of paged pool in bytes (default 2 GiB). Memory is taken from the OS only as the pool grows.</summary>
    public ulong PagedPoolSize { get; init; } = 2UL << 30;

    /// <summary>Capacity of nonpaged pool in bytes (default 1 GiB). Memory is taken from the OS only as the pool grows.</summary>
    public ulong NonPagedPoolSize { get; init; } = 1UL << 30;

    /// <summary>Driver Verifier switches; all off by default.</summary>
    public VerifierOptions Verifier { get; init; } = new();
}
