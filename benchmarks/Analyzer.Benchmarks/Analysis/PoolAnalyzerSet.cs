using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// Every C# <see cref="DiagnosticAnalyzer"/> in the PoolAnalyzers assembly, found by reflection
/// so the benchmark measures whichever rules exist without naming them.
/// </summary>
internal static class PoolAnalyzerSet
{
    private const string AssemblyName = "PoolAnalyzers";

    public static ImmutableArray<DiagnosticAnalyzer> Load()
    {
        var assembly = Assembly.Load(AssemblyName);
        ImmutableArray<DiagnosticAnalyzer> analyzers =
        [
            .. assembly.GetTypes()
                .Where(IsCSharpAnalyzer)
                .OrderBy(type => type.FullName, StringComparer.Ordinal)
                .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!),
        ];
        if (analyzers.IsEmpty)
        {
            throw new InvalidOperationException(
                $"{assembly.Location} contains no concrete DiagnosticAnalyzer marked [DiagnosticAnalyzer(LanguageNames.CSharp)]; there is nothing to measure.");
        }

        return analyzers;
    }

    /// <summary>How the reports name an analyzer: its type and the rules it reports, <c>DefaultPoolTagAnalyzer (POOL005)</c>.</summary>
    public static string Label(DiagnosticAnalyzer analyzer)
        => $"{analyzer.GetType().Name} ({string.Join(", ", analyzer.SupportedDiagnostics.Select(descriptor => descriptor.Id).Distinct())})";

    private static bool IsCSharpAnalyzer(Type type) =>
        type is { IsAbstract: false, IsGenericTypeDefinition: false }
        && typeof(DiagnosticAnalyzer).IsAssignableFrom(type)
        && type.GetConstructor(Type.EmptyTypes) is not null
        && type.GetCustomAttributes<DiagnosticAnalyzerAttribute>().Any(attribute => attribute.Languages.Contains(LanguageNames.CSharp));
}
