namespace PoolAnalyzers.Runtime;

/// <summary>
/// The WDK <c>POOL_TYPE</c>: which pool a request draws from, with modifier bits ORed in.
/// </summary>
/// <remarks>
/// Decoding follows the kernel: bit 0 = paged, bit 1 = must succeed, bit 2 = cache aligned,
/// bit 5 = session, bit 9 = no-execute. The modifier members can be combined with any base type,
/// so <c>PagedPool | POOL_COLD_ALLOCATION</c> is a valid request.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1069", Justification = "The WDK aliases are part of the contract.")]
public enum POOL_TYPE
{
    /// <summary>Executable nonpaged pool (0). Prefer <see cref="NonPagedPoolNx"/>.</summary>
    NonPagedPool = 0,
    /// <summary>Alias of <see cref="NonPagedPool"/>.</summary>
    NonPagedPoolExecute = NonPagedPool,
    /// <summary>Pageable pool (1); usable at IRQL ≤ APC_LEVEL only.</summary>
    PagedPool = 1,
    /// <summary>Must-succeed nonpaged pool (2): refused with bug check BAD_POOL_CALLER (0xC2/0x9A).</summary>
    NonPagedPoolMustSucceed = NonPagedPool + 2,
    /// <summary>Reserved (3).</summary>
    DontUseThisType = 3,
    /// <summary>Nonpaged pool aligned to the processor cache line (4).</summary>
    NonPagedPoolCacheAligned = NonPagedPool + 4,
    /// <summary>Paged pool aligned to the processor cache line (5).</summary>
    PagedPoolCacheAligned = 5,
    /// <summary>Must-succeed cache-aligned nonpaged pool (6): refused like every must-succeed type.</summary>
    NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
    /// <summary>Reserved (7).</summary>
    MaxPoolType = 7,

    /// <summary>Alias of <see cref="NonPagedPool"/>.</summary>
    NonPagedPoolBase = 0,
    /// <summary>Alias of <see cref="NonPagedPoolMustSucceed"/>.</summary>
    NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
    /// <summary>Alias of <see cref="NonPagedPoolCacheAligned"/>.</summary>
    NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
    /// <summary>Alias of <see cref="NonPagedPoolCacheAlignedMustS"/>.</summary>
    NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,

    /// <summary>Session nonpaged pool (32, deprecated).</summary>
    NonPagedPoolSession = 32,
    /// <summary>Session paged pool (33, deprecated).</summary>
    PagedPoolSession = NonPagedPoolSession + 1,
    /// <summary>Session must-succeed nonpaged pool (34, deprecated).</summary>
    NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
    /// <summary>Reserved session type (35).</summary>
    DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
    /// <summary>Session cache-aligned nonpaged pool (36, deprecated).</summary>
    NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
    /// <summary>Session cache-aligned paged pool (37, deprecated).</summary>
    PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
    /// <summary>Session must-succeed cache-aligned nonpaged pool (38, deprecated).</summary>
    NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,

    /// <summary>No-execute nonpaged pool (512): the type to use for nonpaged memory.</summary>
    NonPagedPoolNx = 512,
    /// <summary>No-execute cache-aligned nonpaged pool (516).</summary>
    NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
    /// <summary>No-execute session nonpaged pool (544).</summary>
    NonPagedPoolSessionNx = NonPagedPoolNx + 32,

    /// <summary>Modifier (8): <c>ExAllocatePoolWithQuotaTag</c> returns NULL instead of raising.</summary>
    POOL_QUOTA_FAIL_INSTEAD_OF_RAISE = 8,
    /// <summary>Modifier (16): raise STATUS_INSUFFICIENT_RESOURCES instead of returning NULL.</summary>
    POOL_RAISE_IF_ALLOCATION_FAILURE = 16,
    /// <summary>Modifier (256): advisory hint that the block is rarely touched.</summary>
    POOL_COLD_ALLOCATION = 256,
    /// <summary>Modifier (512): no-execute; the same bit as <see cref="NonPagedPoolNx"/>.</summary>
    POOL_NX_ALLOCATION = 512,
}
