using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL006 fix: no-execute pool. A pool type written with members gets its executable member renamed
/// to the NX twin (<c>NonPagedPool</c> → <c>NonPagedPoolNx</c>, <c>NonPagedPoolCacheAligned</c> →
/// <c>NonPagedPoolNxCacheAligned</c>, <c>NonPagedPoolSession</c> → <c>NonPagedPoolSessionNx</c>), the
/// modifiers and how the enum is referenced kept; <c>POOL_FLAG_NON_PAGED_EXECUTE</c> becomes
/// <c>POOL_FLAG_NON_PAGED</c>. Any other constant form (a cast, a type without an NX member) is
/// written out as members with the NX bit. A lookaside initializer's <c>Flags</c> get
/// <c>| (uint)POOL_NX_ALLOCATION</c> (a literal 0 is replaced).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ExecutablePoolCodeFixProvider)), Shared]
public sealed class ExecutablePoolCodeFixProvider : PlannedCodeFixProvider<ExecutablePoolCodeFixProvider.FixPlan>
{
    /// <summary>The equivalence key of the one action this provider offers.</summary>
    public const string EquivalenceKey = "POOL006.UseNoExecutePool";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ExecutablePool);

    private protected override ImmutableArray<string> ActionKeys { get; } = [EquivalenceKey];

    private protected override string Title(FixPlan plan) => plan.Title;

    private protected override void Apply(DocumentEditor editor, FixPlan plan) => editor.ReplaceNode(plan.Target, plan.Replacement);

    private protected override FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string actionKey)
    {
        if (!diagnostic.Properties.TryGetValue(ExecutablePoolAnalyzer.FixProperty, out string? fix)
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax argument
            || argument.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } }
            || model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol { ContainingType: { } component }
            || model.GetConstantValue(argument) is not { HasValue: true } constant
            || OperationExtensions.AsInt64(constant.Value) is not { } value)
        {
            return null;
        }

        return fix switch
        {
            ExecutablePoolAnalyzer.PoolTypeFix when model.GetTypeInfo(argument).Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } poolType
                && PoolTypeValue.IsExecutableNonPaged(value) => PoolTypePlan(model, argument, poolType, value),
            ExecutablePoolAnalyzer.PoolFlagsFix when model.GetTypeInfo(argument).Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } poolFlags
                && ((ulong)value & PoolFlagsValue.PoolMask) == PoolFlagsValue.NonPagedExecute => PoolFlagsPlan(model, argument, poolFlags, (ulong)value),
            ExecutablePoolAnalyzer.TypeModifiersFix when (value & PoolTypeValue.NoExecute) == 0
                && RuntimeSyntax.SiblingType(component, "POOL_TYPE") is { } poolType => TypeModifiersPlan(argument, poolType),
            _ => null,
        };
    }

    private static FixPlan? PoolTypePlan(SemanticModel model, ExpressionSyntax argument, INamedTypeSymbol poolType, long value)
    {
        // NonPagedPool | POOL_COLD_ALLOCATION → NonPagedPoolNx | POOL_COLD_ALLOCATION: rename the one base member that has an NX twin.
        var members = new List<SimpleNameSyntax>();
        if (EnumMemberSyntax.TryCollect(model, argument, poolType, members))
        {
            SimpleNameSyntax? executable = null;
            string? twin = null;
            foreach (SimpleNameSyntax member in members)
            {
                if (EnumMemberSyntax.Value(model, member, poolType) is { } v
                    && (v & ~PoolTypeValue.BaseTypeMask) == 0
                    && PoolTypeValue.NoExecuteName(v) is { } name)
                {
                    if (executable is not null)
                    {
                        executable = null;
                        break;
                    }

                    (executable, twin) = (member, name);
                }
            }

            if (executable is not null && EnumMemberSyntax.Renamed(model, executable, poolType, twin!) is { } renamed)
            {
                return new FixPlan(executable, renamed, $"Use '{twin}'");
            }
        }

        return PoolTypeValue.Names(value | PoolTypeValue.NoExecute) is { } names
            ? new FixPlan(argument, RuntimeSyntax.Members(poolType, names).WithTriviaFrom(argument), $"Use '{string.Join(" | ", names)}'")
            : null;
    }

    private static FixPlan? PoolFlagsPlan(SemanticModel model, ExpressionSyntax argument, INamedTypeSymbol poolFlags, ulong value)
    {
        const string NonPaged = "POOL_FLAG_NON_PAGED";
        var members = new List<SimpleNameSyntax>();
        if (EnumMemberSyntax.TryCollect(model, argument, poolFlags, members))
        {
            foreach (SimpleNameSyntax member in members)
            {
                if (EnumMemberSyntax.Value(model, member, poolFlags) is { } v && (ulong)v == PoolFlagsValue.NonPagedExecute
                    && EnumMemberSyntax.Renamed(model, member, poolFlags, NonPaged) is { } renamed)
                {
                    return new FixPlan(member, renamed, $"Use '{NonPaged}'");
                }
            }
        }

        ulong noExecute = (value & ~PoolFlagsValue.NonPagedExecute) | PoolFlagsValue.NonPaged;
        return PoolFlagsValue.Names(noExecute) is { } names
            ? new FixPlan(argument, RuntimeSyntax.Members(poolFlags, names).WithTriviaFrom(argument), $"Use '{string.Join(" | ", names)}'")
            : null;
    }

    /// <summary><c>0</c> → <c>(uint)POOL_NX_ALLOCATION</c>; anything else → <c>flags | (uint)POOL_NX_ALLOCATION</c>.</summary>
    private static FixPlan TypeModifiersPlan(ExpressionSyntax argument, INamedTypeSymbol poolType)
    {
        ExpressionSyntax noExecute = SyntaxFactory.CastExpression(
            SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.UIntKeyword)),
            RuntimeSyntax.Member(poolType, "POOL_NX_ALLOCATION"));
        ExpressionSyntax replacement = argument is LiteralExpressionSyntax { Token.Value: 0 or 0u }
            ? noExecute
            : SyntaxFactory.BinaryExpression(
                SyntaxKind.BitwiseOrExpression,
                SyntaxFactory.ParenthesizedExpression(argument.WithoutTrivia()).WithAdditionalAnnotations(Simplifier.Annotation),
                noExecute);
        return new FixPlan(argument, replacement.WithTriviaFrom(argument), "Add 'POOL_NX_ALLOCATION' to Flags");
    }

    /// <summary>The node to replace and its no-execute replacement.</summary>
    public sealed class FixPlan
    {
        internal FixPlan(SyntaxNode target, SyntaxNode replacement, string title)
        {
            Target = target;
            Replacement = replacement;
            Title = title;
        }

        internal SyntaxNode Target { get; }

        internal SyntaxNode Replacement { get; }

        internal string Title { get; }
    }
}
