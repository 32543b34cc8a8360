using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL001 fix: <c>ExAllocatePool(type, n)</c> → <c>ExAllocatePoolWithTag(type, n, tag)</c> (and the quota
/// twin), keeping the arguments, the qualification and the trivia. The tag is chosen by
/// <see cref="PoolTagChoice"/>. Method-group references are left alone: their delegate type would change.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ObsoleteAllocationCodeFixProvider)), Shared]
public sealed class ObsoleteAllocationCodeFixProvider : PlannedCodeFixProvider<ObsoleteAllocationCodeFixProvider.FixPlan>
{
    /// <summary>The equivalence key of the one action this provider offers.</summary>
    public const string EquivalenceKey = "POOL001.UseTaggedRoutine";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ObsoleteAllocation);

    private protected override string ActionKey => EquivalenceKey;

    private protected override string Title(FixPlan plan) => $"Use '{plan.NewName}' with tag {plan.TagDescription}";

    // The callback sees the node as already rewritten by fixes nested inside it.
    private protected override void Apply(DocumentEditor editor, FixPlan plan)
        => editor.ReplaceNode(plan.Invocation, (current, _) => Rewrite((InvocationExpressionSyntax)current, plan));

    private protected override FixPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not SimpleNameSyntax name
            || InvocationOf(name) is not { } invocation
            || model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method
            || RuntimeRoutines.Find(method) is not { IsUntaggedAllocation: true, Replacement: { } newName } routine
            || RuntimeRoutines.Find(routine.Component, newName) is not { Tag: { } tagParameter })
        {
            return null;
        }

        ExpressionSyntax tag = PoolTagChoice.For(model, invocation.SpanStart, out string tagDescription);
        bool named = invocation.ArgumentList.Arguments.Any(a => a.NameColon is not null);
        var plan = new FixPlan(invocation, newName, tagParameter, tag, tagDescription, named);

        // Offer only a call that binds to the runtime's tagged routine from this very position.
        InvocationExpressionSyntax rewritten = Rewrite(invocation, plan);
        ISymbol? bound = model.GetSpeculativeSymbolInfo(invocation.SpanStart, rewritten, SpeculativeBindingOption.BindAsExpression).Symbol;
        return bound is IMethodSymbol target
            && target.Name == newName
            && SymbolEqualityComparer.Default.Equals(target.ContainingType, method.ContainingType)
            ? plan
            : null;
    }

    private static InvocationExpressionSyntax? InvocationOf(SimpleNameSyntax name) => name.Parent switch
    {
        InvocationExpressionSyntax invocation when invocation.Expression == name => invocation,
        MemberAccessExpressionSyntax memberAccess when memberAccess.Name == name
            && memberAccess.Parent is InvocationExpressionSyntax invocation
            && invocation.Expression == memberAccess => invocation,
        _ => null,
    };

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

    /// <summary>One call to rename, with the tag argument to add.</summary>
    public sealed class FixPlan
    {
        internal FixPlan(InvocationExpressionSyntax invocation, string newName, string tagParameter, ExpressionSyntax tag, string tagDescription, bool named)
        {
            Invocation = invocation;
            NewName = newName;
            TagParameter = tagParameter;
            Tag = tag;
            TagDescription = tagDescription;
            Named = named;
        }

        internal InvocationExpressionSyntax Invocation { get; }

        internal string NewName { get; }

        internal string TagParameter { get; }

        internal ExpressionSyntax Tag { get; }

        internal string TagDescription { get; }

        internal bool Named { get; }
    }
}
