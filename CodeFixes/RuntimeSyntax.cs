using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// References to the runtime's types and enum members that a fix writes: fully qualified and marked
/// for the simplifier and the import adder, so they come out as short as the document's usings
/// allow (<c>POOL_FLAG_NON_PAGED</c> under <c>using static</c>, <c>POOL_FLAGS.POOL_FLAG_NON_PAGED</c> otherwise).
/// </summary>
internal static class RuntimeSyntax
{
    /// <summary>The runtime type <paramref name="name"/> from the assembly and namespace of <paramref name="sibling"/>, or null.</summary>
    public static INamedTypeSymbol? SiblingType(INamedTypeSymbol sibling, string name)
    {
        foreach (INamedTypeSymbol type in sibling.ContainingNamespace.GetTypeMembers(name))
        {
            if (SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, sibling.ContainingAssembly))
            {
                return type;
            }
        }

        return null;
    }

    /// <summary><c>global::PoolAnalyzers.Runtime.Type</c>, simplified and imported later.</summary>
    public static TypeSyntax Type(INamedTypeSymbol type)
        => SyntaxFactory.ParseTypeName(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>
    /// <c>Type.Member</c>, simplified as a whole (to <c>Member</c> under <c>using static</c>), or, when
    /// <paramref name="qualified"/>, only the type is (always <c>Type.Member</c>).
    /// </summary>
    public static ExpressionSyntax Member(INamedTypeSymbol type, string member, bool qualified = false)
    {
        ExpressionSyntax access = SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Type(type), SyntaxFactory.IdentifierName(member));
        return qualified ? access : access.WithAdditionalAnnotations(Simplifier.Annotation);
    }

    /// <summary><c>Type.A | Type.B | …</c> for members of a flags enum, in the order given.</summary>
    public static ExpressionSyntax Members(INamedTypeSymbol type, IReadOnlyList<string> members, bool qualified = false)
    {
        ExpressionSyntax result = Member(type, members[0], qualified);
        for (int i = 1; i < members.Count; i++)
        {
            result = SyntaxFactory.BinaryExpression(SyntaxKind.BitwiseOrExpression, result, Member(type, members[i], qualified));
        }

        return result;
    }
}
