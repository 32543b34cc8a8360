using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PoolAnalyzers.Test.VerifierTests;

/// <summary>
/// Offers two actions for TEST001: call <c>Modern</c> (key <c>UseModern</c>) or call
/// <c>Current</c> (key <c>UseCurrent</c>), by renaming the invoked identifier.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public class RenameLegacyCallFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => [TestDescriptors.LegacyCall.Id];

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax name })
        {
            return;
        }

        foreach (var (replacement, key) in Replacements)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Call {replacement}",
                    ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(name, Rename(name, replacement)))),
                    key),
                context.Diagnostics);
        }
    }

    protected virtual (string Replacement, string Key)[] Replacements => [("Modern", "UseModern"), ("Current", "UseCurrent")];

    private static IdentifierNameSyntax Rename(IdentifierNameSyntax name, string replacement) =>
        name.WithIdentifier(SyntaxFactory.Identifier(name.Identifier.LeadingTrivia, replacement, name.Identifier.TrailingTrivia));
}

/// <summary>Renames to a method that does not exist, so the fixed code does not compile.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NonCompilingFix : RenameLegacyCallFix
{
    protected override (string Replacement, string Key)[] Replacements => [("Missing", "UseMissing")];
}

/// <summary>A correct fix that does not support Fix All: the verifier must reject it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NoFixAllFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => null;
}

/// <summary>Registers an action that changes nothing, so its diagnostic never goes away.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NoOpFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => [TestDescriptors.LegacyCall.Id];

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        context.RegisterCodeFix(
            CodeAction.Create("Do nothing", (CancellationToken _) => Task.FromResult(context.Document), "DoNothing"),
            context.Diagnostics);
        return Task.CompletedTask;
    }
}

/// <summary>Throws while registering, the way a fixer meeting unexpected syntax might.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class ThrowingFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => [TestDescriptors.LegacyCall.Id];

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        throw new System.InvalidOperationException("Deliberate failure while registering");
}
