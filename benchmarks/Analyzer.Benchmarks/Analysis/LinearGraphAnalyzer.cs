using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// The linear reference that allocates as a flow analysis does: the control-flow graph of every member
/// body that calls a <c>Ke…</c> routine (the bodies the IRQL engine analyzes), built by the driver and
/// read once. Its work is the graphs' basic blocks.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LinearGraphAnalyzer : LinearReferenceAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [NeverReported.Rule("BENCH004")];

    protected override long Measure(OperationBlockAnalysisContext context)
    {
        long blocks = 0;
        foreach (IOperation block in context.OperationBlocks)
        {
            // Only member bodies, as the IRQL engine takes them (attributes and parameter defaults are blocks too).
            if (IrqlEngine.BodyOfBlock(block) is not null && CallsKe(block))
            {
                blocks += context.GetControlFlowGraph(block).Blocks.Length;
            }
        }

        return blocks;
    }

    private static bool CallsKe(IOperation operation)
    {
        if (operation is IInvocationOperation { TargetMethod.Name: { } name } && name.StartsWith("Ke", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (IOperation child in operation.ChildOperations)
        {
            if (CallsKe(child))
            {
                return true;
            }
        }

        return false;
    }
}
