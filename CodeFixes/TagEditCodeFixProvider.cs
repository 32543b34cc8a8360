using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// A fixer that rewrites tags where they are written: a literal at the use, or the literal that
/// initializes a constant or <c>static readonly</c> field, which may sit in another document or project.
/// Each action is one <see cref="TagEdit"/>; Fix All gathers the edits of every diagnostic in scope
/// for the chosen key, makes them unique (several uses share one declaration) and applies them together,
/// so it gives what the one-by-one fixes give.
/// </summary>
public abstract class TagEditCodeFixProvider : CodeFixProvider
{
    private protected TagEditCodeFixProvider()
    {
    }

    /// <summary>The equivalence keys of the actions, with the title of each one's Fix All.</summary>
    private protected abstract ImmutableDictionary<string, string> FixAllTitles { get; }

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => new SolutionFixAll(this);

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        Solution solution = context.Document.Project.Solution;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            foreach (TagFix fix in await FixesForAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false))
            {
                context.RegisterCodeFix(CodeAction.Create(fix.Title, ct => ApplyAsync(solution, new[] { fix.Edit }, ct), fix.Key), diagnostic);
            }
        }
    }

    /// <summary>The actions for one diagnostic, in the order they are offered.</summary>
    private protected abstract Task<List<TagFix>> FixesForAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken);

    /// <summary>
    /// The edit of the literal that initializes <paramref name="symbol"/> — a constant, or a <c>static readonly</c>
    /// field — when it is declared by one text (or, for a number, numeric) literal in a document of
    /// <paramref name="solution"/>; the new tag comes from <paramref name="tagAt"/>, given the declaring document's model and the literal.
    /// </summary>
    private protected static async Task<TagEdit?> DeclarationEditAsync(Solution solution, ISymbol symbol, System.Func<SemanticModel, LiteralExpressionSyntax, string> tagAt, CancellationToken cancellationToken)
    {
        if (symbol is not (IFieldSymbol { IsConst: true } or ILocalSymbol { IsConst: true } or IFieldSymbol { IsStatic: true, IsReadOnly: true })
            || symbol.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        SyntaxReference reference = symbol.DeclaringSyntaxReferences[0];
        Document? declaring = solution.GetDocument(reference.SyntaxTree);
        if (declaring is null
            || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer }
            || Unparenthesized(initializer) is not LiteralExpressionSyntax literal
            || await declaring.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
        {
            return null;
        }

        bool text = literal.IsKind(SyntaxKind.StringLiteralExpression) || literal.IsKind(SyntaxKind.NullLiteralExpression);
        bool number = literal.IsKind(SyntaxKind.NumericLiteralExpression) && literal.Token.Value is uint or int;
        return text || number ? new TagEdit(declaring.Id, literal.Span, tagAt(model, literal), numeric: !text) : null;
    }

    private protected static ExpressionSyntax Unparenthesized(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    /// <summary>Applies the edits, each once, document by document.</summary>
    private static async Task<Solution> ApplyAsync(Solution solution, IEnumerable<TagEdit> edits, CancellationToken cancellationToken)
    {
        foreach (IGrouping<DocumentId, TagEdit> byDocument in edits.Distinct().GroupBy(e => e.Document))
        {
            Document? document = solution.GetDocument(byDocument.Key);
            if (document is null || await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
            {
                continue;
            }

            var replacements = new Dictionary<SyntaxNode, TagEdit>();
            foreach (TagEdit edit in byDocument)
            {
                SyntaxNode node = root.FindNode(edit.Span, getInnermostNodeForTie: true);
                if (node.Span == edit.Span && node is ExpressionSyntax && !replacements.ContainsKey(node))
                {
                    replacements.Add(node, edit);
                }
            }

            SyntaxNode newRoot = root.ReplaceNodes(replacements.Keys, (original, _) => replacements[original].Literal().WithTriviaFrom(original));
            solution = solution.WithDocumentSyntaxRoot(document.Id, newRoot);
        }

        return solution;
    }

    /// <summary>Replace the expression at <see cref="Span"/> of <see cref="Document"/> with the tag <see cref="Tag"/>, as text or as its ULONG.</summary>
    private protected sealed class TagEdit(DocumentId document, TextSpan span, string tag, bool numeric = false) : System.IEquatable<TagEdit>
    {
        public DocumentId Document { get; } = document;

        public TextSpan Span { get; } = span;

        public string Tag { get; } = tag;

        public bool Numeric { get; } = numeric;

        /// <summary><c>"Fred"</c>, or <c>0x64657246u</c> (the first character in the lowest byte, short tags padded with spaces).</summary>
        public LiteralExpressionSyntax Literal()
        {
            if (!Numeric)
            {
                return SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(Tag));
            }

            uint value = PoolTagRules.TagValue(Tag);
            return SyntaxFactory.LiteralExpression(
                SyntaxKind.NumericLiteralExpression,
                SyntaxFactory.Literal("0x" + value.ToString("X8", CultureInfo.InvariantCulture) + "u", value));
        }

        public bool Equals(TagEdit? other) => other is not null && Document == other.Document && Span == other.Span && Tag == other.Tag && Numeric == other.Numeric;

        public override bool Equals(object? obj) => Equals(obj as TagEdit);

        public override int GetHashCode() => (Document.GetHashCode() * 31) + Span.GetHashCode();
    }

    /// <summary>One action: its equivalence key, title and edit.</summary>
    private protected sealed class TagFix(string key, string title, TagEdit edit)
    {
        public string Key { get; } = key;

        public string Title { get; } = title;

        public TagEdit Edit { get; } = edit;
    }

    /// <summary>
    /// Fix All across documents: a constant's declaration may sit in another document (or project)
    /// than its uses, and several uses share one declaration, so the edits of every diagnostic in
    /// scope are gathered, made unique and applied together.
    /// </summary>
    private sealed class SolutionFixAll(TagEditCodeFixProvider fixer) : FixAllProvider
    {
        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
        {
            string? key = fixAllContext.CodeActionEquivalenceKey;
            if (key is null || !fixer.FixAllTitles.TryGetValue(key, out string? title))
            {
                return Task.FromResult<CodeAction?>(null);
            }

            return Task.FromResult<CodeAction?>(CodeAction.Create(title, ct => FixAllAsync(fixAllContext, key, ct), key));
        }

        private async Task<Solution> FixAllAsync(FixAllContext context, string key, CancellationToken cancellationToken)
        {
            var edits = new List<TagEdit>();
            foreach ((Document document, Diagnostic diagnostic) in await DiagnosticsInScopeAsync(context).ConfigureAwait(false))
            {
                foreach (TagFix fix in await fixer.FixesForAsync(document, diagnostic, cancellationToken).ConfigureAwait(false))
                {
                    if (fix.Key == key)
                    {
                        edits.Add(fix.Edit);
                    }
                }
            }

            return await ApplyAsync(context.Solution, edits, cancellationToken).ConfigureAwait(false);
        }

        private async Task<List<(Document Document, Diagnostic Diagnostic)>> DiagnosticsInScopeAsync(FixAllContext context)
        {
            var found = new List<(Document, Diagnostic)>();
            if (context.Scope == FixAllScope.Document)
            {
                if (context.Document is { } document)
                {
                    foreach (Diagnostic diagnostic in await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false))
                    {
                        if (fixer.FixableDiagnosticIds.Contains(diagnostic.Id))
                        {
                            found.Add((document, diagnostic));
                        }
                    }
                }

                return found;
            }

            IEnumerable<Project> projects = context.Scope == FixAllScope.Project ? new[] { context.Project } : context.Solution.Projects;
            foreach (Project project in projects)
            {
                foreach (Diagnostic diagnostic in await context.GetAllDiagnosticsAsync(project).ConfigureAwait(false))
                {
                    if (fixer.FixableDiagnosticIds.Contains(diagnostic.Id)
                        && diagnostic.Location.IsInSource
                        && project.GetDocument(diagnostic.Location.SourceTree) is { } document)
                    {
                        found.Add((document, diagnostic));
                    }
                }
            }

            return found;
        }
    }
}
