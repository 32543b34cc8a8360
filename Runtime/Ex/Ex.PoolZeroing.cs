using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// The down-level helpers of wdm.h: inline wrappers of the older routines that zero the block or say
// explicitly that they do not. Each keeps its wrapped routine's behaviour whole - failure mode, bad-tag
// and IRQL bug checks, quota - and only adds (or declines) the zeroing.
public static partial class Ex
{
    /// <summary><see cref="ExAllocatePoolWithTag"/>, with the block zeroed.</summary>
    /// <returns>The block, or NULL (0) when the pool cannot satisfy the request; with <see cref="POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE"/> STATUS_INSUFFICIENT_RESOURCES is raised instead.</returns>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>: BAD_POOL_CALLER (0xC2) for a must-succeed type, a bad tag (tag 0 is 0x9B) or too high an IRQL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolZero(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.Options(PoolType) | AllocationOptions.Zero);

    /// <summary><see cref="ExAllocatePoolWithTag"/> under a name that says the block is not zeroed.</summary>
    /// <returns>As <see cref="ExAllocatePoolZero"/>.</returns>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolUninitialized(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.Options(PoolType));

    /// <summary><see cref="ExAllocatePoolWithQuotaTag"/>, with the block zeroed.</summary>
    /// <returns>The block. Like the routine it wraps it <em>raises</em> on failure (STATUS_QUOTA_EXCEEDED over quota, STATUS_INSUFFICIENT_RESOURCES otherwise) unless <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/> is set, then returns NULL.</returns>
    /// <exception cref="NtStatusException">A failure without <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/>.</exception>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolQuotaZero(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.QuotaOptions(PoolType) | AllocationOptions.Zero);

    /// <summary><see cref="ExAllocatePoolWithQuotaTag"/> under a name that says the block is not zeroed.</summary>
    /// <returns>As <see cref="ExAllocatePoolQuotaZero"/>: raises on failure unless <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/>.</returns>
    /// <exception cref="NtStatusException">A failure without <see cref="POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"/>.</exception>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolQuotaUninitialized(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.QuotaOptions(PoolType));

    /// <summary><see cref="ExAllocatePoolWithTagPriority"/>, with the block zeroed.</summary>
    /// <returns>The block, or NULL (0) on failure or refusal for priority; with <see cref="POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE"/> STATUS_INSUFFICIENT_RESOURCES is raised instead.</returns>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="Priority"/> is not an <see cref="EX_POOL_PRIORITY"/> value.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolPriorityZero(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag, EX_POOL_PRIORITY Priority)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.Options(PoolType) | PriorityOptions(Priority) | AllocationOptions.Zero);

    /// <summary><see cref="ExAllocatePoolWithTagPriority"/> under a name that says the block is not zeroed.</summary>
    /// <returns>As <see cref="ExAllocatePoolPriorityZero"/>.</returns>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePoolWithTag"/>.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="Priority"/> is not an <see cref="EX_POOL_PRIORITY"/> value.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePoolPriorityUninitialized(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag, EX_POOL_PRIORITY Priority)
        => PoolAllocator.Allocate(PoolType, NumberOfBytes, Tag, PoolTypes.Options(PoolType) | PriorityOptions(Priority));
}
