using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// The tag a fix writes at a position: the containing type's own tag field when it has exactly one
/// (a <c>const string</c> holding a valid tag or a <c>static readonly PoolTag</c> whose name contains
/// "Tag"), otherwise the literal <see cref="DerivedPoolTag"/> of the type's name.
/// </summary>
internal static class PoolTagChoice
{
    public static ExpressionSyntax For(SemanticModel model, int position, out string description)
    {
        INamedTypeSymbol? type = ContainingType(model.GetEnclosingSymbol(position));
        if (type is not null && SingleTagField(type) is { } field)
        {
            description = field.Name;
            ExpressionSyntax simple = SyntaxFactory.IdentifierName(field.Name);
            ISymbol? bound = model.GetSpeculativeSymbolInfo(position, simple, SpeculativeBindingOption.BindAsExpression).Symbol;
            if (SymbolEqualityComparer.Default.Equals(bound, field))
            {
                return simple;
            }

            // A local or parameter hides the field: qualify it and let the simplifier decide.
            return SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    SyntaxFactory.ParseTypeName(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)),
                    SyntaxFactory.IdentifierName(field.Name))
                .WithAdditionalAnnotations(Simplifier.Annotation);
        }

        string tag = DerivedPoolTag.For(type?.Name);
        description = "\"" + tag + "\"";
        return SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(tag));
    }

    /// <summary>The derived tag for the type that contains <paramref name="position"/>.</summary>
    public static string DerivedAt(SemanticModel model, int position)
        => DerivedPoolTag.For(ContainingType(model.GetEnclosingSymbol(position))?.Name);

    private static INamedTypeSymbol? ContainingType(ISymbol? symbol)
        => symbol as INamedTypeSymbol ?? symbol?.ContainingType;

    private static IFieldSymbol? SingleTagField(INamedTypeSymbol type)
    {
        IFieldSymbol? found = null;
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is not IFieldSymbol field
                || field.IsImplicitlyDeclared
                || field.Name.IndexOf("Tag", StringComparison.OrdinalIgnoreCase) < 0
                || !IsTagField(field))
            {
                continue;
            }

            if (found is not null)
            {
                return null;
            }

            found = field;
        }

        if (found is { IsConst: true } && (found.ConstantValue is not string text || !PoolTagRules.Check(text).IsValid))
        {
            return null;
        }

        return found;
    }

    private static bool IsTagField(IFieldSymbol field)
    {
        if (field.IsConst)
        {
            return field.Type.SpecialType == SpecialType.System_String;
        }

        return field.IsStatic && field.IsReadOnly && RuntimeSymbols.IsRuntimeType(field.Type, "PoolTag");
    }
}
