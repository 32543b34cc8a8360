using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL004: paged pool allocated, or a paged lookaside list used, in code whose own IRQL attribute
/// lets it run at DISPATCH_LEVEL or higher.
/// </summary>
/// <remarks>
/// Paged memory can fault, and a page fault at DISPATCH_LEVEL or above bug-checks the machine; the
/// kernel allows paged allocations only at IRQL ≤ APC_LEVEL (BAD_POOL_CALLER 0x08). The pool type
/// is decided from its constant value exactly (<c>(type &amp; 1) != 0</c>), so nonpaged types are never
/// flagged. Only the attributes of the enclosing method, constructor, accessor, local function or
/// lambda count: a lambda or local function inherits nothing from the member around it, because it
/// may run later, on another thread, at any IRQL.
/// Flagged: <c>[IrqlRequiresMax(DISPATCH_LEVEL)] void Dpc() =&gt; ExAllocatePoolWithTag(PagedPool, 64, "Fred");</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PagedPoolAtDispatchAnalyzer : PoolAnalyzer
{
    /// <summary>The property set on diagnostics whose pool type argument the code fix may replace.</summary>
    public const string PoolTypeArgumentProperty = "PoolTypeArgument";

    /// <summary>The POOL004 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.PagedPoolAtDispatch,
        title: "Paged pool used where the IRQL can be DISPATCH_LEVEL or higher",
        messageFormat: "'{0}' uses paged pool ({1}) in '{2}', which may run at {3}; paged pool is only usable at or below APC_LEVEL",
        category: DiagnosticCategories.Irql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Paged pool may be paged out, and touching it at DISPATCH_LEVEL or above bug-checks. Allocate nonpaged pool (NonPagedPoolNx) or use a nonpaged lookaside list in code that runs at DISPATCH_LEVEL or higher.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.PagedPoolAtDispatch));

    private static readonly ImmutableDictionary<string, string?> FixableProperties =
        ImmutableDictionary<string, string?>.Empty.Add(PoolTypeArgumentProperty, "true");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(CompilationStartAnalysisContext context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        switch (symbols.Classify(invocation.TargetMethod))
        {
            case { PoolType: { } poolTypeParameter }:
                if (invocation.GetArgument(poolTypeParameter) is { } poolType && IsPagedConstant(poolType.Value))
                {
                    ReportIfDispatch(context, invocation, poolType.Value.Syntax);
                }

                break;
            case { Pool: RoutinePool.Paged }:
                ReportIfDispatch(context, invocation, poolTypeSyntax: null);
                break;
        }
    }

    private static bool IsPagedConstant(IOperation value)
    {
        Optional<object?> constant = value.GetFoldedConstant();
        return constant.HasValue && OperationExtensions.AsInt64(constant.Value) is { } type && (type & 1) != 0;
    }

    /// <summary>Reports on the pool type argument, or on the routine name of a lookaside call (<paramref name="poolTypeSyntax"/> null).</summary>
    private static void ReportIfDispatch(OperationAnalysisContext context, IInvocationOperation invocation, SyntaxNode? poolTypeSyntax)
    {
        ISymbol? annotated = AnnotatedContainer(invocation, context.ContainingSymbol);
        if (annotated is null || IrqlAnnotations.HighestPermittedAtOrAboveDispatch(annotated) is not { } level)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            poolTypeSyntax?.GetLocation() ?? invocation.Syntax.GetMethodNameLocation(),
            poolTypeSyntax is null ? ImmutableDictionary<string, string?>.Empty : FixableProperties,
            invocation.TargetMethod.Name,
            poolTypeSyntax?.ToString() ?? "a paged lookaside list",
            DisplayName(annotated),
            IrqlAnnotations.Name(level)));
    }

    /// <summary>How the message names the annotated code: <c>Dpc</c>, <c>Driver</c> (a constructor), <c>Block.get</c>, <c>lambda in Dpc</c>.</summary>
    private static string DisplayName(ISymbol symbol) => symbol switch
    {
        IMethodSymbol { MethodKind: MethodKind.AnonymousFunction, ContainingSymbol: { } outer } => "lambda in " + DisplayName(outer),
        IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor, ContainingType: { } type } => type.Name,
        IMethodSymbol { AssociatedSymbol: { } property, MethodKind: MethodKind.PropertyGet } => property.Name + ".get",
        IMethodSymbol { AssociatedSymbol: { } property, MethodKind: MethodKind.PropertySet } => property.Name + (((IMethodSymbol)symbol).IsInitOnly ? ".init" : ".set"),
        IMethodSymbol { AssociatedSymbol: { } @event, MethodKind: MethodKind.EventAdd } => @event.Name + ".add",
        IMethodSymbol { AssociatedSymbol: { } @event, MethodKind: MethodKind.EventRemove } => @event.Name + ".remove",
        _ => symbol.Name,
    };

    /// <summary>The innermost lambda, local function or member whose attributes govern the call.</summary>
    private static ISymbol? AnnotatedContainer(IOperation operation, ISymbol containingSymbol)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol;
                case ILocalFunctionOperation localFunction:
                    return localFunction.Symbol;
            }
        }

        return containingSymbol;
    }
}
