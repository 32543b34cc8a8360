namespace PoolAnalyzers.Runtime;

/// <summary>
/// A lookaside list of nonpaged entries: caller-allocated, initialized with
/// <c>ExInitializeNPagedLookasideList</c>, usable at IRQL ≤ DISPATCH_LEVEL.
/// </summary>
public sealed class NPAGED_LOOKASIDE_LIST : GENERAL_LOOKASIDE
{
    private protected override string KindName => nameof(NPAGED_LOOKASIDE_LIST);

    private protected override string InitializeRoutine => nameof(Ex.ExInitializeNPagedLookasideList);
}
