using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Lifetime;

/// <summary>
/// The tag of the blocks a private <c>nint</c> field holds, when every allocation stored in it uses one
/// constant tag: POOL011 then checks <c>ExFreePoolWithTag(_field, tag)</c> in any method of the type.
/// </summary>
/// <remarks>
/// Read from the syntax of the type's own declarations (a private field is written nowhere else), so no
/// other member body is bound: <c>_field = ExAllocatePoolWithTag(type, size, "Tag1")</c> and the field's
/// initializer count; a tag is a literal or a constant of the type. Any other write (from a helper, a
/// variable tag, <c>ref</c>/<c>out</c>) except <c>0</c>, <c>default</c> and <c>IntPtr.Zero</c> makes the
/// tag unknown, and the rule silent.
/// </remarks>
internal sealed class FieldTags(RuntimeSymbols symbols)
{
    private readonly ConcurrentDictionary<IFieldSymbol, uint?> _tags = new(SymbolEqualityComparer.Default);

    /// <summary>Adds a POOL011 finding when <paramref name="free"/> frees a field under a constant tag other than the field's.</summary>
    public void CheckFieldFree(IInvocationOperation free, RuntimeRoutine routine, List<BodyFinding> findings, CancellationToken cancellationToken)
    {
        if (routine.Block is not { } block || routine.Tag is not { } tag
            || Unwrap(free.GetArgument(block)?.Value) is not IFieldReferenceOperation { Field: { DeclaredAccessibility: Accessibility.Private, Type.SpecialType: SpecialType.System_IntPtr } field }
            || TagValue.Of(free.GetArgument(tag)?.Value) is not { } freedTag || freedTag == 0)
        {
            return;
        }

        if (_tags.GetOrAdd(field.OriginalDefinition, f => Compute(f, cancellationToken)) is { } allocatedTag && allocatedTag != freedTag)
        {
            findings.Add(new BodyFinding(
                DiagnosticIds.MismatchedFree,
                free.Syntax.GetMethodNameLocation(),
                [routine.Name, "frees '" + field.Name + "', whose every allocation uses tag " + TagValue.Display(allocatedTag) + ", under tag " + TagValue.Display(freedTag) + " (BAD_POOL_CALLER 0x0A)"]));
        }
    }

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private uint? Compute(IFieldSymbol field, CancellationToken cancellationToken)
    {
        uint? tag = null;
        foreach (SyntaxReference reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (SyntaxNode node in reference.GetSyntax(cancellationToken).DescendantNodes())
            {
                ExpressionSyntax? written = node switch
                {
                    AssignmentExpressionSyntax assignment when Names(assignment.Left, field.Name) => assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) ? assignment.Right : assignment,
                    VariableDeclaratorSyntax { Initializer: { } initializer } declarator when declarator.Identifier.ValueText == field.Name && declarator.Parent?.Parent is FieldDeclarationSyntax => initializer.Value,
                    ArgumentSyntax { RefKindKeyword.RawKind: not 0 } argument when Names(argument.Expression, field.Name) => argument.Expression,
                    PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax when Names(Operand(node), field.Name) => (ExpressionSyntax)node,
                    _ => null,
                };
                if (written is null || IsZero(written))
                {
                    continue;
                }

                if (AllocationTag(written, field.ContainingType) is not { } allocated || (tag is { } known && known != allocated))
                {
                    return null;
                }

                tag = allocated;
            }
        }

        return tag;
    }

    private static ExpressionSyntax? Operand(SyntaxNode node) => node switch
    {
        PrefixUnaryExpressionSyntax prefix => prefix.Operand,
        PostfixUnaryExpressionSyntax postfix => postfix.Operand,
        _ => null,
    };

    private static bool Names(ExpressionSyntax? expression, string name) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax or IdentifierNameSyntax } access => access.Name.Identifier.ValueText == name,
        _ => false,
    };

    private static bool IsZero(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax literal => literal.IsKind(SyntaxKind.DefaultLiteralExpression) || literal.Token.Value is 0,
        DefaultExpressionSyntax => true,
        MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Zero", Expression: PredefinedTypeSyntax or IdentifierNameSyntax { Identifier.ValueText: "IntPtr" } } => true,
        CastExpressionSyntax cast => IsZero(cast.Expression),
        ParenthesizedExpressionSyntax parenthesized => IsZero(parenthesized.Expression),
        _ => false,
    };

    /// <summary>The constant tag of <c>ExAllocate…(…)</c> written as <paramref name="expression"/>, or null.</summary>
    private uint? AllocationTag(ExpressionSyntax expression, INamedTypeSymbol type)
    {
        if (expression is not InvocationExpressionSyntax invocation)
        {
            return null;
        }

        string? name = invocation.Expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Ex" } } access => access.Name.Identifier.ValueText,
            _ => null,
        };
        if (name is null || RuntimeRoutines.Find("Ex", name) is not { Kind: RoutineKind.Allocate } routine)
        {
            return null;
        }

        if (routine.Tag is null)
        {
            return TagValue.None;
        }

        ExpressionSyntax? tag = TagArgument(invocation.ArgumentList, name, routine.Tag);
        return tag switch
        {
            LiteralExpressionSyntax literal => TagValue.Of(literal.Token.Value),
            IdentifierNameSyntax identifier => ConstantOf(type, identifier.Identifier.ValueText),
            _ => null,
        };
    }

    private ExpressionSyntax? TagArgument(ArgumentListSyntax arguments, string routine, string parameter)
    {
        foreach (ArgumentSyntax argument in arguments.Arguments)
        {
            if (argument.NameColon is { } nameColon)
            {
                if (nameColon.Name.Identifier.ValueText == parameter)
                {
                    return argument.Expression;
                }

                return null;
            }
        }

        foreach (ISymbol member in symbols.Ex is { } ex ? ex.GetMembers(routine) : [])
        {
            if (member is IMethodSymbol method)
            {
                for (int i = 0; i < method.Parameters.Length; i++)
                {
                    if (method.Parameters[i].Name == parameter)
                    {
                        return i < arguments.Arguments.Count ? arguments.Arguments[i].Expression : null;
                    }
                }
            }
        }

        return null;
    }

    private static uint? ConstantOf(INamedTypeSymbol type, string name)
    {
        foreach (ISymbol member in type.GetMembers(name))
        {
            if (member is IFieldSymbol { HasConstantValue: true } constant)
            {
                return TagValue.Of(constant.ConstantValue);
            }
        }

        return null;
    }
}
