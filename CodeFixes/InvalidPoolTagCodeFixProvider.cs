using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL002 fix: replaces an invalid tag literal with a valid one — the first four characters of a
/// too-long tag when those are valid, otherwise the <see cref="DerivedPoolTag"/> of the containing
/// type. Only literals are rewritten (a named constant is fixed where it is declared); a numeric
/// literal only where it is converted to <c>PoolTag</c> directly, so the text literal keeps compiling.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InvalidPoolTagCodeFixProvider)), Shared]
public sealed class InvalidPoolTagCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of the one action this provider offers.</summary>
    public const string EquivalenceKey = "POOL002.ReplaceTag";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidPoolTag);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProviders.ForDocuments(FixDocumentAsync);

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
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
                    title: $"Use pool tag \"{plan.Tag}\"",
                    createChangedDocument: ct => FixDocumentAsync(context.Document, new[] { diagnostic }, ct),
                    equivalenceKey: EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> FixDocumentAsync(Document document, IReadOnlyList<Diagnostic> diagnostics, CancellationToken cancellationToken)
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
                editor.ReplaceNode(plan.Literal, NewLiteral(plan));
                changed = true;
            }
        }

        return changed ? editor.GetChangedDocument() : document;
    }

    private static (LiteralExpressionSyntax Literal, string Tag)? Plan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic)
    {
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal)
        {
            return null;
        }

        // A null literal only reaches PoolTag through the string conversion, so text replaces it safely.
        bool isText = literal.IsKind(SyntaxKind.StringLiteralExpression) || literal.IsKind(SyntaxKind.NullLiteralExpression);
        if (!isText && !(literal.IsKind(SyntaxKind.NumericLiteralExpression) && IsConvertedToPoolTagDirectly(model, literal)))
        {
            return null;
        }

        string tag = diagnostic.Properties.TryGetValue(InvalidPoolTagAnalyzer.TruncatedTagProperty, out string? truncated) && truncated is not null
            ? truncated
            : PoolTagChoice.DerivedAt(model, literal.SpanStart);

        return (literal, tag);
    }

    /// <summary>True when the literal itself is what becomes a <c>PoolTag</c> (not a branch of a numeric conditional).</summary>
    private static bool IsConvertedToPoolTagDirectly(SemanticModel model, ExpressionSyntax literal)
    {
        if (IsPoolTag(model.GetTypeInfo(literal).ConvertedType))
        {
            return true;
        }

        SyntaxNode? parent = literal.Parent;
        while (parent is ParenthesizedExpressionSyntax)
        {
            parent = parent.Parent;
        }

        return parent is CastExpressionSyntax cast && IsPoolTag(model.GetTypeInfo(cast).Type);
    }

    private static bool IsPoolTag(ITypeSymbol? type) => RuntimeSymbols.IsRuntimeType(type, "PoolTag");

    private static LiteralExpressionSyntax NewLiteral((LiteralExpressionSyntax Literal, string Tag) plan)
        => SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(plan.Tag))
            .WithTriviaFrom(plan.Literal);
}
