using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers;

/// <summary>
/// The runtime types the rules recognise, resolved once per compilation by metadata name.
/// The analyzer assembly never references the runtime, so this is the only link to it.
/// </summary>
/// <remarks>
/// <para>
/// More than one assembly can define <c>PoolAnalyzers.Runtime.Ex</c>: a project may declare its own
/// copy next to the package, or reference a library that embeds one. <c>GetTypeByMetadataName</c>
/// then returns the project's own copy, or null for two referenced ones, and the rules would either
/// mistake the copy for the runtime or switch off. Instead <c>Ex</c> is taken from the assembly named
/// <c>PoolAnalyzers.Runtime</c> when one defines it, else from the compilation itself, else from the
/// only assembly that defines it; <c>PoolTag</c>, <c>POOL_TYPE</c> and the other routine classes come
/// from that same assembly, so they always belong together.
/// </para>
/// <para>
/// Looking a type up binds the compilation's references and creates its source assembly, work the
/// compiler does anyway for every build. At compilation start, which runs before the compiler gets
/// there, that work would be done by (and timed as) the rule that asks first. So when a reference is
/// plainly the runtime (a file or project named <c>PoolAnalyzers.Runtime</c>), the rules register at
/// once and the types are looked up at their first use, by which time the compiler has bound the
/// references; a reference that turns out not to define them leaves every rule silent. Otherwise
/// the types are looked up at compilation start, as before, and nothing is registered without them.
/// </para>
/// </remarks>
internal sealed class RuntimeSymbols
{
    /// <summary>The runtime's assembly name (DESIGN: <c>PoolAnalyzers.Runtime.dll</c>).</summary>
    public const string RuntimeAssemblyName = "PoolAnalyzers.Runtime";

    private const string Namespace = "PoolAnalyzers.Runtime.";

    private static readonly ConditionalWeakTable<Compilation, StrongBox<RuntimeSymbols?>> s_byCompilation = new();

    private static readonly Types s_none = new(null, null, null, null, []);

    private readonly Compilation _compilation;

    /// <summary>The row of each routine definition of a component type, once it has been asked about (a few hundred at most).</summary>
    private readonly ConcurrentDictionary<IMethodSymbol, RuntimeRoutine?> _rows = new(ReferenceComparer<IMethodSymbol>.Instance);
    private Types? _types;

    private RuntimeSymbols(Compilation compilation, Types? types)
    {
        _compilation = compilation;
        _types = types;
    }

    /// <summary><c>PoolAnalyzers.Runtime.Ex</c>; null only when a reference named like the runtime does not define the runtime types.</summary>
    public INamedTypeSymbol? Ex => Resolved.Ex;

    /// <summary><c>PoolAnalyzers.Runtime.PoolTag</c> (null as for <see cref="Ex"/>).</summary>
    public INamedTypeSymbol? PoolTag => Resolved.PoolTag;

    /// <summary><c>PoolAnalyzers.Runtime.POOL_TYPE</c> (null as for <see cref="Ex"/>).</summary>
    public INamedTypeSymbol? PoolType => Resolved.PoolType;

    /// <summary><c>PoolAnalyzers.Runtime.POOL_FLAGS</c>, or null for a copy of the runtime types that predates it.</summary>
    public INamedTypeSymbol? PoolFlags => Resolved.PoolFlags;

    // Racing first uses may each look the types up; they find the same ones, and one answer is kept.
    private Types Resolved => Volatile.Read(ref _types) ?? Interlocked.CompareExchange(ref _types, Find(_compilation) ?? s_none, null) ?? _types!;

    /// <summary>The runtime symbols of <paramref name="compilation"/>, or null when the runtime is not referenced.</summary>
    /// <remarks>Every rule asks at compilation start; the answer is computed once per compilation.</remarks>
    public static RuntimeSymbols? TryCreate(Compilation compilation) => s_byCompilation.GetValue(compilation, c => new StrongBox<RuntimeSymbols?>(Create(c))).Value;

    private static RuntimeSymbols? Create(Compilation compilation)
    {
        if (NamesTheRuntime(compilation.References))
        {
            return new RuntimeSymbols(compilation, types: null);
        }

        return Find(compilation) is { } types ? new RuntimeSymbols(compilation, types) : null;
    }

    /// <summary>True when a reference is plainly the runtime by its name alone (nothing is bound to tell).</summary>
    private static bool NamesTheRuntime(IEnumerable<MetadataReference> references)
    {
        foreach (MetadataReference reference in references)
        {
            string? name = reference switch
            {
                CompilationReference project => project.Compilation.AssemblyName,
                PortableExecutableReference { FilePath: { } path } => Path.GetFileNameWithoutExtension(path),
                _ => null,
            };
            if (string.Equals(name, RuntimeAssemblyName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static Types? Find(Compilation compilation)
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
        return new Types(ex, poolTag, poolType, poolFlags, components.ToImmutable());
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
        // Every call of every body is asked about by several rules: the names rule out nearly all of them
        // before any symbol is compared.
        if (method is not { IsStatic: true, ContainingType: { } type } || !RuntimeRoutines.IsComponentName(type.Name))
        {
            return null;
        }

        // Each call asks about the method's definition, one object per routine: remembered by reference.
        if (!method.IsDefinition)
        {
            return Row(method, type);
        }

        if (!_rows.TryGetValue(method, out RuntimeRoutine? row))
        {
            row = _rows.GetOrAdd(method, Row(method, type));
        }

        return row;
    }

    private RuntimeRoutine? Row(IMethodSymbol method, INamedTypeSymbol type)
    {
        foreach (INamedTypeSymbol component in Resolved.Components)
        {
            if (ReferenceEquals(type, component) || SymbolEqualityComparer.Default.Equals(type, component))
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

    /// <summary>The runtime types found in one assembly.</summary>
    private sealed class Types(INamedTypeSymbol? ex, INamedTypeSymbol? poolTag, INamedTypeSymbol? poolType, INamedTypeSymbol? poolFlags, ImmutableArray<INamedTypeSymbol> components)
    {
        public INamedTypeSymbol? Ex { get; } = ex;

        public INamedTypeSymbol? PoolTag { get; } = poolTag;

        public INamedTypeSymbol? PoolType { get; } = poolType;

        public INamedTypeSymbol? PoolFlags { get; } = poolFlags;

        public ImmutableArray<INamedTypeSymbol> Components { get; } = components;
    }
}
