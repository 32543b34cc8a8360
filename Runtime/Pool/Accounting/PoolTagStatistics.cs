namespace PoolAnalyzers.Runtime;

/// <summary>One poolmon row: the accounting of one tag in one pool.</summary>
/// <param name="Tag">The tag (PROTECTED_POOL stripped).</param>
/// <param name="IsPaged">True for paged pool, false for nonpaged.</param>
/// <param name="Allocs">Allocations made with the tag.</param>
/// <param name="Frees">Frees of blocks with the tag.</param>
/// <param name="Bytes">Bytes requested by the allocations still outstanding.</param>
public readonly record struct PoolTagStatistics(PoolTag Tag, bool IsPaged, long Allocs, long Frees, long Bytes)
{
    /// <summary>Allocations not yet freed.</summary>
    public long Diff => Allocs - Frees;

    /// <summary>Average outstanding bytes per outstanding allocation (0 when none is outstanding).</summary>
    public long PerAlloc => Diff == 0 ? 0 : Bytes / Diff;

    /// <summary>"Paged" or "Nonp", as poolmon prints the pool.</summary>
    public string TypeName => IsPaged ? "Paged" : "Nonp";
}
