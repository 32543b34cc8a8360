using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// The linear reference that allocates nothing: one walk of every member body's operations, what the
/// flow rules' body scan does for every body. Its work is the operations walked.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public class LinearWalkAnalyzer : LinearReferenceAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [NeverReported.Rule("BENCH003")];

    protected override long Measure(OperationBlockAnalysisContext context)
    {
        long operations = 0;
        foreach (IOperation block in context.OperationBlocks)
        {
            // By the operation tree's own child enumeration, as the body scan walks: no iterator is allocated.
            operations += Count(block);
        }

        return operations;
    }

    /// <summary>What the walk does at each operation besides counting it: nothing here.</summary>
    protected virtual void Visit(IOperation operation)
    {
    }

    private long Count(IOperation operation)
    {
        Visit(operation);
        long count = 1;
        foreach (IOperation child in operation.ChildOperations)
        {
            count += Count(child);
        }

        return count;
    }
}
