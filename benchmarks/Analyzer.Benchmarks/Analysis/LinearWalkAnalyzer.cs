using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// A linear reference for the scaling report that allocates nothing: one walk of every member body's
/// operations, what the flow rules' body scan does for every body. Nothing is kept between bodies, so
/// ten times the files is exactly ten times the work; the counter lets the report show that it was.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LinearWalkAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new(
        id: "BENCH003",
        title: "Never reported",
        messageFormat: "Never reported",
        category: "Benchmark",
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true);

    private long _operations;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Unused];

    /// <summary>Operations walked since the analyzer was created.</summary>
    public long Work => Interlocked.Read(ref _operations);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(Analyze);
    }

    private void Analyze(OperationBlockAnalysisContext context)
    {
        long operations = 0;
        foreach (IOperation block in context.OperationBlocks)
        {
            // By the operation tree's own child enumeration, as the body scan walks: no iterator is allocated.
            operations += Count(block);
        }

        Interlocked.Add(ref _operations, operations);
    }

    private static long Count(IOperation operation)
    {
        long count = 1;
        foreach (IOperation child in operation.ChildOperations)
        {
            count += Count(child);
        }

        return count;
    }
}
