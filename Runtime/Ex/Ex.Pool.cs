using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The executive support routines: pool allocation, lookaside lists and zones. Each routine works
/// on <see cref="KernelSystem.Current"/>.
/// </summary>
public static partial class Ex
{
    /// <summary>Allocates pool with the default tag <c>"None"</c>. Obsolete in the WDK: use <see cref="ExAllocatePoolWithTag"/>.</summary>
    /// <returns>The block, or NULL (0) when the pool cannot satisfy the request.</returns>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePool(POOL_TYPE PoolType, nuint NumberOfBytes)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, PoolAllocator.NoneTag, chargeQuota: false);

    /// <summary>Allocates pool with tag <c>"None"</c>, charging the current process's quota. Obsolete: use <see cref="ExAllocatePoolWithQuotaTag"/>.</summary>
    /// <returns>The block; raises on failure unless <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/> is set, then NULL.</returns>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithQuota(POOL_TYPE PoolType, nuint NumberOfBytes)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, PoolAllocator.NoneTag, chargeQuota: true);

    /// <summary>Allocates <paramref name="NumberOfBytes"/> of pool of <paramref name="PoolType"/>, tagged <paramref name="Tag"/>.</summary>
    /// <returns>The block, or NULL (0) on failure; with <see cref="POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE"/> a failure raises STATUS_INSUFFICIENT_RESOURCES instead.</returns>
    /// <exception cref="BugCheckException">BAD_POOL_CALLER (0xC2) for a must-succeed type, a bad tag or too high an IRQL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithTag(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, chargeQuota: false);

    /// <summary>Allocates tagged pool and charges sub-page blocks to the current process's pool quota.</summary>
    /// <returns>The block; on failure raises (STATUS_INSUFFICIENT_RESOURCES or STATUS_QUOTA_EXCEEDED) unless <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/> is set, then NULL.</returns>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, chargeQuota: true);

    /// <summary>Frees a block from any of the allocation routines. A block tagged with <see cref="PoolTag.PROTECTED_POOL"/> must be freed with <see cref="ExFreePoolWithTag"/>.</summary>
    /// <exception cref="BugCheckException">BAD_POOL_CALLER (0xC2) for a double free, an address the pool never gave out or too high an IRQL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void ExFreePool(nint P)
        => PoolAllocator.Free(P, default);

    /// <summary>Frees a block, checking that it was allocated with <paramref name="Tag"/> (tag 0 skips the check).</summary>
    /// <exception cref="BugCheckException">BAD_POOL_CALLER (0xC2/0x0A) on a tag mismatch, and as <see cref="ExFreePool"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void ExFreePoolWithTag(nint P, PoolTag Tag)
        => PoolAllocator.Free(P, Tag);
}
