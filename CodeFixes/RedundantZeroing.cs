using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// Finds the <c>RtlZeroMemory(block, size)</c> that a zeroing allocation makes redundant: the statement
/// right after the one that stores the allocation in <c>block</c>, or right after the NULL check that
/// follows it, zeroing the same block with the same size.
/// </summary>
/// <remarks>
/// "The same" is judged strictly, so a zeroing is only dropped when nothing can differ: the block is
/// one local, parameter or field of this object, stored by <c>nint p = …;</c> or <c>p = …;</c>; the size
/// is the same constant, or the same expression made of literals, locals, parameters, fields,
/// constants and <c>sizeof</c>, which nothing between the two statements can change. The NULL check is
/// <c>if (p == 0)</c> (or <c>IntPtr.Zero</c>, <c>nint.Zero</c>, <c>default</c>, <c>is 0</c>) with no else,
/// whose body always leaves (return, throw, break, continue, goto).
/// </remarks>
internal static class RedundantZeroing
{
    public static ExpressionStatementSyntax? Find(SemanticModel model, InvocationExpressionSyntax allocation, ExpressionSyntax size)
    {
        if (StoringStatement(model, allocation) is not ({ } statement, { } block)
            || statement.Parent is not BlockSyntax enclosing
            || !IsStable(model, size, block))
        {
            return null;
        }

        int index = enclosing.Statements.IndexOf(statement);
        StatementSyntax? next = At(enclosing, index + 1);
        if (next is IfStatementSyntax check && IsNullCheckThatLeaves(model, check, block))
        {
            next = At(enclosing, index + 2);
        }

        return next is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call } zeroing
            && IsZeroing(model, call, block, size)
            ? zeroing
            : null;
    }

    private static StatementSyntax? At(BlockSyntax block, int index) => index < block.Statements.Count ? block.Statements[index] : null;

    /// <summary>The statement that stores the allocation, and where: <c>nint p = alloc;</c> or <c>p = alloc;</c>.</summary>
    private static (StatementSyntax? Statement, ISymbol? Block) StoringStatement(SemanticModel model, InvocationExpressionSyntax allocation)
    {
        switch (allocation.Parent)
        {
            case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
                when declarator.Parent is VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax local }:
                return (local, model.GetDeclaredSymbol(declarator));
            case AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax expressionStatement } assignment
                when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) && assignment.Right == allocation:
                return (expressionStatement, Storage(model, assignment.Left));
            default:
                return (null, null);
        }
    }

    /// <summary>The local, parameter or field of this object an expression names; null for anything else.</summary>
    private static ISymbol? Storage(SemanticModel model, ExpressionSyntax expression)
    {
        if (expression is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } thisAccess)
        {
            expression = thisAccess.Name;
        }

        return expression is IdentifierNameSyntax && model.GetSymbolInfo(expression).Symbol is ILocalSymbol or IParameterSymbol or IFieldSymbol
            ? model.GetSymbolInfo(expression).Symbol
            : null;
    }

    private static bool IsZeroing(SemanticModel model, InvocationExpressionSyntax call, ISymbol block, ExpressionSyntax size)
    {
        if (model.GetOperation(call) is not IInvocationOperation operation
            || RuntimeRoutines.Find(operation.TargetMethod) is not { Kind: RoutineKind.MemoryFill, Block: { } destination, Length: { } length } routine
            || !routine.Has(RoutineTraits.Zeroed)
            || operation.GetArgument(destination) is not { Syntax: ArgumentSyntax { Expression: { } target } }
            || operation.GetArgument(length) is not { Syntax: ArgumentSyntax { Expression: { } zeroed } })
        {
            return false;
        }

        return SymbolEqualityComparer.Default.Equals(Storage(model, Unparenthesized(target)), block) && SameSize(model, size, zeroed);
    }

    private static bool SameSize(SemanticModel model, ExpressionSyntax allocated, ExpressionSyntax zeroed)
    {
        Optional<object?> a = model.GetConstantValue(allocated);
        Optional<object?> b = model.GetConstantValue(zeroed);
        if (a.HasValue || b.HasValue)
        {
            return a.HasValue && b.HasValue && OperationExtensions.AsInt64(a.Value) is { } x && OperationExtensions.AsInt64(b.Value) == x;
        }

        return SyntaxFactory.AreEquivalent(Unparenthesized(allocated), Unparenthesized(zeroed), topLevel: false);
    }

    /// <summary>True when the size is made only of parts nothing between the two statements can change, and does not read the block.</summary>
    private static bool IsStable(SemanticModel model, ExpressionSyntax size, ISymbol block)
    {
        foreach (SyntaxNode node in size.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case LiteralExpressionSyntax or SizeOfExpressionSyntax or PredefinedTypeSyntax or ParenthesizedExpressionSyntax or CastExpressionSyntax or CheckedExpressionSyntax:
                    break;
                case BinaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression or (int)SyntaxKind.BitwiseNotExpression }:
                    break;
                case MemberAccessExpressionSyntax or ThisExpressionSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax:
                    break;
                case SimpleNameSyntax name:
                    ISymbol? symbol = model.GetSymbolInfo(name).Symbol;
                    if (symbol is not (ILocalSymbol or IParameterSymbol or IFieldSymbol or INamespaceOrTypeSymbol) || SymbolEqualityComparer.Default.Equals(symbol, block))
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary><c>if (p == 0) return …;</c> and its variants: the block is NULL and the body always leaves.</summary>
    private static bool IsNullCheckThatLeaves(SemanticModel model, IfStatementSyntax check, ISymbol block)
    {
        if (check.Else is not null || !Leaves(check.Statement))
        {
            return false;
        }

        return Unparenthesized(check.Condition) switch
        {
            BinaryExpressionSyntax { RawKind: (int)SyntaxKind.EqualsExpression } equals =>
                (IsBlock(model, equals.Left, block) && IsNull(model, equals.Right)) || (IsBlock(model, equals.Right, block) && IsNull(model, equals.Left)),
            IsPatternExpressionSyntax { Pattern: ConstantPatternSyntax constant } pattern => IsBlock(model, pattern.Expression, block) && IsNull(model, constant.Expression),
            _ => false,
        };
    }

    private static bool Leaves(StatementSyntax statement) => statement switch
    {
        ReturnStatementSyntax or ThrowStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax => true,
        ExpressionStatementSyntax { Expression: ThrowExpressionSyntax } => true,
        BlockSyntax { Statements.Count: > 0 } body => Leaves(body.Statements[body.Statements.Count - 1]),
        _ => false,
    };

    private static bool IsBlock(SemanticModel model, ExpressionSyntax expression, ISymbol block)
        => SymbolEqualityComparer.Default.Equals(Storage(model, Unparenthesized(expression)), block);

    private static bool IsNull(SemanticModel model, ExpressionSyntax expression)
    {
        if (model.GetConstantValue(expression) is { HasValue: true } constant)
        {
            return constant.Value is null || OperationExtensions.AsInt64(constant.Value) == 0;
        }

        return expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression }
            || (model.GetSymbolInfo(expression).Symbol is IFieldSymbol { Name: "Zero", IsStatic: true, ContainingType.SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr });
    }

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }
}
