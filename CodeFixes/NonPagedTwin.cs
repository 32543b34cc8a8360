namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// The nonpaged no-execute pool type that replaces a paged one: PagedPool → NonPagedPoolNx,
/// PagedPoolCacheAligned → NonPagedPoolNxCacheAligned, PagedPoolSession and
/// PagedPoolCacheAlignedSession → NonPagedPoolSessionNx. The reserved odd types have no twin.
/// </summary>
internal static class NonPagedTwin
{
    /// <summary>The twin of a paged base type, or null.</summary>
    public static (long Value, string Name)? For(long baseType) => baseType switch
    {
        1 => (512, "NonPagedPoolNx"),
        5 => (516, "NonPagedPoolNxCacheAligned"),
        33 or 37 => (544, "NonPagedPoolSessionNx"),
        _ => null,
    };
}
