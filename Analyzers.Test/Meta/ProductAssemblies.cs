using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Test.Meta;

/// <summary>Every analyzer and fixer the package ships, found by reflection over its two assemblies.</summary>
internal static class ProductAssemblies
{
    public static readonly Assembly Analyzers = typeof(DiagnosticIds).Assembly;

    public static readonly Assembly CodeFixes = typeof(PoolAnalyzers.CodeFixes.ObsoleteAllocationCodeFixProvider).Assembly;

    public static ImmutableArray<Type> AnalyzerTypes { get; } = ConcreteTypes<DiagnosticAnalyzer>(Analyzers, CodeFixes);

    public static ImmutableArray<Type> CodeFixTypes { get; } = ConcreteTypes<CodeFixProvider>(Analyzers, CodeFixes);

    public static ImmutableArray<DiagnosticAnalyzer> CreateAnalyzers() =>
        AnalyzerTypes.Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!).ToImmutableArray();

    public static ImmutableArray<CodeFixProvider> CreateCodeFixes() =>
        CodeFixTypes.Select(t => (CodeFixProvider)Activator.CreateInstance(t)!).ToImmutableArray();

    /// <summary>Every supported descriptor with the analyzer type declaring it.</summary>
    public static IEnumerable<(Type Analyzer, DiagnosticDescriptor Descriptor)> Descriptors() =>
        CreateAnalyzers().SelectMany(a => a.SupportedDiagnostics.Select(d => (a.GetType(), d)));

    private static ImmutableArray<Type> ConcreteTypes<TBase>(params Assembly[] assemblies) => assemblies
        .SelectMany(a => a.GetTypes())
        .Where(t => typeof(TBase).IsAssignableFrom(t) && !t.IsAbstract)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToImmutableArray();
}
