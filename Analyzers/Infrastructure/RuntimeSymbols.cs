using Microsoft.CodeAnalysis;

namespace PoolAnalyzers;

/// <summary>
/// The runtime types the rules recognise, resolved once per compilation by metadata name.
/// The analyzer assembly never references the runtime, so this is the only link to it.
/// </summary>
internal sealed class RuntimeSymbols
{
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
        INamedTypeSymbol? ex = compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime.Ex");
        INamedTypeSymbol? poolTag = compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime.PoolTag");
        INamedTypeSymbol? poolType = compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime.POOL_TYPE");
        if (ex is null || poolTag is null || poolType is null)
        {
            return null;
        }

        return new RuntimeSymbols(ex, poolTag, poolType);
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
