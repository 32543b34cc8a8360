using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// POOL005 fix: a tag of the code's own instead of the default one, chosen as the POOL002 fix chooses
/// (<see cref="PoolTagChoice.DerivedAt"/>: from the containing type's name, never a default tag). A literal
/// is replaced where it is written ("Use pool tag "Driv""); a named constant or a <c>static readonly</c>
/// field initialized with a literal is changed where it is declared ("Change 'DriverTag' to "Driv""),
/// so every allocation and free that uses it changes together. Numbers stay numbers.
/// </summary>
/// <remarks>
/// A block allocated with a tag must be freed with the same tag (<c>ExFreePoolWithTag</c>,
/// <c>ExFreePool2</c>; BAD_POOL_CALLER 0x0A otherwise). So no fix is offered when a free in the
/// project passes the same default tag some other way than the constant being changed: changing the
/// allocation alone would make that free bug-check.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DefaultPoolTagCodeFixProvider)), Shared]
public sealed class DefaultPoolTagCodeFixProvider : TagEditCodeFixProvider
{
    /// <summary>The equivalence key of the fix that replaces the tag where it is written: the literal, or the declaration.</summary>
    public const string EquivalenceKey = "POOL005.ReplaceDefaultTag";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DefaultPoolTag);

    private protected override ImmutableDictionary<string, string> FixAllTitles { get; } =
        ImmutableDictionary<string, string>.Empty.Add(EquivalenceKey, "Replace default pool tags");

    /// <inheritdoc/>
    private protected override async Task<List<TagFix>> FixesForAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var fixes = new List<TagFix>(1);
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null
            || model is null
            || !diagnostic.Location.IsInSource
            || diagnostic.Location.SourceTree != root.SyntaxTree
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax value)
        {
            return fixes;
        }

        ExpressionSyntax written = Unparenthesized(value);
        if (written is LiteralExpressionSyntax literal && DefaultTag(literal.Token.Value) is { } tag)
        {
            if (!await HasOtherFreeAsync(document.Project, tag, symbol: null, cancellationToken).ConfigureAwait(false))
            {
                string derived = PoolTagChoice.DerivedAt(model, literal.SpanStart);
                bool numeric = literal.IsKind(SyntaxKind.NumericLiteralExpression);
                fixes.Add(new TagFix(EquivalenceKey, $"Use pool tag \"{derived}\"", new TagEdit(document.Id, literal.Span, derived, numeric)));
            }

            return fixes;
        }

        if (model.GetSymbolInfo(written, cancellationToken).Symbol is { } symbol
            && await DeclarationEditAsync(document.Project.Solution, symbol, (m, l) => PoolTagChoice.DerivedAt(m, l.SpanStart), cancellationToken).ConfigureAwait(false) is { } declaration
            && await DeclaredDefaultTagAsync(document.Project.Solution, declaration, cancellationToken).ConfigureAwait(false) is { } declared
            && !await HasOtherFreeAsync(document.Project, declared, symbol, cancellationToken).ConfigureAwait(false))
        {
            fixes.Add(new TagFix(EquivalenceKey, $"Change '{symbol.Name}' to \"{declaration.Tag}\"", declaration));
        }

        return fixes;
    }

    /// <summary>The default tag (its ULONG) a literal's value is, or null; a numeric tag with PROTECTED_POOL is left alone (text cannot carry the bit).</summary>
    private static uint? DefaultTag(object? constant) => constant switch
    {
        string text when PoolTagRules.IsDefaultTag(text) => PoolTagRules.TagValue(text),
        uint or int when OperationExtensions.AsInt64(constant) is { } number and >= 0 and <= uint.MaxValue
            && ((uint)number & PoolTagRules.ProtectedPool) == 0
            && PoolTagRules.IsDefaultTag((uint)number) => (uint)number,
        _ => null,
    };

    /// <summary>The default tag the literal of a declaration edit holds now.</summary>
    private static async Task<uint?> DeclaredDefaultTagAsync(Solution solution, TagEdit declaration, CancellationToken cancellationToken)
        => solution.GetDocument(declaration.Document) is { } document
            && await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is { } root
            && root.FindNode(declaration.Span, getInnermostNodeForTie: true) is LiteralExpressionSyntax literal
            ? DefaultTag(literal.Token.Value)
            : null;

    /// <summary>
    /// True when a free in <paramref name="project"/> passes <paramref name="tag"/> other than through
    /// <paramref name="symbol"/>. Calls are found by name first, so only documents that free with a tag are bound.
    /// </summary>
    private static async Task<bool> HasOtherFreeAsync(Project project, uint tag, ISymbol? symbol, CancellationToken cancellationToken)
    {
        foreach (Document document in project.Documents)
        {
            if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not { } root)
            {
                continue;
            }

            SemanticModel? model = null;
            foreach (SyntaxNode node in root.DescendantNodes())
            {
                if (node is not InvocationExpressionSyntax invocation || !IsTaggedFreeName(invocation.Expression))
                {
                    continue;
                }

                model ??= await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                if (model?.GetOperation(invocation, cancellationToken) is IInvocationOperation operation
                    && RuntimeRoutines.Find(operation.TargetMethod) is { Kind: RoutineKind.Free, Tag: { } tagParameter }
                    && operation.GetArgument(tagParameter) is { Syntax: ArgumentSyntax { Expression: { } argument } }
                    && model.GetConstantValue(argument, cancellationToken) is { HasValue: true } constant
                    && DefaultTag(constant.Value) == tag
                    && (symbol is null || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(Unparenthesized(argument), cancellationToken).Symbol, symbol)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsTaggedFreeName(ExpressionSyntax callee)
    {
        string name = callee switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => string.Empty,
        };

        return RuntimeRoutines.FindByName(name) is { Kind: RoutineKind.Free, Tag: not null };
    }
}
