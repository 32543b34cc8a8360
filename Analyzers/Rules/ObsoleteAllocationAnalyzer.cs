using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL001: calls to, and method-group references of, the untagged <c>ExAllocatePool</c> and
/// <c>ExAllocatePoolWithQuota</c>. The message names both ways out: the tagged routine (each row's
/// <see cref="RuntimeRoutine.Replacement"/>) and the modern one that replaces that in turn.
/// </summary>
/// <remarks>
/// The untagged routines label every block <c>"None"</c>, so pool dumps, poolmon and Driver
/// Verifier cannot tell whose memory it is; the WDK deprecates them (PREfast C28751/C28159).
/// Flagged: <c>nint p = Ex.ExAllocatePool(POOL_TYPE.NonPagedPoolNx, 64);</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ObsoleteAllocationAnalyzer : PoolAnalyzer
{
    /// <summary>The POOL001 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ObsoleteAllocation,
        title: "Obsolete untagged pool routine",
        messageFormat: "'{0}' is obsolete: it tags every block \"None\"; call '{1}' with a pool tag, or '{2}' with POOL_FLAGS and a pool tag",
        category: DiagnosticCategories.Obsolete,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "ExAllocatePool and ExAllocatePoolWithQuota give every block the default tag \"None\", which defeats pool tagging. Use ExAllocatePoolWithTag or ExAllocatePoolWithQuotaTag with a tag unique to the code path, or, from Windows 10 version 2004, ExAllocatePool2.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ObsoleteAllocation));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
        context.RegisterOperationAction(c => AnalyzeMethodReference(c, symbols), OperationKind.MethodReference);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        Report(context, symbols, invocation.TargetMethod, invocation.Syntax);
    }

    private static void AnalyzeMethodReference(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        Report(context, symbols, reference.Method, reference.Syntax);
    }

    private static void Report(OperationAnalysisContext context, RuntimeSymbols symbols, IMethodSymbol method, SyntaxNode syntax)
    {
        if (symbols.Classify(method) is not { IsUntaggedAllocation: true, Replacement: { } replacement } routine || context.Operation.IsInsideNameOf())
        {
            return;
        }

        // The tagged replacement is deprecated in turn; its replacement is the modern routine.
        string modern = RuntimeRoutines.ModernReplacement(routine)?.Name ?? replacement;
        context.ReportDiagnostic(Diagnostic.Create(Rule, syntax.GetMethodNameLocation(), method.Name, replacement, modern));
    }
}
