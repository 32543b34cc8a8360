using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>Small, allocation-free helpers over operations and their syntax.</summary>
internal static class OperationExtensions
{
    /// <summary>The argument bound to the parameter named <paramref name="parameterName"/>, or null (missing or invalid code).</summary>
    public static IArgumentOperation? GetArgument(this IInvocationOperation invocation, string parameterName)
    {
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { } parameter && parameter.Name == parameterName)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="test"/> holds for <paramref name="operation"/> and everything below it, visited
    /// in the order of <c>DescendantsAndSelf()</c>: recursion over <c>ChildOperations</c> (a struct enumerator)
    /// instead of an iterator and its stack allocated per call.
    /// </summary>
    public static bool All<TArg>(this IOperation operation, TArg arg, System.Func<IOperation, TArg, bool> test)
    {
        if (!test(operation, arg))
        {
            return false;
        }

        foreach (IOperation child in operation.ChildOperations)
        {
            if (!child.All(arg, test))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the operation sits inside <c>nameof(...)</c>, where nothing is called.</summary>
    public static bool IsInsideNameOf(this IOperation operation)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is INameOfOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The location of the method name in a call or method group (<c>Ex.ExAllocatePool</c> → <c>ExAllocatePool</c>).</summary>
    public static Location GetMethodNameLocation(this SyntaxNode syntax)
    {
        SyntaxNode expression = syntax is InvocationExpressionSyntax invocation ? invocation.Expression : syntax;
        SyntaxNode name = expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.Name,
            MemberBindingExpressionSyntax memberBinding => memberBinding.Name,
            _ => expression,
        };

        return name.GetLocation();
    }

    /// <summary>The constant a value folds to, looking through implicit numeric conversions that Roslyn leaves unfolded.</summary>
    public static Optional<object?> GetFoldedConstant(this IOperation value)
    {
        IOperation current = value;
        while (true)
        {
            if (current.ConstantValue.HasValue)
            {
                return current.ConstantValue;
            }

            if (current is IConversionOperation { OperatorMethod: null } conversion)
            {
                current = conversion.Operand;
                continue;
            }

            return default;
        }
    }

    /// <summary>The integral value of a numeric or enum constant, or null for anything else.</summary>
    public static long? AsInt64(object? constant) => constant switch
    {
        int v => v,
        uint v => v,
        long v => v,
        ulong v => unchecked((long)v),
        short v => v,
        ushort v => v,
        byte v => v,
        sbyte v => v,
        char v => v,
        _ => null,
    };
}
