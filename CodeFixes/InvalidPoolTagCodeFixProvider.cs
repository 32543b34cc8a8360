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
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL002 fix: writes a valid tag — the first four characters of a too-long tag when those are a
/// valid tag that is not a default tag, otherwise the <see cref="DerivedPoolTag"/> of the code where
/// the tag is written.
/// </summary>
/// <remarks>
/// <para>An invalid literal is replaced. A named constant, reported where it becomes a tag, is fixed
/// where it is written: "Change 'Name' to "Fred"" rewrites the literal that initializes a text
/// constant declared in this solution (never one from metadata). Both share <see cref="EquivalenceKey"/>,
/// so Fix All corrects every invalid tag where it is written. A second action, "Use pool tag "Fred"
/// here" (<see cref="UseLiteralEquivalenceKey"/>), replaces the use of any constant with a literal and
/// leaves the constant alone.</para>
/// <para>A numeric literal or constant is replaced only where it becomes a <c>PoolTag</c> directly,
/// so the text literal keeps compiling; a numeric constant keeps its declaration (its other uses may
/// compare with it, where 0 means "no tag", and text cannot be assigned to it). A numeric tag with
/// <c>PROTECTED_POOL</c> gets no fix: text cannot carry the bit, and dropping it would change how
/// the block must be freed.</para>
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InvalidPoolTagCodeFixProvider)), Shared]
public sealed class InvalidPoolTagCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of the fix that corrects the tag where it is written: the literal, or the constant's declaration.</summary>
    public const string EquivalenceKey = "POOL002.ReplaceTag";

    /// <summary>The equivalence key of the fix that replaces the use of a named constant with a literal.</summary>
    public const string UseLiteralEquivalenceKey = "POOL002.UseLiteralForConstant";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidPoolTag);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => SolutionFixAll.Instance;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            foreach (TagFix fix in await FixesForAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false))
            {
                Solution solution = context.Document.Project.Solution;
                context.RegisterCodeFix(
                    CodeAction.Create(fix.Title, ct => ApplyAsync(solution, new[] { fix.Edit }, ct), fix.Key),
                    diagnostic);
            }
        }
    }

    /// <summary>The actions for one diagnostic, in the order they are offered.</summary>
    private static async Task<List<TagFix>> FixesForAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var fixes = new List<TagFix>(2);
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null
            || model is null
            || !diagnostic.Location.IsInSource
            || diagnostic.Location.SourceTree != root.SyntaxTree
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax value
            || IsProtectedNumber(model.GetConstantValue(value, cancellationToken)))
        {
            return fixes;
        }

        diagnostic.Properties.TryGetValue(InvalidPoolTagAnalyzer.TruncatedTagProperty, out string? truncated);
        if (value is LiteralExpressionSyntax literal)
        {
            // A null literal only reaches PoolTag through the string conversion, so text replaces it safely.
            bool isText = literal.IsKind(SyntaxKind.StringLiteralExpression) || literal.IsKind(SyntaxKind.NullLiteralExpression);
            if (isText || (literal.IsKind(SyntaxKind.NumericLiteralExpression) && IsConvertedToPoolTagDirectly(model, literal)))
            {
                string tag = truncated ?? PoolTagChoice.DerivedAt(model, literal.SpanStart);
                fixes.Add(new TagFix(EquivalenceKey, $"Use pool tag \"{tag}\"", new TagEdit(document.Id, literal.Span, tag)));
            }

            return fixes;
        }

        if (model.GetSymbolInfo(value, cancellationToken).Symbol is not { } symbol || ConstantType(symbol) is not { } type)
        {
            return fixes;
        }

        bool isTextConstant = type.SpecialType == SpecialType.System_String;
        if (isTextConstant && await DeclarationEditAsync(document.Project.Solution, symbol, truncated, cancellationToken).ConfigureAwait(false) is { } declaration)
        {
            fixes.Add(new TagFix(EquivalenceKey, $"Change '{symbol.Name}' to \"{declaration.Tag}\"", declaration));
        }

        if (isTextConstant || IsConvertedToPoolTagDirectly(model, value))
        {
            string tag = truncated ?? PoolTagChoice.DerivedAt(model, value.SpanStart);
            fixes.Add(new TagFix(UseLiteralEquivalenceKey, $"Use pool tag \"{tag}\" here", new TagEdit(document.Id, value.Span, tag)));
        }

        return fixes;
    }

    /// <summary>The type of a constant field or local, or null for anything else.</summary>
    private static ITypeSymbol? ConstantType(ISymbol symbol) => symbol switch
    {
        IFieldSymbol { IsConst: true } field => field.Type,
        ILocalSymbol { IsConst: true } local => local.Type,
        _ => null,
    };

    /// <summary>The edit of the literal that initializes <paramref name="constant"/>, when it is declared by a literal in a document of <paramref name="solution"/>.</summary>
    private static async Task<TagEdit?> DeclarationEditAsync(Solution solution, ISymbol constant, string? truncated, CancellationToken cancellationToken)
    {
        if (constant.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        SyntaxReference reference = constant.DeclaringSyntaxReferences[0];
        Document? declaring = solution.GetDocument(reference.SyntaxTree);
        if (declaring is null
            || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not VariableDeclaratorSyntax { Initializer.Value: LiteralExpressionSyntax literal }
            || !(literal.IsKind(SyntaxKind.StringLiteralExpression) || literal.IsKind(SyntaxKind.NullLiteralExpression))
            || await declaring.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
        {
            return null;
        }

        return new TagEdit(declaring.Id, literal.Span, truncated ?? PoolTagChoice.DerivedAt(model, literal.SpanStart));
    }

    private static bool IsProtectedNumber(Optional<object?> constant)
        => constant.HasValue
            && OperationExtensions.AsInt64(constant.Value) is { } number
            && (number & PoolTagRules.ProtectedPool) != 0;

    /// <summary>True when the value itself (through parentheses) is what becomes a <c>PoolTag</c>, not a branch of a numeric conditional.</summary>
    private static bool IsConvertedToPoolTagDirectly(SemanticModel model, ExpressionSyntax value)
    {
        ExpressionSyntax outer = value;
        while (outer.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            outer = parenthesized;
        }

        return IsPoolTag(model.GetTypeInfo(outer).ConvertedType)
            || (outer.Parent is CastExpressionSyntax cast && IsPoolTag(model.GetTypeInfo(cast).Type));
    }

    private static bool IsPoolTag(ITypeSymbol? type) => RuntimeSymbols.IsRuntimeType(type, "PoolTag");

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

            var replacements = new Dictionary<SyntaxNode, string>();
            foreach (TagEdit edit in byDocument)
            {
                SyntaxNode node = root.FindNode(edit.Span, getInnermostNodeForTie: true);
                if (node.Span == edit.Span && node is ExpressionSyntax && !replacements.ContainsKey(node))
                {
                    replacements.Add(node, edit.Tag);
                }
            }

            SyntaxNode newRoot = root.ReplaceNodes(
                replacements.Keys,
                (original, _) => SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(replacements[original]))
                    .WithTriviaFrom(original));
            solution = solution.WithDocumentSyntaxRoot(document.Id, newRoot);
        }

        return solution;
    }

    /// <summary>Replace the expression at <see cref="Span"/> of <see cref="Document"/> with the text literal <see cref="Tag"/>.</summary>
    private sealed class TagEdit(DocumentId document, TextSpan span, string tag) : System.IEquatable<TagEdit>
    {
        public DocumentId Document { get; } = document;

        public TextSpan Span { get; } = span;

        public string Tag { get; } = tag;

        public bool Equals(TagEdit? other) => other is not null && Document == other.Document && Span == other.Span && Tag == other.Tag;

        public override bool Equals(object? obj) => Equals(obj as TagEdit);

        public override int GetHashCode() => (Document.GetHashCode() * 31) + Span.GetHashCode();
    }

    private sealed class TagFix(string key, string title, TagEdit edit)
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
    private sealed class SolutionFixAll : FixAllProvider
    {
        public static readonly SolutionFixAll Instance = new();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
        {
            string? key = fixAllContext.CodeActionEquivalenceKey;
            if (key is not (EquivalenceKey or UseLiteralEquivalenceKey))
            {
                return Task.FromResult<CodeAction?>(null);
            }

            return Task.FromResult<CodeAction?>(CodeAction.Create(
                key == EquivalenceKey ? "Fix invalid pool tags" : "Use pool tag literals for invalid constants",
                ct => FixAllAsync(fixAllContext, key, ct),
                key));
        }

        private static async Task<Solution> FixAllAsync(FixAllContext context, string key, CancellationToken cancellationToken)
        {
            var edits = new List<TagEdit>();
            foreach ((Document document, Diagnostic diagnostic) in await DiagnosticsInScopeAsync(context).ConfigureAwait(false))
            {
                foreach (TagFix fix in await FixesForAsync(document, diagnostic, cancellationToken).ConfigureAwait(false))
                {
                    if (fix.Key == key)
                    {
                        edits.Add(fix.Edit);
                    }
                }
            }

            return await ApplyAsync(context.Solution, edits, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<List<(Document Document, Diagnostic Diagnostic)>> DiagnosticsInScopeAsync(FixAllContext context)
        {
            var found = new List<(Document, Diagnostic)>();
            if (context.Scope == FixAllScope.Document)
            {
                if (context.Document is { } document)
                {
                    foreach (Diagnostic diagnostic in await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false))
                    {
                        if (diagnostic.Id == DiagnosticIds.InvalidPoolTag)
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
                    if (diagnostic.Id == DiagnosticIds.InvalidPoolTag
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
