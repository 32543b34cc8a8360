using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers;

/// <summary>
/// Where a rule registers its actions for one compilation: the compilation's start context, narrowed to
/// the kinds of action the rules use, each made to skip the accessors of a <c>[GeneratedCode]</c>
/// property, indexer or event (the one piece of generated code the analyzer driver still runs them on;
/// see <see cref="PoolAnalyzer"/>).
/// </summary>
internal sealed class RuleActions(CompilationStartAnalysisContext context)
{
    public Compilation Compilation => context.Compilation;

    public void RegisterOperationAction(Action<OperationAnalysisContext> action, params OperationKind[] kinds)
        => context.RegisterOperationAction(
            c =>
            {
                if (!IsGeneratedAccessor(c.ContainingSymbol))
                {
                    action(c);
                }
            },
            kinds);

    public void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action)
        => context.RegisterOperationBlockAction(c =>
        {
            if (!IsGeneratedAccessor(c.OwningSymbol))
            {
                action(c);
            }
        });

    /// <summary>
    /// An accessor whose property, indexer or event carries <c>System.CodeDom.Compiler.GeneratedCodeAttribute</c>:
    /// the driver skips members and types with the attribute, but an accessor's own symbol has none.
    /// </summary>
    private static bool IsGeneratedAccessor(ISymbol symbol)
    {
        if (symbol is not IMethodSymbol { AssociatedSymbol: { } associated })
        {
            return false;
        }

        foreach (AttributeData attribute in associated.GetAttributes())
        {
            if (attribute.AttributeClass is
                {
                    Name: "GeneratedCodeAttribute",
                    ContainingNamespace: { Name: "Compiler", ContainingNamespace: { Name: "CodeDom", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } },
                })
            {
                return true;
            }
        }

        return false;
    }
}
