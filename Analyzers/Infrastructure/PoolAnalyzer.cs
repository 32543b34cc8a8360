using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers;

/// <summary>
/// What every PoolAnalyzers rule does the same way: concurrent, generated code skipped, the runtime
/// symbols resolved once per compilation, and nothing registered at all when the compilation does
/// not reference the runtime, so unrelated projects pay for one lookup and nothing more.
/// </summary>
public abstract class PoolAnalyzer : DiagnosticAnalyzer
{
    private protected PoolAnalyzer()
    {
    }

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (RuntimeSymbols.TryCreate(start.Compilation) is { } symbols)
            {
                RegisterActions(start, symbols);
            }
        });
    }

    /// <summary>Registers the rule's actions for a compilation that references the runtime.</summary>
    private protected abstract void RegisterActions(CompilationStartAnalysisContext context, RuntimeSymbols symbols);
}
