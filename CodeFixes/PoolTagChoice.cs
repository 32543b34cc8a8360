using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// The tag a fix writes at a position: the containing type's own tag field when it has exactly one
/// (a <c>const string</c> holding a valid tag or a <c>static readonly PoolTag</c> whose name has the
/// word "Tag", see <see cref="IsTagName"/>), otherwise the literal <see cref="DerivedPoolTag"/> of the
/// type's name.
/// </summary>
internal static class PoolTagChoice
{
    public static ExpressionSyntax For(SemanticModel model, int position, out string description)
    {
        ISymbol? enclosing = model.GetEnclosingSymbol(position);
        INamedTypeSymbol? type = ContainingType(enclosing);
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

        string tag = DerivedPoolTag.For(TagSourceName(model, enclosing));
        description = "\"" + tag + "\"";
        return SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(tag));
    }

    /// <summary>The derived tag for the code at <paramref name="position"/>.</summary>
    public static string DerivedAt(SemanticModel model, int position)
        => DerivedPoolTag.For(TagSourceName(model, model.GetEnclosingSymbol(position)));

    /// <summary>
    /// The name a derived tag comes from: the containing type's, except in top-level statements,
    /// whose compiler-made <c>Program</c> says nothing about the code; there it is the assembly name
    /// (a project "Consumer" gets "Cons"), which is what names the program.
    /// </summary>
    private static string? TagSourceName(SemanticModel model, ISymbol? enclosing)
        => IsInTopLevelStatements(enclosing) ? model.Compilation.AssemblyName : ContainingType(enclosing)?.Name;

    private static bool IsInTopLevelStatements(ISymbol? symbol)
    {
        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current is IMethodSymbol { MethodKind: MethodKind.LambdaMethod or MethodKind.LocalFunction })
            {
                continue;
            }

            return current is IMethodSymbol { Name: WellKnownMemberNames.TopLevelStatementsEntryPointMethodName };
        }

        return false;
    }

    private static INamedTypeSymbol? ContainingType(ISymbol? symbol)
        => symbol as INamedTypeSymbol ?? symbol?.ContainingType;

    private static IFieldSymbol? SingleTagField(INamedTypeSymbol type)
    {
        IFieldSymbol? found = null;
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is not IFieldSymbol field
                || field.IsImplicitlyDeclared
                || !IsTagName(field.Name)
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

        if (found is { IsConst: true } && (found.ConstantValue is not string text || !PoolTagRules.Check(text).IsValid || PoolTagRules.IsDefaultTag(text)))
        {
            return null;
        }

        // A default tag (POOL005) is never the tag a fix writes, however it is declared.
        return found is { IsConst: false } && HoldsDefaultTag(found) ? null : found;
    }

    /// <summary>True when a <c>static readonly PoolTag</c> is initialized with a literal default tag (<c>= "None"</c>, <c>= 0x656E6F4Eu</c>).</summary>
    private static bool HoldsDefaultTag(IFieldSymbol field)
    {
        if (field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: LiteralExpressionSyntax literal })
        {
            return false;
        }

        return literal.Token.Value switch
        {
            string text => PoolTagRules.IsDefaultTag(text),
            uint value => PoolTagRules.IsDefaultTag(value),
            int value => value >= 0 && PoolTagRules.IsDefaultTag((uint)value),
            _ => false,
        };
    }

    /// <summary>
    /// True when one word of <paramref name="name"/> is "tag", in any case. Words are split at
    /// underscores, where a lower-case letter or digit meets an upper-case one, before the last
    /// capital of a run of capitals followed by a lower-case letter, and where letters meet digits.
    /// So <c>Tag</c>, <c>DriverTag</c>, <c>PoolTag1</c>, <c>_tag</c>, <c>s_tag</c>, <c>tagValue</c>,
    /// <c>TAG</c>, <c>POOL_TAG</c> and <c>XMLTag</c> name tags; <c>Stage</c>, <c>Hashtag</c>,
    /// <c>Advantage</c>, <c>Tagged</c> and <c>Tags</c> do not.
    /// </summary>
    internal static bool IsTagName(string name)
    {
        int i = 0;
        while (i < name.Length)
        {
            if (name[i] == '_')
            {
                i++;
                continue;
            }

            int start = i++;
            while (i < name.Length && name[i] != '_' && !StartsWord(name, i))
            {
                i++;
            }

            if (i - start == 3 && string.Compare(name, start, "tag", 0, 3, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsWord(string name, int i)
    {
        char previous = name[i - 1];
        char current = name[i];
        if (char.IsUpper(current))
        {
            return char.IsLower(previous)
                || char.IsDigit(previous)
                || (char.IsUpper(previous) && i + 1 < name.Length && char.IsLower(name[i + 1]));
        }

        return char.IsDigit(current) ? !char.IsDigit(previous) : char.IsLetter(current) && char.IsDigit(previous);
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
