using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql.Interprocedural;

/// <summary>A place that gives a function an entry IRQL: a direct call to it, or its conversion to an IRQL-annotated delegate type.</summary>
internal sealed class CallSite
{
    public CallSite(MemberFlow flow, FunctionFacts function, CallFact call)
    {
        Flow = flow;
        Function = function;
        Call = call;
        Syntax = call.Syntax;
    }

    public CallSite(MemberFlow flow, FunctionFacts function, ConversionFact conversion)
    {
        Flow = flow;
        Function = function;
        Conversion = conversion;
        Syntax = conversion.Syntax;
    }

    /// <summary>The member the site is in.</summary>
    public MemberFlow Flow { get; }

    /// <summary>The function (the member, or one of its local functions or lambdas) the site is in.</summary>
    public FunctionFacts Function { get; }

    public CallFact? Call { get; }

    public ConversionFact? Conversion { get; }

    public SyntaxNode Syntax { get; }

    /// <summary>True when the IRQL at the site depends on the IRQL its function was entered at.</summary>
    public bool DependsOnEntry
    {
        get
        {
            if (Call is null)
            {
                return false;
            }

            foreach (CallState state in Call.States)
            {
                if (state.Irql.EntryMask != 0)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Orders sites by file and position, so every choice made among them is the same in every run.</summary>
    public static int Compare(CallSite left, CallSite right)
    {
        int byFile = string.CompareOrdinal(left.Syntax.SyntaxTree.FilePath, right.Syntax.SyntaxTree.FilePath);
        return byFile != 0 ? byFile : left.Syntax.SpanStart.CompareTo(right.Syntax.SpanStart);
    }
}
