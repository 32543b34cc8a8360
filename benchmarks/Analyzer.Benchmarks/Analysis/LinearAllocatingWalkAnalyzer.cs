using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// The walk of <see cref="LinearWalkAnalyzer"/>, allocating a short-lived array of eight references at
/// every operation: about as many bytes a compile as <see cref="LinearGraphAnalyzer"/>'s graphs take,
/// with the walk's CPU. Beside the two, it tells allocation apart from the work around it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LinearAllocatingWalkAnalyzer : LinearWalkAnalyzer
{
    /// <summary>The last array: written to a field so that each one is allocated on the heap, not elided or put on the stack.</summary>
    private object[]? _last;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [NeverReported.Rule("BENCH005")];

    protected override void Visit(IOperation operation) => _last = new object[8];
}
