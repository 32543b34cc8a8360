using System;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// Work that grows with the code by construction, for the scaling report to set the rules beside: for
/// every member body, one walk of its operations (what the flow rules' body scan does for every body),
/// and for a body that calls a <c>Ke…</c> routine (the bodies the IRQL engine analyzes) its control-flow
/// graph. Nothing is kept from one body to the next, so ten times the files is exactly ten times the
/// work; the counters let the report show that it was.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LinearReferenceAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new(
        id: "BENCH003",
        title: "Never reported",
        messageFormat: "Never reported",
        category: "Benchmark",
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true);

    private long _operations;
    private long _graphBlocks;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Unused];

    /// <summary>Operations walked since the analyzer was created.</summary>
    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>Basic blocks of the graphs built since the analyzer was created.</summary>
    public long GraphBlocks => Interlocked.Read(ref _graphBlocks);

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
            long operations = 0;
            bool callsKe = false;
            foreach (IOperation operation in block.DescendantsAndSelf())
            {
                operations++;
                callsKe |= operation is IInvocationOperation { TargetMethod.Name: { } name } && name.StartsWith("Ke", StringComparison.Ordinal);
            }

            Interlocked.Add(ref _operations, operations);
            if (callsKe && IsGraphRoot(block))
            {
                Interlocked.Add(ref _graphBlocks, context.GetControlFlowGraph(block).Blocks.Length);
            }
        }
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
