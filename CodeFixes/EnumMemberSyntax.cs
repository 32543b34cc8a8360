using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// Reads and renames the members of an enum value written as <c>A | B | …</c> (qualified or through
/// <c>using static</c>, parenthesized or not), so a fix can change one member and keep how the code
/// refers to the rest.
/// </summary>
internal static class EnumMemberSyntax
{
    /// <summary>The names of the members <paramref name="expression"/> ORs together; false when any part is not a member of <paramref name="enumType"/>.</summary>
    public static bool TryCollect(SemanticModel model, ExpressionSyntax expression, INamedTypeSymbol enumType, List<SimpleNameSyntax> members)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return TryCollect(model, parenthesized.Expression, enumType, members);
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.BitwiseOrExpression):
                return TryCollect(model, binary.Left, enumType, members) && TryCollect(model, binary.Right, enumType, members);
            case MemberAccessExpressionSyntax or IdentifierNameSyntax when Member(model, expression, enumType) is not null:
                members.Add(expression is MemberAccessExpressionSyntax access ? access.Name : (SimpleNameSyntax)expression);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The constant value of a collected member.</summary>
    public static long? Value(SemanticModel model, SimpleNameSyntax member, INamedTypeSymbol enumType)
        => Member(model, Access(member), enumType) is { HasConstantValue: true } field ? OperationExtensions.AsInt64(field.ConstantValue) : null;

    /// <summary>
    /// <paramref name="member"/> renamed to <paramref name="newName"/>, when that binds to the member of
    /// <paramref name="enumType"/> from the same place; otherwise null.
    /// </summary>
    public static SimpleNameSyntax? Renamed(SemanticModel model, SimpleNameSyntax member, INamedTypeSymbol enumType, string newName)
    {
        SimpleNameSyntax renamed = SyntaxFactory.IdentifierName(
            SyntaxFactory.Identifier(member.Identifier.LeadingTrivia, newName, member.Identifier.TrailingTrivia));
        ExpressionSyntax access = Access(member);
        ExpressionSyntax speculative = access is MemberAccessExpressionSyntax memberAccess ? memberAccess.WithName(renamed) : renamed;
        return model.GetSpeculativeSymbolInfo(access.SpanStart, speculative, SpeculativeBindingOption.BindAsExpression).Symbol is IFieldSymbol field
            && SymbolEqualityComparer.Default.Equals(field.ContainingType, enumType)
            ? renamed
            : null;
    }

    /// <summary>The whole reference a member name belongs to: <c>POOL_TYPE.PagedPool</c> for <c>PagedPool</c> there.</summary>
    private static ExpressionSyntax Access(SimpleNameSyntax member)
        => member.Parent is MemberAccessExpressionSyntax access && access.Name == member ? access : member;

    private static IFieldSymbol? Member(SemanticModel model, ExpressionSyntax expression, INamedTypeSymbol enumType)
        => model.GetSymbolInfo(expression).Symbol is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.ContainingType, enumType) ? field : null;
}
