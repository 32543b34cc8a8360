namespace PoolAnalyzers;

/// <summary>The runtime routines the rules care about, identified on <c>PoolAnalyzers.Runtime.Ex</c>.</summary>
internal enum PoolRoutine
{
    /// <summary>Not a routine any rule inspects.</summary>
    None,
    ExAllocatePool,
    ExAllocatePoolWithQuota,
    ExAllocatePoolWithTag,
    ExAllocatePoolWithQuotaTag,
    ExFreePoolWithTag,
    ExInitializeNPagedLookasideList,
    ExInitializePagedLookasideList,
    ExAllocateFromPagedLookasideList,
    ExFreeToPagedLookasideList,
    ExDeletePagedLookasideList,
    ExInitializeZone,
    ExExtendZone,
    ExInterlockedExtendZone,
}
