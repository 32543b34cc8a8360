using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>One diagnostic as MSBuild prints it: <c>/path/Program.cs(12,9): warning POOL001: message [project]</c>.</summary>
internal sealed partial record BuildDiagnostic(string FileName, int Line, string Severity, string Id)
{
    public override string ToString() => $"{FileName}:{Line} {Severity} {Id}";

    /// <summary>The distinct diagnostics in a build log (MSBuild repeats each one in its summary).</summary>
    public static IReadOnlyList<BuildDiagnostic> Parse(string buildOutput)
    {
        var found = new SortedSet<BuildDiagnostic>(Comparer<BuildDiagnostic>.Create(Compare));
        foreach (Match match in Pattern().Matches(buildOutput))
        {
            found.Add(new BuildDiagnostic(
                Path.GetFileName(match.Groups["file"].Value),
                int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture),
                match.Groups["severity"].Value,
                match.Groups["id"].Value));
        }

        return found.ToList();
    }

    private static int Compare(BuildDiagnostic? x, BuildDiagnostic? y)
        => string.CompareOrdinal(x?.ToString(), y?.ToString());

    [GeneratedRegex(@"^\s*(?<file>[^\r\n(]+)\((?<line>\d+),\d+\): (?<severity>warning|error) (?<id>[A-Z]+\d+):", RegexOptions.Multiline)]
    private static partial Regex Pattern();
}
