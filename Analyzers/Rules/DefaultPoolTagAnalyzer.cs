using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL005: a default pool tag — <c>"None"</c>, <c>"Ddk "</c> or <c>"Wdm "</c> — as the tag of an
/// allocation routine or a lookaside initializer.
/// </summary>
/// <remarks>
/// The default tags are valid (POOL002 accepts them), but every block they label looks like every
/// other driver's blocks with the same tag: <c>"None"</c> is what the untagged <c>ExAllocatePool</c>
/// routines use, <c>"Ddk "</c> and <c>"Wdm "</c> are the DDK header macros' defaults (PREfast C28147).
/// The tag is recognised as a text or numeric constant, a named constant, or a <c>static readonly</c>
/// field initialized with a literal; any other value is not judged. Frees are not reported: the tag
/// there must match the allocation's, whatever it is.
/// Flagged: <c>ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Ddk ")</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DefaultPoolTagAnalyzer : PoolAnalyzer
{
    /// <summary>The POOL005 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.DefaultPoolTag,
        title: "Default pool tag",
        messageFormat: "'{0}' is given the default pool tag {1}: pool dumps, poolmon and Driver Verifier cannot tell its blocks from other code's; use a tag unique to this code path",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "\"None\" (the untagged ExAllocatePool routines' tag), \"Ddk \" and \"Wdm \" (the DDK header macros' defaults) are shared by code all over the system, which defeats pool tagging. Give each allocation code path a tag of its own.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.DefaultPoolTag));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (symbols.Classify(invocation.TargetMethod) is not { Kind: RoutineKind.Allocate or RoutineKind.LookasideInitialize, Tag: { } tagParameter }
            || invocation.GetArgument(tagParameter) is not { ArgumentKind: ArgumentKind.Explicit } argument
            || TagConstant(argument.Value) is not { } constant)
        {
            return;
        }

        bool isDefault = constant switch
        {
            string text => PoolTagRules.IsDefaultTag(text),
            _ => OperationExtensions.AsInt64(constant) is { } number and >= 0 and <= uint.MaxValue && PoolTagRules.IsDefaultTag((uint)number),
        };
        if (isDefault)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                argument.Value.Syntax.GetLocation(),
                invocation.TargetMethod.Name,
                PoolTagRules.DescribeDefaultTag(constant)));
        }
    }

    /// <summary>The text or number a tag argument holds, when it is known without running the code; otherwise null.</summary>
    private static object? TagConstant(IOperation value)
    {
        // The implicit PoolTag conversions from string and uint are user-defined operators: look through
        // them, but take the first folded constant on the way (a numeric cast may change the value).
        while (true)
        {
            if (value.ConstantValue is { HasValue: true } constant)
            {
                return constant.Value;
            }

            if (value is not IConversionOperation conversion)
            {
                break;
            }

            value = conversion.Operand;
        }

        return value is IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true } field } ? LiteralInitializer(field) : null;
    }

    /// <summary>
    /// The literal a <c>static readonly</c> field is initialized with, read from its declaration's syntax
    /// (no semantic model of another tree is needed): <c>static readonly PoolTag Tag = "Ddk ";</c>.
    /// A static constructor could still assign it; drivers do not, and the declaration is what a reader sees.
    /// </summary>
    private static object? LiteralInitializer(IFieldSymbol field)
    {
        if (field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } initializer })
        {
            return null;
        }

        // A cast may only convert text to PoolTag: a numeric cast could change the value.
        ExpressionSyntax value = Unparenthesized(initializer);
        if (value is CastExpressionSyntax cast && Unparenthesized(cast.Expression) is LiteralExpressionSyntax text && text.IsKind(SyntaxKind.StringLiteralExpression))
        {
            return text.Token.Value;
        }

        return value is LiteralExpressionSyntax literal && (literal.IsKind(SyntaxKind.StringLiteralExpression) || literal.IsKind(SyntaxKind.NumericLiteralExpression))
            ? literal.Token.Value
            : null;
    }

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }
}
