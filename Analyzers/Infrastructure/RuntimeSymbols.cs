using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers;

/// <summary>
/// The runtime types the rules recognise, resolved once per compilation by metadata name.
/// The analyzer assembly never references the runtime, so this is the only link to it.
/// </summary>
/// <remarks>
/// More than one assembly can define <c>PoolAnalyzers.Runtime.Ex</c>: a project may declare its own
/// copy next to the package, or reference a library that embeds one. <c>GetTypeByMetadataName</c>
/// then returns the project's own copy, or null for two referenced ones, and the rules would either
/// mistake the copy for the runtime or switch off. Instead <c>Ex</c> is taken from the assembly named
/// <c>PoolAnalyzers.Runtime</c> when one defines it, else from the compilation itself, else from the
/// only assembly that defines it; <c>PoolTag</c> and <c>POOL_TYPE</c> come from that same assembly, so
/// the three always belong together.
/// </remarks>
internal sealed class RuntimeSymbols
{
    /// <summary>The runtime's assembly name (DESIGN: <c>PoolAnalyzers.Runtime.dll</c>).</summary>
    public const string RuntimeAssemblyName = "PoolAnalyzers.Runtime";

    private const string ExMetadataName = "PoolAnalyzers.Runtime.Ex";

    private RuntimeSymbols(INamedTypeSymbol ex, INamedTypeSymbol poolTag, INamedTypeSymbol poolType)
    {
        Ex = ex;
        PoolTag = poolTag;
        PoolType = poolType;
    }

    /// <summary><c>PoolAnalyzers.Runtime.Ex</c>.</summary>
    public INamedTypeSymbol Ex { get; }

    /// <summary><c>PoolAnalyzers.Runtime.PoolTag</c>.</summary>
    public INamedTypeSymbol PoolTag { get; }

    /// <summary><c>PoolAnalyzers.Runtime.POOL_TYPE</c>.</summary>
    public INamedTypeSymbol PoolType { get; }

    /// <summary>The runtime symbols of <paramref name="compilation"/>, or null when the runtime is not referenced.</summary>
    public static RuntimeSymbols? TryCreate(Compilation compilation)
    {
        INamedTypeSymbol? ex = ChooseEx(compilation);
        if (ex is null)
        {
            return null;
        }

        INamedTypeSymbol? poolTag = ex.ContainingAssembly.GetTypeByMetadataName("PoolAnalyzers.Runtime.PoolTag");
        INamedTypeSymbol? poolType = ex.ContainingAssembly.GetTypeByMetadataName("PoolAnalyzers.Runtime.POOL_TYPE");
        if (poolTag is null || poolType is null)
        {
            return null;
        }

        return new RuntimeSymbols(ex, poolTag, poolType);
    }

    private static INamedTypeSymbol? ChooseEx(Compilation compilation)
    {
        ImmutableArray<INamedTypeSymbol> candidates = compilation.GetTypesByMetadataName(ExMetadataName);
        INamedTypeSymbol? own = null;
        foreach (INamedTypeSymbol candidate in candidates)
        {
            if (candidate.ContainingAssembly.Name == RuntimeAssemblyName)
            {
                return candidate;
            }

            if (SymbolEqualityComparer.Default.Equals(candidate.ContainingAssembly, compilation.Assembly))
            {
                own = candidate;
            }
        }

        return own ?? (candidates.Length == 1 ? candidates[0] : null);
    }

    /// <summary>Which runtime routine <paramref name="method"/> is; <see cref="PoolRoutine.None"/> for anything else, including a project's own method of the same name.</summary>
    public PoolRoutine Classify(IMethodSymbol? method)
    {
        if (method is null || !SymbolEqualityComparer.Default.Equals(method.ContainingType, Ex))
        {
            return PoolRoutine.None;
        }

        return method.Name switch
        {
            "ExAllocatePool" => PoolRoutine.ExAllocatePool,
            "ExAllocatePoolWithQuota" => PoolRoutine.ExAllocatePoolWithQuota,
            "ExAllocatePoolWithTag" => PoolRoutine.ExAllocatePoolWithTag,
            "ExAllocatePoolWithQuotaTag" => PoolRoutine.ExAllocatePoolWithQuotaTag,
            "ExFreePoolWithTag" => PoolRoutine.ExFreePoolWithTag,
            "ExInitializeNPagedLookasideList" => PoolRoutine.ExInitializeNPagedLookasideList,
            "ExInitializePagedLookasideList" => PoolRoutine.ExInitializePagedLookasideList,
            "ExAllocateFromPagedLookasideList" => PoolRoutine.ExAllocateFromPagedLookasideList,
            "ExFreeToPagedLookasideList" => PoolRoutine.ExFreeToPagedLookasideList,
            "ExDeletePagedLookasideList" => PoolRoutine.ExDeletePagedLookasideList,
            "ExInitializeZone" => PoolRoutine.ExInitializeZone,
            "ExExtendZone" => PoolRoutine.ExExtendZone,
            "ExInterlockedExtendZone" => PoolRoutine.ExInterlockedExtendZone,
            _ => PoolRoutine.None,
        };
    }

    /// <summary>True when <paramref name="type"/> is <c>PoolAnalyzers.Runtime.</c><paramref name="name"/>; for code that has no compilation-wide instance at hand (code fixes).</summary>
    public static bool IsRuntimeType(ITypeSymbol? type, string name)
        => type is { Name: var actual, ContainingType: null, ContainingNamespace: { Name: "Runtime" } ns }
            && actual == name
            && ns.ContainingNamespace is { Name: "PoolAnalyzers", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>True for the four routines that take a <c>POOL_TYPE</c> and a byte count.</summary>
    public static bool IsAllocation(PoolRoutine routine) => routine is PoolRoutine.ExAllocatePool
        or PoolRoutine.ExAllocatePoolWithQuota
        or PoolRoutine.ExAllocatePoolWithTag
        or PoolRoutine.ExAllocatePoolWithQuotaTag;

    /// <summary>True for the four routines that operate on a paged lookaside list.</summary>
    public static bool IsPagedLookaside(PoolRoutine routine) => routine is PoolRoutine.ExInitializePagedLookasideList
        or PoolRoutine.ExAllocateFromPagedLookasideList
        or PoolRoutine.ExFreeToPagedLookasideList
        or PoolRoutine.ExDeletePagedLookasideList;
}
