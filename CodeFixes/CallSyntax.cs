using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PoolAnalyzers.CodeFixes;

/// <summary>Finds the call a diagnostic on a routine's name belongs to.</summary>
internal static class CallSyntax
{
    /// <summary>The invocation whose called name is <paramref name="name"/> (<c>F(…)</c> or <c>Ex.F(…)</c>); null for a method group.</summary>
    public static InvocationExpressionSyntax? InvocationOf(SimpleNameSyntax name) => name.Parent switch
    {
        InvocationExpressionSyntax invocation when invocation.Expression == name => invocation,
        MemberAccessExpressionSyntax memberAccess when memberAccess.Name == name
            && memberAccess.Parent is InvocationExpressionSyntax invocation
            && invocation.Expression == memberAccess => invocation,
        _ => null,
    };
}
