using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL004 fix: replaces the paged pool type with its nonpaged no-execute twin (<see cref="NonPagedTwin"/>),
/// keeping modifier flags. Where the type is written with enum members (<c>POOL_TYPE.PagedPool</c>,
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

    private protected override ImmutableArray<string> ActionKeys { get; } = [EquivalenceKey];

    private protected override string Title(FixPlan plan) => $"Use '{plan.TwinName}'";

    private protected override void Apply(DocumentEditor editor, FixPlan plan) => editor.ReplaceNode(plan.Target, plan.Replacement);

    private protected override FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string actionKey)
    {
        if (!diagnostic.Properties.ContainsKey(PagedPoolAtDispatchAnalyzer.PoolTypeArgumentProperty)
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax argument
            || model.GetTypeInfo(argument).Type is not INamedTypeSymbol { TypeKind: TypeKind.Enum } poolType
            || model.GetConstantValue(argument) is not { HasValue: true } constant
            || OperationExtensions.AsInt64(constant.Value) is not { } value)
        {
            return null;
        }

        if (poolType.Name == "POOL_FLAGS")
        {
            // POOL_FLAG_PAGED → POOL_FLAG_NON_PAGED (no-execute), every other flag kept.
            const long paged = (long)PoolFlagsValue.Paged;
            return ((ulong)value & PoolFlagsValue.PoolMask) == PoolFlagsValue.Paged
                ? RenamePagedMember(model, argument, poolType, ((long)PoolFlagsValue.NonPaged, NonPagedFlagName), paged)
                    ?? QualifiedFlags(argument, poolType, ((ulong)value & ~PoolFlagsValue.Paged) | PoolFlagsValue.NonPaged)
                : null;
        }

        if ((value & 1) == 0 || NonPagedTwin.For(value & PoolTypeValue.BaseTypeMask) is not { } twin)
        {
            return null;
        }

        return RenamePagedMember(model, argument, poolType, twin, PoolTypeValue.Paged)
            ?? QualifiedReplacement(argument, poolType, value, twin);
    }

    private const string NonPagedFlagName = "POOL_FLAG_NON_PAGED";

    /// <summary>
    /// Renames the one paged member of an OR of enum members (the one with <paramref name="pagedBit"/>), keeping how
    /// each is referenced. A POOL_TYPE member must carry no modifier bits; a POOL_FLAGS member must be exactly the flag.
    /// </summary>
    private static FixPlan? RenamePagedMember(SemanticModel model, ExpressionSyntax argument, INamedTypeSymbol poolType, (long Value, string Name) twin, long pagedBit)
    {
        var members = new List<SimpleNameSyntax>();
        if (!EnumMemberSyntax.TryCollect(model, argument, poolType, members))
        {
            return null;
        }

        SimpleNameSyntax? paged = null;
        foreach (SimpleNameSyntax member in members)
        {
            if (EnumMemberSyntax.Value(model, member, poolType) is { } v && (v & pagedBit) != 0)
            {
                bool exact = pagedBit == PoolTypeValue.Paged ? (v & ~PoolTypeValue.BaseTypeMask) == 0 : v == pagedBit;
                if (paged is not null || !exact)
                {
                    return null;
                }

                paged = member;
            }
        }

        return paged is not null && EnumMemberSyntax.Renamed(model, paged, poolType, twin.Name) is { } renamed
            ? new FixPlan(paged, renamed, twin.Name)
            : null;
    }

    /// <summary>Writes <c>POOL_TYPE.Twin | POOL_TYPE.Modifier…</c> for a type given any other way, e.g. <c>(POOL_TYPE)1</c>.</summary>
    private static FixPlan? QualifiedReplacement(ExpressionSyntax argument, INamedTypeSymbol poolType, long value, (long Value, string Name) twin)
    {
        long modifiers = value & ~PoolTypeValue.BaseTypeMask & ~twin.Value;
        var names = new List<string> { twin.Name };
        foreach ((long bit, string name) in PoolTypeValue.Modifiers)
        {
            if ((modifiers & bit) != 0)
            {
                names.Add(name);
                modifiers &= ~bit;
            }
        }

        return modifiers == 0 ? new FixPlan(argument, RuntimeSyntax.Members(poolType, names, qualified: true).WithTriviaFrom(argument), twin.Name) : null;
    }

    /// <summary>Writes POOL_FLAGS as qualified members, one per bit, for a value given any other way (<c>(POOL_FLAGS)0x100</c>); null when a bit has no name.</summary>
    private static FixPlan? QualifiedFlags(ExpressionSyntax argument, INamedTypeSymbol flagsType, ulong value)
    {
        var names = new List<string>();
        foreach ((ulong bit, string name) in PoolFlagsValue.Members)
        {
            if ((value & bit) != 0)
            {
                names.Add(name);
                value &= ~bit;
            }
        }

        return value == 0 && names.Count > 0
            ? new FixPlan(argument, RuntimeSyntax.Members(flagsType, names, qualified: true).WithTriviaFrom(argument), NonPagedFlagName)
            : null;
    }

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
