using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The self-check the tests turn on: every body an analysis follows without a control-flow graph (the IRQL
/// engine's <see cref="Irql.StructuredWalk"/>, the lifetime analysis's <see cref="TreeFlow"/>) is analyzed on
/// its graph as well, and any difference throws (an AD0001 in the rule tests, an exception in the others).
/// </summary>
internal static class WalkCheck
{
    internal static bool CompareWithGraph { get; set; }

    /// <summary>Throws when the findings of the walk and of the graph differ in anything a user would see.</summary>
    public static void Compare(ISymbol member, List<BodyFinding> walked, List<BodyFinding> graphed)
    {
        string[] left = [.. walked.Select(Describe)];
        string[] right = [.. graphed.Select(Describe)];
        if (!left.SequenceEqual(right, StringComparer.Ordinal))
        {
            throw new InvalidOperationException("The walk of '" + member.Name + "' differs from its graph: walked [" + string.Join("; ", left) + "], graph [" + string.Join("; ", right) + "]");
        }
    }

    private static string Describe(BodyFinding finding)
        => finding.RuleId + " " + finding.Location.SourceSpan + " " + string.Join(" | ", finding.Arguments);
}
