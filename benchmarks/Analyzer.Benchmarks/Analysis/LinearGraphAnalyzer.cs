using System;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// A linear reference for the scaling report that allocates as a flow analysis does: the control-flow
/// graph of every member body that calls a <c>Ke…</c> routine (the bodies the IRQL engine analyzes),
/// built by the driver and read once. Nothing is kept between bodies, so ten times the files is exactly
/// ten times the work; the counter (the graphs' basic blocks) lets the report show that it was.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LinearGraphAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new(
        id: "BENCH004",
        title: "Never reported",
        messageFormat: "Never reported",
        category: "Benchmark",
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true);

    private long _blocks;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Unused];

    /// <summary>Basic blocks of the graphs built since the analyzer was created.</summary>
    public long Work => Interlocked.Read(ref _blocks);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(Analyze);
    }

    private void Analyze(OperationBlockAnalysisContext context)
    {
        foreach (IOperation block in context.OperationBlocks)
        {
            if (IsGraphRoot(block) && CallsKe(block))
            {
                Interlocked.Add(ref _blocks, context.GetControlFlowGraph(block).Blocks.Length);
            }
        }
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

    /// <summary>Whether the block's root is a body the driver builds a graph for (attributes and parameter defaults are blocks too).</summary>
    private static bool IsGraphRoot(IOperation block)
    {
        IOperation root = block;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        return root is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation or IFieldInitializerOperation or IPropertyInitializerOperation;
    }
}
