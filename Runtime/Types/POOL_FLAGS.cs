using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The WDK <c>POOL_FLAGS</c> (a ULONG64) that <c>ExAllocatePool2</c> and <c>ExAllocatePool3</c> take
/// instead of a <see cref="POOL_TYPE"/>: the pool to draw from plus required and optional attributes.
/// </summary>
/// <remarks>
/// The low 32 bits are <em>required</em>: a bit the allocator does not know, or cannot satisfy, fails
/// the call. The high 32 bits are <em>optional</em>: honoured when possible and ignored when unknown.
/// Exactly one of <see cref="POOL_FLAG_PAGED"/>, <see cref="POOL_FLAG_NON_PAGED"/> and
/// <see cref="POOL_FLAG_NON_PAGED_EXECUTE"/> must be set. The values are not <see cref="POOL_TYPE"/>
/// values: <c>NonPagedPoolNx</c> (512) read as flags is <see cref="POOL_FLAG_RESERVED2"/> with no pool
/// flag, a request that always fails.
/// </remarks>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1069", Justification = "The WDK markers share values with real flags.")]
public enum POOL_FLAGS : ulong
{
    /// <summary>Marker (0x1): the first required flag.</summary>
    POOL_FLAG_REQUIRED_START = 0x0000000000000001,
    /// <summary>0x1: charge the block to the current process's pool quota, as <c>ExAllocatePoolWithQuotaTag</c> does (failure still returns NULL unless <see cref="POOL_FLAG_RAISE_ON_FAILURE"/>).</summary>
    POOL_FLAG_USE_QUOTA = 0x0000000000000001,
    /// <summary>0x2: do not zero the block (ExAllocatePool2/3 zero it by default).</summary>
    POOL_FLAG_UNINITIALIZED = 0x0000000000000002,
    /// <summary>0x4: session pool.</summary>
    POOL_FLAG_SESSION = 0x0000000000000004,
    /// <summary>0x8: align the block to the processor cache line.</summary>
    POOL_FLAG_CACHE_ALIGNED = 0x0000000000000008,
    /// <summary>0x10: reserved for system use; a driver that sets it gets a failed call.</summary>
    POOL_FLAG_RESERVED1 = 0x0000000000000010,
    /// <summary>0x20: raise an exception instead of returning NULL on failure.</summary>
    POOL_FLAG_RAISE_ON_FAILURE = 0x0000000000000020,
    /// <summary>0x40: no-execute nonpaged pool (the <c>NonPagedPoolNx</c> of the flags).</summary>
    POOL_FLAG_NON_PAGED = 0x0000000000000040,
    /// <summary>0x80: executable nonpaged pool (the <c>NonPagedPool</c> of the flags).</summary>
    POOL_FLAG_NON_PAGED_EXECUTE = 0x0000000000000080,
    /// <summary>0x100: paged pool; usable at IRQL ≤ APC_LEVEL only.</summary>
    POOL_FLAG_PAGED = 0x0000000000000100,
    /// <summary>0x200: reserved for system use; a driver that sets it gets a failed call.</summary>
    POOL_FLAG_RESERVED2 = 0x0000000000000200,
    /// <summary>0x400: reserved for system use; a driver that sets it gets a failed call.</summary>
    POOL_FLAG_RESERVED3 = 0x0000000000000400,
    /// <summary>Marker (0x80000000): the last required flag bit.</summary>
    POOL_FLAG_REQUIRED_END = 0x0000000080000000,
    /// <summary>Marker (0x100000000): the first optional flag.</summary>
    POOL_FLAG_OPTIONAL_START = 0x0000000100000000,
    /// <summary>0x100000000 (optional): allocate from special pool when Driver Verifier's special pool is on.</summary>
    POOL_FLAG_SPECIAL_POOL = 0x0000000100000000,
    /// <summary>Marker (0x8000000000000000): the last optional flag bit.</summary>
    POOL_FLAG_OPTIONAL_END = 0x8000000000000000,
}
