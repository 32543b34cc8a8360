namespace PoolAnalyzers.Runtime;

/// <summary>Decodes a <see cref="POOL_TYPE"/> the way the kernel does (bit tests, not enum equality).</summary>
internal static class PoolTypes
{
    private const int PagedBit = 1;
    private const int MustSucceedBit = 2;
    private const int CacheAlignedBit = 4;

    /// <summary>The request modifiers that steer failure handling only; they are not stored with the block.</summary>
    private const int RequestModifiers = (int)(POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE);

    public static bool IsPaged(POOL_TYPE type) => ((int)type & PagedBit) != 0;

    public static bool IsMustSucceed(POOL_TYPE type) => ((int)type & MustSucceedBit) != 0;

    public static bool IsCacheAligned(POOL_TYPE type) => ((int)type & CacheAlignedBit) != 0;

    public static bool RaisesOnFailure(POOL_TYPE type) => (type & POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE) != 0;

    public static bool QuotaFailsInsteadOfRaise(POOL_TYPE type) => (type & POOL_TYPE.POOL_QUOTA_FAIL_INSTEAD_OF_RAISE) != 0;

    /// <summary>The options of the older non-quota routines: raise only with POOL_RAISE_IF_ALLOCATION_FAILURE.</summary>
    public static AllocationOptions Options(POOL_TYPE type)
        => RaisesOnFailure(type) ? AllocationOptions.RaiseOnFailure : AllocationOptions.None;

    /// <summary>The options of the quota routines: charge quota, and raise unless POOL_QUOTA_FAIL_INSTEAD_OF_RAISE.</summary>
    public static AllocationOptions QuotaOptions(POOL_TYPE type)
        => QuotaFailsInsteadOfRaise(type) ? AllocationOptions.ChargeQuota : AllocationOptions.ChargeQuota | AllocationOptions.RaiseOnFailure;

    /// <summary>The type kept in the block header: the request without its failure modifiers.</summary>
    public static ushort Stored(POOL_TYPE type) => (ushort)((int)type & ~RequestModifiers & PoolHeader.TypeMask);

    /// <summary>The highest IRQL the pool of <paramref name="type"/> may be used at.</summary>
    public static KIRQL MaxIrql(POOL_TYPE type) => IsPaged(type) ? KIRQL.APC_LEVEL : KIRQL.DISPATCH_LEVEL;
}
