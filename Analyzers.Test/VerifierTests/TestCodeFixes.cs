using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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

/// <summary>A correct one-by-one fix whose Fix All fixes only the first diagnostic of the document it starts from.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class TriggerOnlyFixAllFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => new TriggerOnlyFixAllProvider();

    private sealed class TriggerOnlyFixAllProvider : FixAllProvider
    {
        public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
        {
            var document = fixAllContext.Document!;
            var diagnostics = await fixAllContext.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false);
            var first = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).First();
            CodeAction? chosen = null;
            await fixAllContext.CodeFixProvider.RegisterCodeFixesAsync(new CodeFixContext(
                document,
                first,
                (action, _) => chosen ??= action.EquivalenceKey == fixAllContext.CodeActionEquivalenceKey ? action : null,
                fixAllContext.CancellationToken)).ConfigureAwait(false);
            return chosen;
        }
    }
}

/// <summary>A correct one-by-one fix whose Fix All returns an action that changes nothing.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NoOpFixAllFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => new NoOpFixAllProvider();

    private sealed class NoOpFixAllProvider : FixAllProvider
    {
        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext) =>
            Task.FromResult<CodeAction?>(CodeAction.Create(
                "Fix nothing",
                (CancellationToken _) => Task.FromResult(fixAllContext.Solution),
                fixAllContext.CodeActionEquivalenceKey));
    }
}

/// <summary>A correct fix whose Fix All provider supports document and project scope only.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NoSolutionScopeFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => new DocumentAndProjectOnly();

    private sealed class DocumentAndProjectOnly : FixAllProvider
    {
        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => [FixAllScope.Document, FixAllScope.Project];

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext) => WellKnownFixAllProviders.BatchFixer.GetFixAsync(fixAllContext);
    }
}

/// <summary>A correct one-by-one fix whose Fix All renames every legacy call to a method that does not exist.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NonCompilingFixAllFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => FixAllProvider.Create(async (context, document, diagnostics) =>
    {
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var names = diagnostics
            .Select(d => root!.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true))
            .OfType<InvocationExpressionSyntax>()
            .Select(i => i.Expression)
            .OfType<IdentifierNameSyntax>();
        return document.WithSyntaxRoot(root!.ReplaceNodes(names, (name, _) => SyntaxFactory.IdentifierName("Missing").WithTriviaFrom(name)));
    });
}

/// <summary>A correct one-by-one fix whose Fix All provider throws.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class ThrowingFixAllFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => FixAllProvider.Create(
        (_, _, _) => throw new System.InvalidOperationException("Deliberate failure in Fix All"));
}
