using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>
/// The check the tests turn on (<see cref="Flow.WalkCheck.CompareWithGraph"/>): a body's facts from the
/// structured walk against its facts from the graph. Calls are matched by syntax (the two visit them in
/// different orders); exits in order, and every one of the graph's must be clean, as the walk's are.
/// </summary>
internal static class FactsDifference
{
    /// <summary>How <paramref name="walked"/> differs from the graph's facts of the same body, or null when it does not.</summary>
    public static string? Of(FunctionFacts walked, FunctionFacts graphed)
    {
        if (!graphed.Analyzed)
        {
            return "the graph gave up";
        }

        if (!walked.ExitValue.Equals(graphed.ExitValue))
        {
            return "exit IRQL";
        }

        if (walked.Calls.Length != graphed.Calls.Length || walked.Conversions.Length != graphed.Conversions.Length || walked.Exits.Length != graphed.Exits.Length)
        {
            return "number of calls, conversions or exits";
        }

        foreach (CallFact call in walked.Calls)
        {
            if (Find(graphed.Calls, call.Syntax) is not { } other
                || other.Callee != call.Callee || other.IsVirtual != call.IsVirtual || other.IsPaged != call.IsPaged || other.PagedArgument != call.PagedArgument
                || !SameStates(call.States, other.States))
            {
                return "call " + call.Syntax;
            }
        }

        for (int i = 0; i < walked.Conversions.Length; i++)
        {
            if (walked.Conversions[i].Syntax != graphed.Conversions[i].Syntax)
            {
                return "conversion " + walked.Conversions[i].Syntax;
            }
        }

        for (int i = 0; i < walked.Exits.Length; i++)
        {
            ExitFact mine = walked.Exits[i];
            ExitFact theirs = graphed.Exits[i];
            if (mine.ReturnStatement != theirs.ReturnStatement || !mine.Path.Irql.Equals(theirs.Path.Irql) || !theirs.Path.IsClean || theirs.Collapsed)
            {
                return "exit " + (mine.ReturnStatement?.ToString() ?? "at the end");
            }
        }

        return null;
    }

    private static CallFact? Find(ImmutableArray<CallFact> calls, SyntaxNode syntax)
    {
        foreach (CallFact call in calls)
        {
            if (call.Syntax == syntax)
            {
                return call;
            }
        }

        return null;
    }

    private static bool SameStates(ImmutableArray<CallState> left, ImmutableArray<CallState> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (int i = 0; i < left.Length; i++)
        {
            if (!left[i].Irql.Equals(right[i].Irql) || !Equals(left[i].Reason, right[i].Reason) || left[i].ChecksRequirement != right[i].ChecksRequirement)
            {
                return false;
            }
        }

        return true;
    }
}
