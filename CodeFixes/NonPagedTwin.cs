using Microsoft.CodeAnalysis;

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

    /// <summary>The POOL_FLAGS enum's name.</summary>
    public const string PoolFlagsType = "POOL_FLAGS";

    public const long PoolFlagPaged = 0x100;

    public const long PoolFlagNonPaged = 0x40;

    public const string PoolFlagNonPagedName = "POOL_FLAG_NON_PAGED";

    /// <summary>The three pool-kind flags: NON_PAGED, NON_PAGED_EXECUTE and PAGED; a request sets exactly one.</summary>
    public const long PoolFlagKinds = 0x40 | 0x80 | PoolFlagPaged;

    /// <summary>The first member of <paramref name="flagsType"/> whose value is exactly <paramref name="flag"/>, skipping the range markers (…_START, …_END).</summary>
    public static string? FlagName(INamedTypeSymbol flagsType, long flag)
    {
        foreach (ISymbol member in flagsType.GetMembers())
        {
            if (member is IFieldSymbol { HasConstantValue: true } field
                && !field.Name.EndsWith("_START", System.StringComparison.Ordinal)
                && !field.Name.EndsWith("_END", System.StringComparison.Ordinal)
                && OperationExtensions.AsInt64(field.ConstantValue) == flag)
            {
                return field.Name;
            }
        }

        return null;
    }

    /// <summary>The twin of a paged base type, or null.</summary>
    public static (long Value, string Name)? For(long baseType) => baseType switch
    {
        1 => (512, "NonPagedPoolNx"),
        5 => (516, "NonPagedPoolNxCacheAligned"),
        33 or 37 => (544, "NonPagedPoolSessionNx"),
        _ => null,
    };
}
