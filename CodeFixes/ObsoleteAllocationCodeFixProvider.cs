using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL001 fix, two actions. The first, <see cref="EquivalenceKey"/>: <c>ExAllocatePool(type, n)</c> →
/// <c>ExAllocatePoolWithTag(type, n, tag)</c> (and the quota twin), keeping the arguments, the
/// qualification and the trivia. The second, <see cref="ModernEquivalenceKey"/>: straight to
/// <c>ExAllocatePool2(flags, n, tag)</c> with the exact translation of <see cref="ModernAllocationRewrite"/>.
/// Both choose the tag with <see cref="PoolTagChoice"/>. Method-group references are left alone: their
/// delegate type would change.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ObsoleteAllocationCodeFixProvider)), Shared]
public sealed class ObsoleteAllocationCodeFixProvider : PlannedCodeFixProvider<ObsoleteAllocationCodeFixProvider.FixPlan>
{
    /// <summary>The equivalence key of the action that moves to the tagged routine (the one <c>dotnet format</c> applies).</summary>
    public const string EquivalenceKey = "POOL001.UseTaggedRoutine";

    /// <summary>The equivalence key of the action that moves to <c>ExAllocatePool2</c>.</summary>
    public const string ModernEquivalenceKey = "POOL001.UseExAllocatePool2";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ObsoleteAllocation);

    private protected override ImmutableArray<string> ActionKeys { get; } = [EquivalenceKey, ModernEquivalenceKey];

    private protected override string Title(FixPlan plan) => plan.Modern?.Title ?? $"Use '{plan.NewName}' with tag {plan.TagDescription}";

    private protected override void Apply(DocumentEditor editor, FixPlan plan)
    {
        if (plan.Modern is { } modern)
        {
            modern.Apply(editor);
            return;
        }

        // The callback sees the node as already rewritten by fixes nested inside it.
        editor.ReplaceNode(plan.Invocation, (current, _) => Rewrite((InvocationExpressionSyntax)current, plan));
    }

    private protected override FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string actionKey)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not SimpleNameSyntax name
            || CallSyntax.InvocationOf(name) is not { } invocation
            || model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method
            || RuntimeRoutines.Find(method) is not { IsUntaggedAllocation: true, Replacement: { } newName } routine
            || RuntimeRoutines.Find(routine.Component, newName) is not { Tag: { } tagParameter })
        {
            return null;
        }

        ExpressionSyntax tag = PoolTagChoice.For(model, invocation.SpanStart, out string tagDescription);
        if (actionKey == ModernEquivalenceKey)
        {
            return ModernAllocationRewrite.Plan(model, invocation, tag, tagDescription) is { } modern
                ? new FixPlan(invocation, modern.Title, tagParameter, tag, tagDescription, named: false, modern)
                : null;
        }

        bool named = invocation.ArgumentList.Arguments.Any(a => a.NameColon is not null);
        var plan = new FixPlan(invocation, newName, tagParameter, tag, tagDescription, named, modern: null);

        // Offer only a call that binds to the runtime's tagged routine from this very position.
        InvocationExpressionSyntax rewritten = Rewrite(invocation, plan);
        ISymbol? bound = model.GetSpeculativeSymbolInfo(invocation.SpanStart, rewritten, SpeculativeBindingOption.BindAsExpression).Symbol;
        return bound is IMethodSymbol target
            && target.Name == newName
            && SymbolEqualityComparer.Default.Equals(target.ContainingType, method.ContainingType)
            ? plan
            : null;
    }

    private static InvocationExpressionSyntax Rewrite(InvocationExpressionSyntax invocation, FixPlan plan)
    {
        ExpressionSyntax expression = invocation.Expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.WithName(Renamed(memberAccess.Name, plan.NewName)),
            SimpleNameSyntax simple => Renamed(simple, plan.NewName),
            var other => other,
        };

        ArgumentSyntax tagArgument = SyntaxFactory.Argument(plan.Tag);
        if (plan.Named)
        {
            tagArgument = tagArgument.WithNameColon(SyntaxFactory.NameColon(plan.TagParameter));
        }

        return invocation
            .WithExpression(expression)
            .WithArgumentList(invocation.ArgumentList.AddArguments(tagArgument.WithAdditionalAnnotations(Formatter.Annotation)));
    }

    private static SimpleNameSyntax Renamed(SimpleNameSyntax name, string newName)
        => SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(name.Identifier.LeadingTrivia, newName, name.Identifier.TrailingTrivia));

    /// <summary>One call to rename, with the tag argument to add; or, for the second action, the move to the modern routine.</summary>
    public sealed class FixPlan
    {
        internal FixPlan(InvocationExpressionSyntax invocation, string newName, string tagParameter, ExpressionSyntax tag, string tagDescription, bool named, ModernAllocationPlan? modern)
        {
            Invocation = invocation;
            NewName = newName;
            TagParameter = tagParameter;
            Tag = tag;
            TagDescription = tagDescription;
            Named = named;
            Modern = modern;
        }

        internal InvocationExpressionSyntax Invocation { get; }

        internal string NewName { get; }

        internal string TagParameter { get; }

        internal ExpressionSyntax Tag { get; }

        internal string TagDescription { get; }

        internal bool Named { get; }

        internal ModernAllocationPlan? Modern { get; }
    }
}
