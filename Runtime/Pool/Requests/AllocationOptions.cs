using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What a request asks of the pool beyond its <see cref="POOL_TYPE"/>: the promises of the routine
/// that made it. The older routines derive them from their type modifiers (<see cref="PoolTypes"/>),
/// ExAllocatePool2/3 from their flags and extended parameters (<see cref="PoolFlagTranslation"/>).
/// </summary>
[Flags]
internal enum AllocationOptions
{
    None = 0,

    /// <summary>Charge sub-page blocks to the current process's quota.</summary>
    ChargeQuota = 1 << 0,

    /// <summary>Raise (STATUS_QUOTA_EXCEEDED or STATUS_INSUFFICIENT_RESOURCES) instead of returning NULL.</summary>
    RaiseOnFailure = 1 << 1,

    /// <summary>Zero the caller's bytes before handing the block out.</summary>
    Zero = 1 << 2,

    /// <summary>A bad tag fails the request (ExAllocatePool2/3) instead of bug-checking 0xC2/0x9B–0x9D.</summary>
    FailOnBadTag = 1 << 3,

    /// <summary>Take special pool, whatever its tag filter says, when the verifier's special pool is on.</summary>
    SpecialPool = 1 << 4,

    /// <summary>With <see cref="SpecialPool"/>: the block at the start of its page and the guard page before it.</summary>
    SpecialPoolUnderrun = 1 << 5,

    /// <summary>LowPoolPriority: fail while granting the request would leave less than the low threshold free.</summary>
    LowPriority = 1 << 6,

    /// <summary>NormalPoolPriority: fail while granting the request would leave less than the very-low threshold free.</summary>
    NormalPriority = 1 << 7,

    /// <summary>
    /// The options the small-block fast path serves itself: it never fails (so how a failure is reported
    /// does not matter) and takes only a tag the general path already validated. Anything else takes
    /// the general path.
    /// </summary>
    FastPathable = Zero | RaiseOnFailure | FailOnBadTag,
}
