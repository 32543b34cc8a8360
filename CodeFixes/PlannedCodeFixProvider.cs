using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// A fixer with one action that edits the document holding the diagnostic. A fix is planned first,
/// from the unchanged document, and offered only when a plan exists, so an action never appears that
/// would do nothing; one-by-one fixes and Fix All run the same plans through one editor, so they
/// produce the same code.
/// </summary>
/// <typeparam name="TPlan">What one diagnostic's fix will change, worked out before anything changes.</typeparam>
public abstract class PlannedCodeFixProvider<TPlan> : CodeFixProvider
    where TPlan : class
{
    private protected PlannedCodeFixProvider()
    {
    }

    /// <summary>The equivalence key of the provider's one action.</summary>
    private protected abstract string ActionKey { get; }

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => FixAllProviders.ForDocuments(FixDocumentAsync);

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Plan(root, model, diagnostic) is not { } plan)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    title: Title(plan),
                    createChangedDocument: ct => FixDocumentAsync(context.Document, new[] { diagnostic }, ct),
                    equivalenceKey: ActionKey),
                diagnostic);
        }
    }

    /// <summary>The fix for <paramref name="diagnostic"/>, or null when none applies (the action is then not offered).</summary>
    private protected abstract TPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic);

    /// <summary>The action's title for a plan.</summary>
    private protected abstract string Title(TPlan plan);

    /// <summary>Records the plan's change in <paramref name="editor"/>.</summary>
    private protected abstract void Apply(DocumentEditor editor, TPlan plan);

    private async Task<Document> FixDocumentAsync(Document document, IReadOnlyList<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        bool changed = false;
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (Plan(root, model, diagnostic) is { } plan)
            {
                Apply(editor, plan);
                changed = true;
            }
        }

        return changed
            ? await DocumentCleanup.SimplifyAndFormatAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false)
            : document;
    }
}
