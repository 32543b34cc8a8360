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
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, PoolAllocator.NoneTag, PoolTypes.Options(PoolType));

    /// <summary>Allocates pool with tag <c>"None"</c>, charging the current process's quota. Obsolete: use <see cref="ExAllocatePoolWithQuotaTag"/>.</summary>
    /// <returns>The block; raises on failure unless <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/> is set, then NULL.</returns>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithQuota(POOL_TYPE PoolType, nuint NumberOfBytes)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, PoolAllocator.NoneTag, PoolTypes.QuotaOptions(PoolType));

    /// <summary>Allocates <paramref name="NumberOfBytes"/> of pool of <paramref name="PoolType"/>, tagged <paramref name="Tag"/>.</summary>
    /// <returns>The block, or NULL (0) on failure; with <see cref="POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE"/> a failure raises STATUS_INSUFFICIENT_RESOURCES instead.</returns>
    /// <exception cref="BugCheckException">BAD_POOL_CALLER (0xC2) for a must-succeed type, a bad tag or too high an IRQL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithTag(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.Options(PoolType));

    /// <summary>Allocates tagged pool and charges sub-page blocks to the current process's pool quota.</summary>
    /// <returns>The block; on failure raises (STATUS_INSUFFICIENT_RESOURCES or STATUS_QUOTA_EXCEEDED) unless <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/> is set, then NULL.</returns>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.QuotaOptions(PoolType));

    /// <summary>
    /// Allocates like <see cref="ExAllocatePoolWithTag"/>, but a <see cref="EX_POOL_PRIORITY.LowPoolPriority"/>
    /// or <see cref="EX_POOL_PRIORITY.NormalPoolPriority"/> request is refused while the pool is low; the
    /// …SpecialPoolOverrun/…Underrun priorities take special pool when Driver Verifier's special pool is on.
    /// Deprecated in the WDK: use <see cref="ExAllocatePool3"/> with a priority parameter.
    /// </summary>
    /// <remarks>
    /// The pool is judged by what granting the request would leave free in the paged or nonpaged pool
    /// the type names: LowPoolPriority is refused when that would fall below the low threshold (the
    /// level that signals <see cref="KernelSystem.LowNonPagedPoolCondition"/> or
    /// <see cref="KernelSystem.LowPagedPoolCondition"/>), NormalPoolPriority when it would fall below a
    /// quarter of it ("very low"), and HighPoolPriority only when the pool is exhausted. A special-pool
    /// priority gets special pool for any tag (the verifier's tag filter applies to ordinary requests
    /// only): the Overrun variants put the block at the end of its page before a guard page, the
    /// Underrun variants at the start of the page after one. With special pool off they act as their
    /// base priority.
    /// </remarks>
    /// <returns>The block, or NULL (0) on failure or refusal; with <see cref="POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE"/> STATUS_INSUFFICIENT_RESOURCES is raised instead.</returns>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>: BAD_POOL_CALLER (0xC2) for a must-succeed type, a bad tag or too high an IRQL.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="Priority"/> is not an <see cref="EX_POOL_PRIORITY"/> value.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag, EX_POOL_PRIORITY Priority)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.Options(PoolType) | PriorityOptions(Priority));

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

    // Named as the public parameter it checks, so the exception names it.
    private static AllocationOptions PriorityOptions(EX_POOL_PRIORITY Priority)
        => PoolFlagTranslation.TryTranslate(Priority, out AllocationOptions options)
            ? options
            : throw new System.ArgumentOutOfRangeException(nameof(Priority), Priority,
                $"{(int)Priority} is not an EX_POOL_PRIORITY value; use LowPoolPriority, NormalPoolPriority, HighPoolPriority or one of their SpecialPoolOverrun/SpecialPoolUnderrun variants.");
}
