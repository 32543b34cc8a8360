namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// The nonpaged no-execute pool type that replaces a paged one: PagedPool → NonPagedPoolNx,
/// PagedPoolCacheAligned → NonPagedPoolNxCacheAligned, PagedPoolSession and
/// PagedPoolCacheAlignedSession → NonPagedPoolSessionNx. The reserved odd types have no twin.
/// </summary>
internal static class NonPagedTwin
{
    /// <summary>The bits that make up a base type (paged, must succeed, cache aligned, session); the rest are modifiers.</summary>
    public const long BaseTypeMask = 0x27;

    /// <summary>The modifier members by value, in the order the fix writes them.</summary>
    public static readonly (long Value, string Name)[] Modifiers =
    {
        (8, "POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"),
        (16, "POOL_RAISE_IF_ALLOCATION_FAILURE"),
        (256, "POOL_COLD_ALLOCATION"),
        (512, "POOL_NX_ALLOCATION"),
    };

    /// <summary>The twin of a paged base type, or null.</summary>
    public static (long Value, string Name)? For(long baseType) => baseType switch
    {
        1 => (512, "NonPagedPoolNx"),
        5 => (516, "NonPagedPoolNxCacheAligned"),
        33 or 37 => (544, "NonPagedPoolSessionNx"),
        _ => null,
    };
}
