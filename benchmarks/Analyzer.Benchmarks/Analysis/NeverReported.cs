using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>The rule every benchmark analyzer declares and never reports: the driver runs only analyzers that support a rule.</summary>
internal static class NeverReported
{
    public static DiagnosticDescriptor Rule(string id) => new(
        id: id,
        title: "Never reported",
        messageFormat: "Never reported",
        category: "Benchmark",
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true);
}
