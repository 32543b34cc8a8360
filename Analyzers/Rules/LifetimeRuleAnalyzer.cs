using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Irql;
using PoolAnalyzers.Lifetime;

namespace PoolAnalyzers;

/// <summary>
/// A rule on the pointer-lifetime analysis (<see cref="LifetimeAnalysis"/>): after each member body is
/// analyzed it reports the analysis's findings of its rule in that body. The analysis is shared per
/// compilation by POOL009, POOL010 and POOL011, so a body is analyzed once however many of them are on.
/// </summary>
public abstract class LifetimeRuleAnalyzer : PoolAnalyzer
{
    private protected LifetimeRuleAnalyzer()
    {
    }

    /// <summary>The rule's descriptor.</summary>
    private protected abstract DiagnosticDescriptor Descriptor { get; }

    /// <inheritdoc/>
    private protected sealed override void RegisterActions(CompilationStartAnalysisContext context, RuntimeSymbols symbols)
    {
        var analysis = LifetimeAnalysis.For(context.Compilation, symbols);
        DiagnosticDescriptor rule = Descriptor;
        context.RegisterOperationBlockAction(block => Report(block, analysis, rule));
    }

    private static void Report(OperationBlockAnalysisContext context, LifetimeAnalysis analysis, DiagnosticDescriptor rule)
    {
        if (context.OwningSymbol.Kind is not (SymbolKind.Method or SymbolKind.Field or SymbolKind.Property) || IrqlEngine.BodyAmong(context.OperationBlocks) is not { } body)
        {
            return;
        }

        foreach (LifetimeFinding finding in analysis.FindingsOf(context.OwningSymbol, body, context.CancellationToken))
        {
            if (finding.RuleId == rule.Id)
            {
                context.ReportDiagnostic(Diagnostic.Create(rule, finding.Location, ToObjects(finding.Arguments)));
            }
        }
    }

    private static object[] ToObjects(ImmutableArray<string> arguments)
    {
        object[] values = new object[arguments.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = arguments[i];
        }

        return values;
    }
}
