using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// A fixer whose actions edit the document holding the diagnostic. A fix is planned first, from the
/// unchanged document, and an action is offered only when its plan exists, so an action never
/// appears that would do nothing; one-by-one fixes and Fix All run the same plans through one
/// editor, so they produce the same code. Each action has its own equivalence key, and Fix All
/// applies the plans of the key it was started with.
/// </summary>
/// <typeparam name="TPlan">What one diagnostic's fix will change, worked out before anything changes.</typeparam>
public abstract class PlannedCodeFixProvider<TPlan> : CodeFixProvider
    where TPlan : class
{
    private protected PlannedCodeFixProvider()
    {
    }

    /// <summary>
    /// The equivalence keys of the provider's actions, in the order they are offered. The first is the
    /// one <c>dotnet format</c> applies.
    /// </summary>
    private protected abstract ImmutableArray<string> ActionKeys { get; }

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
            foreach (string key in ActionKeys)
            {
                if (Plan(root, model, diagnostic, key) is not { } plan)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(
                        title: Title(plan),
                        createChangedDocument: ct => FixDocumentAsync(context.Document, new[] { diagnostic }, key, ct),
                        equivalenceKey: key),
                    diagnostic);
            }
        }
    }

    /// <summary>What the action with <paramref name="actionKey"/> changes for <paramref name="diagnostic"/>, or null when it does not apply (it is then not offered).</summary>
    private protected abstract TPlan? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string actionKey);

    /// <summary>The action's title for a plan.</summary>
    private protected abstract string Title(TPlan plan);

    /// <summary>Records the plan's change in <paramref name="editor"/>.</summary>
    private protected abstract void Apply(DocumentEditor editor, TPlan plan);

    private async Task<Document> FixDocumentAsync(Document document, IReadOnlyList<Diagnostic> diagnostics, string? actionKey, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || actionKey is null || !ActionKeys.Contains(actionKey))
        {
            return document;
        }

        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        bool changed = false;
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (Plan(root, model, diagnostic, actionKey) is { } plan)
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
