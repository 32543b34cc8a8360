using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL002: a constant converted to <c>PoolTag</c> that is not a valid pool tag.
/// </summary>
/// <remarks>
/// Every conversion to <c>PoolTag</c> is checked, wherever it happens (arguments, fields, locals,
/// returns, each branch of a conditional), against the kernel's tag rules: 1–4 printable ASCII
/// characters, not <c>"BIG "</c>, at least one letter or digit, not 0. An invalid text tag throws
/// at run time; the others bug-check in the kernel (BAD_POOL_CALLER 0x9B–0x9D).
/// Tag 0 passed to <c>ExFreePoolWithTag</c> means "no tag" and is allowed there. Where a tag is only
/// compared (an operand of <c>==</c>/<c>!=</c>, an argument of an <c>Equals</c> call), the rules that
/// only allocation enforces (0, <c>"BIG "</c>, no letter or digit) do not apply: <c>tag == (PoolTag)0u</c>
/// asks whether there is a tag. Values the conversion itself rejects are reported everywhere.
/// Flagged: <c>ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Frederick")</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvalidPoolTagAnalyzer : PoolAnalyzer
{
    /// <summary>The property that carries a deterministic replacement tag (the first four characters) to the code fix.</summary>
    public const string TruncatedTagProperty = "TruncatedTag";

    /// <summary>The POOL002 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.InvalidPoolTag,
        title: "Invalid pool tag",
        messageFormat: "Pool tag {0} is invalid: {1}",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A pool tag is 1 to 4 printable ASCII characters (0x20-0x7E) with at least one letter or digit; \"BIG \" and 0 are reserved. The runtime rejects invalid text and the kernel bug-checks on the rest.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.InvalidPoolTag));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => AnalyzeConversion(c, symbols), OperationKind.Conversion);
    }

    private static void AnalyzeConversion(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(conversion.Type, symbols.PoolTag))
        {
            return;
        }

        CheckValue(context, symbols, conversion, conversion.Operand);
    }

    /// <summary>Checks a constant, or each branch of a conditional or switch expression that yields the tag.</summary>
    private static void CheckValue(OperationAnalysisContext context, RuntimeSymbols symbols, IConversionOperation conversion, IOperation value)
    {
        if (value.ConstantValue.HasValue)
        {
            CheckConstant(context, symbols, conversion, value);
            return;
        }

        switch (value)
        {
            case IConditionalOperation { WhenFalse: not null } conditional:
                CheckValue(context, symbols, conversion, conditional.WhenTrue);
                CheckValue(context, symbols, conversion, conditional.WhenFalse);
                break;
            case ISwitchExpressionOperation switchExpression:
                foreach (ISwitchExpressionArmOperation arm in switchExpression.Arms)
                {
                    CheckValue(context, symbols, conversion, arm.Value);
                }

                break;
            case IConversionOperation { OperatorMethod: null, IsImplicit: true } inner:
                CheckValue(context, symbols, conversion, inner.Operand);
                break;
        }
    }

    private static void CheckConstant(OperationAnalysisContext context, RuntimeSymbols symbols, IConversionOperation conversion, IOperation value)
    {
        object? constant = value.ConstantValue.Value;
        if (constant is string || (constant is null && value.Type is null or { SpecialType: SpecialType.System_String }))
        {
            // A null constant only reaches PoolTag through the string conversion.
            string? text = (string?)constant;
            TagCheck check = PoolTagRules.Check(text);
            if (!check.IsValid && !(IsAllocationOnly(check.Problem) && IsComparedOperand(conversion)))
            {
                string? truncated = check.Problem == TagProblem.TooLong ? PoolTagRules.TruncatedTag(text!) : null;
                Report(context, value, check, text, truncated);
            }

            return;
        }

        if (OperationExtensions.AsInt64(constant) is { } number and >= 0 and <= uint.MaxValue)
        {
            uint tag = (uint)number;
            TagCheck check = PoolTagRules.Check(tag);
            if (!check.IsValid
                && !(tag == 0 && IsFreeTagArgument(symbols, conversion))
                && !(IsAllocationOnly(check.Problem) && IsComparedOperand(conversion)))
            {
                Report(context, value, check, tag, truncatedTag: null);
            }
        }
    }

    private static void Report(OperationAnalysisContext context, IOperation value, TagCheck check, object? constant, string? truncatedTag)
    {
        ImmutableDictionary<string, string?> properties = truncatedTag is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(TruncatedTagProperty, truncatedTag);

        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            value.Syntax.GetLocation(),
            properties,
            PoolTagRules.Display(constant),
            PoolTagRules.Describe(check, constant)));
    }

    /// <summary>
    /// True for the problems the <c>PoolTag</c> conversion accepts and only the allocation routines
    /// reject (the BAD_POOL_CALLER 0x9B–0x9D tags); a comparison with such a value is meaningful.
    /// </summary>
    private static bool IsAllocationOnly(TagProblem problem)
        => problem is TagProblem.Zero or TagProblem.Reserved or TagProblem.NoLetterOrDigit;

    /// <summary>True when the tag is an operand of an equality operator or an argument of an <c>Equals</c> call: compared, not used.</summary>
    private static bool IsComparedOperand(IConversionOperation conversion)
    {
        // Climb to the expression the tag flows into: through the branches of a conditional or switch
        // expression, and through the nullable conversion of a lifted comparison (PoolTag?).
        IOperation current = conversion;
        IOperation? parent = conversion.Parent;
        while (parent is IConversionOperation { IsImplicit: true, OperatorMethod: null }
            || (parent is IConditionalOperation conditional && current != conditional.Condition)
            || (parent is ISwitchExpressionArmOperation arm && current == arm.Value)
            || (parent is ISwitchExpressionOperation && current is ISwitchExpressionArmOperation))
        {
            current = parent;
            parent = parent.Parent;
        }

        return parent switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } => true,
            IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: nameof(Equals) } } => true,
            _ => false,
        };
    }

    /// <summary>True for the tag argument of a free routine (<c>ExFreePoolWithTag</c>), where 0 means "no tag".</summary>
    private static bool IsFreeTagArgument(RuntimeSymbols symbols, IConversionOperation conversion)
        => conversion.Parent is IArgumentOperation { Parameter.Name: { } parameter, Parent: IInvocationOperation invocation }
            && symbols.Classify(invocation.TargetMethod) is { Kind: RoutineKind.Free, Tag: { } tag }
            && parameter == tag;
}
