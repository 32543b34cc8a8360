using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

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
public sealed class InvalidPoolTagCodeFixProvider : TagEditCodeFixProvider
{
    /// <summary>The equivalence key of the fix that corrects the tag where it is written: the literal, or the constant's declaration.</summary>
    public const string EquivalenceKey = "POOL002.ReplaceTag";

    /// <summary>The equivalence key of the fix that replaces the use of a named constant with a literal.</summary>
    public const string UseLiteralEquivalenceKey = "POOL002.UseLiteralForConstant";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidPoolTag);

    private protected override ImmutableDictionary<string, string> FixAllTitles { get; } = ImmutableDictionary<string, string>.Empty
        .Add(EquivalenceKey, "Fix invalid pool tags")
        .Add(UseLiteralEquivalenceKey, "Use pool tag literals for invalid constants");

    /// <inheritdoc/>
    private protected override async Task<List<TagFix>> FixesForAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
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
        if (isTextConstant
            && await DeclarationEditAsync(document.Project.Solution, symbol, (model, literal) => truncated ?? PoolTagChoice.DerivedAt(model, literal.SpanStart), cancellationToken).ConfigureAwait(false) is { } declaration)
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
}
