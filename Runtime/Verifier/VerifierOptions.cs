using System;
using System.Collections.Generic;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Driver Verifier switches for a <see cref="KernelSystem"/>. Every check is off by default, which is
/// plain kernel behaviour. Set on <see cref="SystemConfiguration.Verifier"/>.
/// </summary>
/// <remarks>
/// With any switch on, the machine runs verified, as a driver under Driver Verifier does: its pool
/// calls pass through the verifier, which reports IRQL and free violations itself as
/// DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) with P1 0x01/0x02 (allocation above APC_LEVEL /
/// DISPATCH_LEVEL), 0x11/0x12 (free above those levels), 0x13 (double free) and 0x10 (an address no
/// allocation returned), instead of the kernel's BAD_POOL_CALLER (0xC2). Tag checks stay 0xC2.
/// </remarks>
public sealed record VerifierOptions
{
    /// <summary>
    /// Flag zero-byte requests with DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4/0x00). Off, the kernel
    /// treats a zero-byte request as one byte.
    /// </summary>
    public bool FlagZeroSizeRequests { get; init; }

    /// <summary>
    /// Pool tracking: record every allocation with a tag in <see cref="PoolTrackingTags"/> so
    /// <see cref="DriverVerifier.VerifyDriverUnload"/> can report what was not freed (0xC4/0x62).
    /// </summary>
    public bool PoolTracking { get; init; }

    /// <summary>The tags pool tracking records; null records every tag.</summary>
    public IReadOnlyCollection<PoolTag>? PoolTrackingTags { get; init; }

    /// <summary>
    /// Low-resources simulation: the fraction (0 to 1) of eligible allocations that fail as if the pool
    /// were exhausted. 0 turns the simulation off.
    /// </summary>
    public double LowResourcesFailureRate { get; init; }

    /// <summary>The tags the low-resources simulation may fail; null makes every tag eligible.</summary>
    public IReadOnlyCollection<PoolTag>? LowResourcesTags { get; init; }

    /// <summary>Seed of the low-resources simulation: the same seed and call sequence fail the same calls.</summary>
    public int LowResourcesSeed { get; init; }

    /// <summary>
    /// Systematic low-resources simulation: the first allocation from each call site (the driver's
    /// method and IL offset) fails as if the pool were exhausted, and every later one from that site
    /// succeeds, so one run takes every allocation-failure path once. Filtered by
    /// <see cref="LowResourcesTags"/>; combines with <see cref="LowResourcesFailureRate"/>.
    /// </summary>
    public bool SystematicLowResources { get; init; }

    /// <summary>
    /// Special pool (Verify End): each allocation gets its own pages, ends at the end of its last page
    /// and is followed by a guard page; overruns are reported when the block is freed
    /// (0xCD for the guard page, 0xC1/0x24 for the slack after the block, 0xC1/0x23 before it).
    /// </summary>
    public bool SpecialPool { get; init; }

    /// <summary>The tags special pool serves; null serves every tag.</summary>
    public IReadOnlyCollection<PoolTag>? SpecialPoolTags { get; init; }

    internal bool AnyEnabled => FlagZeroSizeRequests || PoolTracking || LowResourcesFailureRate > 0 || SystematicLowResources || SpecialPool;

    internal void Validate()
    {
        if (double.IsNaN(LowResourcesFailureRate) || LowResourcesFailureRate < 0 || LowResourcesFailureRate > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LowResourcesFailureRate), LowResourcesFailureRate,
                "LowResourcesFailureRate is a fraction of allocations and must be between 0 and 1.");
        }
    }
}
