using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// Work for the scaling report that grows exactly with the code: each member body is measured on its
/// own and nothing is kept from one body to the next, so ten times the files is exactly ten times the
/// work. <see cref="Work"/> counts what was done, so the report can show that it was.
/// </summary>
public abstract class LinearReferenceAnalyzer : DiagnosticAnalyzer
{
    private long _work;

    /// <summary>The units of work done since the analyzer was created.</summary>
    public long Work => Interlocked.Read(ref _work);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationBlockAction(blocks => Interlocked.Add(ref _work, Measure(blocks)));
    }

    /// <summary>Does one body's work and says how many units it was.</summary>
    protected abstract long Measure(OperationBlockAnalysisContext context);
}
