namespace PoolAnalyzers.Runtime;

/// <summary>
/// A lookaside list of pageable entries: caller-allocated, initialized with
/// <c>ExInitializePagedLookasideList</c>, usable at IRQL ≤ APC_LEVEL only.
/// </summary>
public sealed class PAGED_LOOKASIDE_LIST : GENERAL_LOOKASIDE
{
    private protected override string KindName => nameof(PAGED_LOOKASIDE_LIST);

    private protected override string InitializeRoutine => nameof(Ex.ExInitializePagedLookasideList);
}
