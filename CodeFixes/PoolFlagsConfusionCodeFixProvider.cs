using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL008 fix: a constant <c>POOL_TYPE</c> converted to <c>POOL_FLAGS</c> (<c>(POOL_FLAGS)NonPagedPoolNx</c>,
/// casts through integers included) is replaced by its exact translation (<see cref="PoolTypeTranslation"/>):
/// <c>POOL_FLAG_NON_PAGED</c>. The other POOL008 findings have no fix: an invalid flags value or a
/// pool-flags value read as a pool type says what is wrong, not what was meant.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PoolFlagsConfusionCodeFixProvider)), Shared]
public sealed class PoolFlagsConfusionCodeFixProvider : PlannedCodeFixProvider<PoolFlagsConfusionCodeFixProvider.FixPlan>
{
    /// <summary>The equivalence key of the one action this provider offers.</summary>
    public const string EquivalenceKey = "POOL008.TranslatePoolType";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PoolFlagsConfusion);

    private protected override ImmutableArray<string> ActionKeys { get; } = [EquivalenceKey];

    private protected override string Title(FixPlan plan) => $"Write '{plan.Flags}'";

    private protected override void Apply(DocumentEditor editor, FixPlan plan) => editor.ReplaceNode(plan.Conversion, plan.Replacement);

    private protected override FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string actionKey)
    {
        if (!diagnostic.Properties.ContainsKey(PoolFlagsConfusionAnalyzer.TranslatableProperty)
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not CastExpressionSyntax conversion
            || model.GetTypeInfo(conversion).Type is not INamedTypeSymbol poolFlags
            || !RuntimeSymbols.IsRuntimeType(poolFlags, "POOL_FLAGS")
            || !RuntimeSymbols.IsRuntimeType(model.GetTypeInfo(Operand(conversion)).Type, "POOL_TYPE")
            || model.GetConstantValue(Operand(conversion)) is not { HasValue: true } constant
            || OperationExtensions.AsInt64(constant.Value) is not { } poolType
            || PoolTypeTranslation.Translate(poolType, quota: false, out ulong flags) != TranslationProblem.None
            || PoolFlagsValue.Names(flags) is not { } names)
        {
            return null;
        }

        return new FixPlan(conversion, RuntimeSyntax.Members(poolFlags, names).WithTriviaFrom(conversion), string.Join(" | ", names));
    }

    /// <summary>The expression the casts start from: <c>NonPagedPoolNx</c> in <c>(POOL_FLAGS)(ulong)(NonPagedPoolNx)</c>.</summary>
    private static ExpressionSyntax Operand(CastExpressionSyntax conversion)
    {
        ExpressionSyntax current = conversion.Expression;
        while (current is CastExpressionSyntax or ParenthesizedExpressionSyntax)
        {
            current = current is CastExpressionSyntax cast ? cast.Expression : ((ParenthesizedExpressionSyntax)current).Expression;
        }

        return current;
    }

    /// <summary>The conversion to replace and the flags it becomes.</summary>
    public sealed class FixPlan
    {
        internal FixPlan(CastExpressionSyntax conversion, ExpressionSyntax replacement, string flags)
        {
            Conversion = conversion;
            Replacement = replacement;
            Flags = flags;
        }

        internal CastExpressionSyntax Conversion { get; }

        internal ExpressionSyntax Replacement { get; }

        internal string Flags { get; }
    }
}
