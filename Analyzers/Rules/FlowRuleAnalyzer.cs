using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers;

/// <summary>
/// A rule on a flow analysis shared per compilation by several rules (the IRQL engine, the
/// pointer-lifetime analysis): after each member body is analyzed it reports the analysis's findings
/// of its rule in that body, so a body is analyzed once however many of the rules are on.
/// </summary>
public abstract class FlowRuleAnalyzer : PoolAnalyzer
{
    private protected FlowRuleAnalyzer()
    {
    }

    /// <summary>The rule's descriptor.</summary>
    private protected abstract DiagnosticDescriptor Descriptor { get; }

    /// <summary>The compilation's shared analysis, as the findings it has for one member body.</summary>
    private protected abstract FindingSource SourceFor(Compilation compilation, RuntimeSymbols symbols);

    private protected delegate ImmutableArray<BodyFinding> FindingSource(ISymbol member, IOperation body, CancellationToken cancellationToken);

    /// <inheritdoc/>
    private protected sealed override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        FindingSource findings = SourceFor(context.Compilation, symbols);
        DiagnosticDescriptor rule = Descriptor;
        context.RegisterOperationBlockAction(block => Report(block, findings, rule));
    }

    private static void Report(OperationBlockAnalysisContext context, FindingSource findings, DiagnosticDescriptor rule)
    {
        if (context.OwningSymbol.Kind is not (SymbolKind.Method or SymbolKind.Field or SymbolKind.Property) || IrqlEngine.BodyAmong(context.OperationBlocks) is not { } body)
        {
            return;
        }

        foreach (BodyFinding finding in findings(context.OwningSymbol, body, context.CancellationToken))
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
