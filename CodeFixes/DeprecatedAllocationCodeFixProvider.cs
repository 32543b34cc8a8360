using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL007 fix: <c>ExAllocatePoolWithTag(NonPagedPoolNx, n, tag)</c> → <c>ExAllocatePool2(POOL_FLAG_NON_PAGED, n, tag)</c>,
/// the quota and priority routines likewise, with the exact translation of <see cref="ModernAllocationRewrite"/>
/// and without a <see cref="RedundantZeroing"/> that follows. No fix where the pool type is not a
/// constant or has no translation (must succeed), nor for method-group references.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeprecatedAllocationCodeFixProvider)), Shared]
public sealed class DeprecatedAllocationCodeFixProvider : PlannedCodeFixProvider<ModernAllocationPlan>
{
    /// <summary>The equivalence key of the one action this provider offers.</summary>
    public const string EquivalenceKey = "POOL007.UseExAllocatePool2";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DeprecatedAllocation);

    private protected override ImmutableArray<string> ActionKeys { get; } = [EquivalenceKey];

    private protected override string Title(ModernAllocationPlan plan) => plan.Title;

    private protected override void Apply(DocumentEditor editor, ModernAllocationPlan plan) => plan.Apply(editor);

    private protected override ModernAllocationPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string actionKey)
        => root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is SimpleNameSyntax name && CallSyntax.InvocationOf(name) is { } invocation
            ? ModernAllocationRewrite.Plan(model, invocation)
            : null;
}
