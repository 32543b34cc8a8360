using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What an emulated machine looks like: memory, product type, pool capacities, processors, clock,
/// DPC watchdog, Driver Verifier switches. Immutable once a <see cref="KernelSystem"/> is created
/// from it (a <see cref="ManualClock"/> is the one part a test moves on afterwards).
/// </summary>
public sealed record SystemConfiguration
{
    /// <summary>The most processors a machine can have: a KAFFINITY has 64 bits.</summary>
    public const int MaximumProcessorCount = 64;

    /// <summary>The longest <see cref="DpcWatchdogTimeout"/> accepted.</summary>
    public static readonly TimeSpan MaximumDpcWatchdogTimeout = TimeSpan.FromDays(1);

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

    /// <summary>
    /// The number of emulated processors, each with its own DPC queue and thread (1 to 64, one
    /// KAFFINITY bit each). Defaults to this process's logical processors, capped at 64.
    /// </summary>
    public int ProcessorCount { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, MaximumProcessorCount);

    /// <summary>
    /// How long one DPC routine may run, and one spin-lock wait may spin, before DPC_WATCHDOG_VIOLATION
    /// (0x133). Defaults to 20 seconds, the kernel's single-DPC allotment (1280 clock ticks); must be
    /// positive and at most one day. The watchdog always measures real time, whatever <see cref="Clock"/> is.
    /// </summary>
    public TimeSpan DpcWatchdogTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The clock timers run on: <see cref="SystemClock.Real"/> (the default), or a
    /// <see cref="ManualClock"/> that only moves when a test calls <see cref="ManualClock.Advance"/>,
    /// which expires due timers before it returns.
    /// </summary>
    public SystemClock Clock { get; init; } = SystemClock.Real;

    /// <summary>Driver Verifier switches; all off by default.</summary>
    public VerifierOptions Verifier { get; init; } = new();
}
