using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers;

/// <summary>
/// A rule on the IRQL engine (<see cref="IrqlEngine"/>): after each member body is analyzed it reports the
/// engine's findings of its rule located in that body. The engine is shared per compilation by every
/// such rule, so a body is analyzed once however many of them are on.
/// </summary>
public abstract class IrqlRuleAnalyzer : PoolAnalyzer
{
    private protected IrqlRuleAnalyzer()
    {
    }

    /// <summary>The rule's descriptor.</summary>
    private protected abstract DiagnosticDescriptor Descriptor { get; }

    /// <inheritdoc/>
    private protected sealed override void RegisterActions(CompilationStartAnalysisContext context, RuntimeSymbols symbols)
    {
        var engine = IrqlEngine.For(context.Compilation, symbols);
        DiagnosticDescriptor rule = Descriptor;
        context.RegisterOperationBlockAction(block => Report(block, engine, rule));
    }

    private static void Report(OperationBlockAnalysisContext context, IrqlEngine engine, DiagnosticDescriptor rule)
    {
        if (context.OwningSymbol.Kind is not (SymbolKind.Method or SymbolKind.Field or SymbolKind.Property) || IrqlEngine.BodyAmong(context.OperationBlocks) is not { } body)
        {
            return;
        }

        foreach (IrqlFinding finding in engine.FindingsOf(context.OwningSymbol, body, context.CancellationToken))
        {
            if (finding.RuleId == rule.Id)
            {
                context.ReportDiagnostic(Diagnostic.Create(rule, finding.Location, finding.Properties, ToObjects(finding.Arguments)));
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
