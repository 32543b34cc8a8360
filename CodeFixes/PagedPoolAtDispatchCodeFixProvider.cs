using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL004 fix: replaces the paged pool type with its nonpaged no-execute twin (<see cref="NonPagedTwin"/>),
/// keeping modifier flags, and <c>POOL_FLAG_PAGED</c> with <c>POOL_FLAG_NON_PAGED</c>, keeping the other flags. Where the type is written with enum members (<c>POOL_TYPE.PagedPool</c>,
/// <c>PagedPool | POOL_COLD_ALLOCATION</c> through <c>using static</c>) only the paged member is renamed,
/// so the way the enum is referenced stays; anything else (<c>(POOL_TYPE)1</c>) becomes qualified
/// <c>POOL_TYPE</c> members. Lookaside calls have no fix: the list itself must change.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PagedPoolAtDispatchCodeFixProvider)), Shared]
public sealed class PagedPoolAtDispatchCodeFixProvider : PlannedCodeFixProvider<PagedPoolAtDispatchCodeFixProvider.FixPlan>
{
    /// <summary>The equivalence key of the one action this provider offers.</summary>
    public const string EquivalenceKey = "POOL004.UseNonPagedPoolNx";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PagedPoolAtDispatch);

    private protected override string ActionKey => EquivalenceKey;

    private protected override string Title(FixPlan plan) => $"Use '{plan.TwinName}'";

    private protected override void Apply(DocumentEditor editor, FixPlan plan) => editor.ReplaceNode(plan.Target, plan.Replacement);

    private protected override FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (!diagnostic.Properties.ContainsKey(PagedPoolAtDispatchAnalyzer.PoolTypeArgumentProperty)
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax argument
            || model.GetTypeInfo(argument).Type is not INamedTypeSymbol { TypeKind: TypeKind.Enum } poolType
            || model.GetConstantValue(argument) is not { HasValue: true } constant
            || OperationExtensions.AsInt64(constant.Value) is not { } value)
        {
            return null;
        }

        if (poolType.Name == NonPagedTwin.PoolFlagsType)
        {
            return (value & NonPagedTwin.PoolFlagKinds) == NonPagedTwin.PoolFlagPaged
                ? RenamePagedMember(model, argument, poolType, (NonPagedTwin.PoolFlagNonPaged, NonPagedTwin.PoolFlagNonPagedName), NonPagedTwin.PoolFlagPaged)
                    ?? QualifiedFlags(argument, poolType, (value & ~NonPagedTwin.PoolFlagPaged) | NonPagedTwin.PoolFlagNonPaged)
                : null;
        }

        if ((value & 1) == 0 || NonPagedTwin.For(value & NonPagedTwin.BaseTypeMask) is not { } twin)
        {
            return null;
        }

        return RenamePagedMember(model, argument, poolType, twin, pagedBit: 1)
            ?? QualifiedReplacement(argument, poolType, value, twin);
    }

    /// <summary>
    /// Renames the one paged member of an OR of enum members (the one with <paramref name="pagedBit"/>), keeping
    /// how each is referenced. A POOL_TYPE member must carry no modifier bits; a POOL_FLAGS member must be exactly the flag.
    /// </summary>
    private static FixPlan? RenamePagedMember(SemanticModel model, ExpressionSyntax argument, INamedTypeSymbol poolType, (long Value, string Name) twin, long pagedBit)
    {
        var members = new List<SimpleNameSyntax>();
        if (!CollectMembers(model, argument, poolType, members))
        {
            return null;
        }

        SimpleNameSyntax? paged = null;
        foreach (SimpleNameSyntax member in members)
        {
            if (model.GetConstantValue(member.Parent is MemberAccessExpressionSyntax access && access.Name == member ? access : member) is { HasValue: true } c
                && OperationExtensions.AsInt64(c.Value) is { } v
                && (v & pagedBit) != 0)
            {
                bool exact = pagedBit == 1 ? (v & ~NonPagedTwin.BaseTypeMask) == 0 : v == pagedBit;
                if (paged is not null || !exact)
                {
                    return null;
                }

                paged = member;
            }
        }

        if (paged is null)
        {
            return null;
        }

        SimpleNameSyntax renamed = SyntaxFactory.IdentifierName(
            SyntaxFactory.Identifier(paged.Identifier.LeadingTrivia, twin.Name, paged.Identifier.TrailingTrivia));
        ExpressionSyntax speculative = paged.Parent is MemberAccessExpressionSyntax parentAccess && parentAccess.Name == paged
            ? parentAccess.WithName(renamed)
            : renamed;
        int position = paged.Parent is MemberAccessExpressionSyntax p && p.Name == paged ? p.SpanStart : paged.SpanStart;
        if (model.GetSpeculativeSymbolInfo(position, speculative, SpeculativeBindingOption.BindAsExpression).Symbol is not IFieldSymbol field
            || !SymbolEqualityComparer.Default.Equals(field.ContainingType, poolType))
        {
            return null;
        }

        return new FixPlan(paged, renamed, twin.Name);
    }

    private static bool CollectMembers(SemanticModel model, ExpressionSyntax expression, INamedTypeSymbol poolType, List<SimpleNameSyntax> members)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return CollectMembers(model, parenthesized.Expression, poolType, members);
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.BitwiseOrExpression):
                return CollectMembers(model, binary.Left, poolType, members) && CollectMembers(model, binary.Right, poolType, members);
            case MemberAccessExpressionSyntax or IdentifierNameSyntax when IsMemberOf(model, expression, poolType):
                members.Add(expression is MemberAccessExpressionSyntax access ? access.Name : (SimpleNameSyntax)expression);
                return true;
            default:
                return false;
        }
    }

    private static bool IsMemberOf(SemanticModel model, ExpressionSyntax expression, INamedTypeSymbol poolType)
        => model.GetSymbolInfo(expression).Symbol is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.ContainingType, poolType);

    /// <summary>Writes <c>POOL_TYPE.Twin | POOL_TYPE.Modifier…</c> for a type given any other way, e.g. <c>(POOL_TYPE)1</c>.</summary>
    private static FixPlan? QualifiedReplacement(ExpressionSyntax argument, INamedTypeSymbol poolType, long value, (long Value, string Name) twin)
    {
        long modifiers = value & ~NonPagedTwin.BaseTypeMask & ~twin.Value;
        ExpressionSyntax replacement = Member(poolType, twin.Name);
        foreach ((long bit, string name) in NonPagedTwin.Modifiers)
        {
            if ((modifiers & bit) != 0)
            {
                replacement = SyntaxFactory.BinaryExpression(SyntaxKind.BitwiseOrExpression, replacement, Member(poolType, name));
                modifiers &= ~bit;
            }
        }

        return modifiers == 0 ? new FixPlan(argument, replacement.WithTriviaFrom(argument), twin.Name) : null;
    }

    /// <summary>Writes POOL_FLAGS as qualified members, one per bit, for a value given any other way (<c>(POOL_FLAGS)0x100</c>); null when a bit has no member.</summary>
    private static FixPlan? QualifiedFlags(ExpressionSyntax argument, INamedTypeSymbol flagsType, long value)
    {
        ExpressionSyntax? replacement = null;
        for (int bit = 0; bit < 64; bit++)
        {
            long flag = unchecked(1L << bit);
            if ((value & flag) == 0)
            {
                continue;
            }

            if (NonPagedTwin.FlagName(flagsType, flag) is not { } name)
            {
                return null;
            }

            MemberAccessExpressionSyntax member = Member(flagsType, name);
            replacement = replacement is null ? member : SyntaxFactory.BinaryExpression(SyntaxKind.BitwiseOrExpression, replacement, member);
        }

        return replacement is null ? null : new FixPlan(argument, replacement.WithTriviaFrom(argument), NonPagedTwin.PoolFlagNonPagedName);
    }

    private static MemberAccessExpressionSyntax Member(INamedTypeSymbol poolType, string name)
        => SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            SyntaxFactory.ParseTypeName(poolType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.IdentifierName(name));

    /// <summary>The node to replace and its nonpaged replacement.</summary>
    public sealed class FixPlan
    {
        internal FixPlan(SyntaxNode target, SyntaxNode replacement, string twinName)
        {
            Target = target;
            Replacement = replacement;
            TwinName = twinName;
        }

        internal SyntaxNode Target { get; }

        internal SyntaxNode Replacement { get; }

        internal string TwinName { get; }
    }
}
