using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers;

/// <summary>
/// What every PoolAnalyzers rule does the same way: concurrent, generated code skipped, the runtime
/// symbols resolved once per compilation, and nothing registered at all when the compilation does
/// not reference the runtime, so unrelated projects pay for one lookup and nothing more.
/// </summary>
/// <remarks>
/// Generated code is skipped by not analyzing it (no <see cref="GeneratedCodeAnalysisFlags.Analyze"/>):
/// the driver runs no action on a generated file, type or member. Every rule reports inside the code its
/// action analyzes, so the driver's second filter, on each reported diagnostic's location, would only add
/// the accessors of a <c>[GeneratedCode]</c> property or event, which <see cref="RuleActions"/> skips
/// itself; that filter is turned off (<see cref="GeneratedCodeAnalysisFlags.ReportDiagnostics"/>) because
/// it reads every token of a file the first time a diagnostic is reported in it (benchmarks/README.md).
/// </remarks>
public abstract class PoolAnalyzer : DiagnosticAnalyzer
{
    private protected PoolAnalyzer()
    {
    }

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(start =>
        {
            if (RuntimeSymbols.TryCreate(start.Compilation) is { } symbols)
            {
                RegisterActions(new RuleActions(start), symbols);
            }
        });
    }

    /// <summary>Registers the rule's actions for a compilation that references the runtime.</summary>
    private protected abstract void RegisterActions(RuleActions context, RuntimeSymbols symbols);
}
