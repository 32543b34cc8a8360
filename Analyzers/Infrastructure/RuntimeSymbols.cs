using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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
/// only assembly that defines it; <c>PoolTag</c>, <c>POOL_TYPE</c> and the other routine classes come
/// from that same assembly, so they always belong together.
/// </remarks>
internal sealed class RuntimeSymbols
{
    /// <summary>The runtime's assembly name (DESIGN: <c>PoolAnalyzers.Runtime.dll</c>).</summary>
    public const string RuntimeAssemblyName = "PoolAnalyzers.Runtime";

    private const string Namespace = "PoolAnalyzers.Runtime.";

    private static readonly ConditionalWeakTable<Compilation, StrongBox<RuntimeSymbols?>> s_byCompilation = new();

    private readonly ImmutableArray<INamedTypeSymbol> _components;

    private RuntimeSymbols(INamedTypeSymbol ex, INamedTypeSymbol poolTag, INamedTypeSymbol poolType, INamedTypeSymbol? poolFlags, ImmutableArray<INamedTypeSymbol> components)
    {
        Ex = ex;
        PoolTag = poolTag;
        PoolType = poolType;
        PoolFlags = poolFlags;
        _components = components;
    }

    /// <summary><c>PoolAnalyzers.Runtime.Ex</c>.</summary>
    public INamedTypeSymbol Ex { get; }

    /// <summary><c>PoolAnalyzers.Runtime.PoolTag</c>.</summary>
    public INamedTypeSymbol PoolTag { get; }

    /// <summary><c>PoolAnalyzers.Runtime.POOL_TYPE</c>.</summary>
    public INamedTypeSymbol PoolType { get; }

    /// <summary><c>PoolAnalyzers.Runtime.POOL_FLAGS</c>, or null for a copy of the runtime types that predates it.</summary>
    public INamedTypeSymbol? PoolFlags { get; }

    /// <summary>The runtime symbols of <paramref name="compilation"/>, or null when the runtime is not referenced.</summary>
    /// <remarks>Every rule asks at compilation start; the answer is computed once per compilation.</remarks>
    public static RuntimeSymbols? TryCreate(Compilation compilation) => s_byCompilation.GetValue(compilation, c => new StrongBox<RuntimeSymbols?>(Create(c))).Value;

    private static RuntimeSymbols? Create(Compilation compilation)
    {
        INamedTypeSymbol? ex = ChooseEx(compilation);
        if (ex is null)
        {
            return null;
        }

        IAssemblySymbol assembly = ex.ContainingAssembly;
        INamedTypeSymbol? poolTag = assembly.GetTypeByMetadataName(Namespace + "PoolTag");
        INamedTypeSymbol? poolType = assembly.GetTypeByMetadataName(Namespace + "POOL_TYPE");
        if (poolTag is null || poolType is null)
        {
            return null;
        }

        // Ex, Ke, Mm, Rtl: whichever of them this assembly defines.
        ImmutableArray<INamedTypeSymbol>.Builder components = ImmutableArray.CreateBuilder<INamedTypeSymbol>(RuntimeRoutines.Components.Length);
        foreach (string component in RuntimeRoutines.Components)
        {
            if (assembly.GetTypeByMetadataName(Namespace + component) is { } type)
            {
                components.Add(type);
            }
        }

        INamedTypeSymbol? poolFlags = assembly.GetTypeByMetadataName(Namespace + "POOL_FLAGS");
        return new RuntimeSymbols(ex, poolTag, poolType, poolFlags, components.ToImmutable());
    }

    private static INamedTypeSymbol? ChooseEx(Compilation compilation)
    {
        // The usual case, answered from the runtime's own assembly alone: asking the whole compilation
        // searches every source declaration and every referenced assembly for the name.
        foreach (IAssemblySymbol referenced in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (referenced.Name == RuntimeAssemblyName && referenced.GetTypeByMetadataName(Namespace + "Ex") is { } runtimeEx)
            {
                return runtimeEx;
            }
        }

        ImmutableArray<INamedTypeSymbol> candidates = compilation.GetTypesByMetadataName(Namespace + "Ex");
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

    /// <summary>
    /// The <see cref="RuntimeRoutines"/> row of <paramref name="method"/>, or null for anything else, including a
    /// project's own method of the same name and a routine of another assembly's copy of the runtime types.
    /// </summary>
    public RuntimeRoutine? Classify(IMethodSymbol? method)
    {
        if (method is not { IsStatic: true, ContainingType: { } type })
        {
            return null;
        }

        foreach (INamedTypeSymbol component in _components)
        {
            if (SymbolEqualityComparer.Default.Equals(type, component))
            {
                return RuntimeRoutines.Find(component.Name, method.Name);
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="type"/> is <c>PoolAnalyzers.Runtime.</c><paramref name="name"/>; for code that has no compilation-wide instance at hand (code fixes).</summary>
    public static bool IsRuntimeType(ITypeSymbol? type, string name)
        => type is { Name: var actual, ContainingType: null, ContainingNamespace: { Name: "Runtime" } ns }
            && actual == name
            && ns.ContainingNamespace is { Name: "PoolAnalyzers", ContainingNamespace.IsGlobalNamespace: true };
}
