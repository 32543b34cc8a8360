using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace PoolAnalyzers.Test.Meta;

/// <summary>A rule row of <c>AnalyzerReleases.Shipped.md</c> / <c>Unshipped.md</c>.</summary>
internal sealed record ReleaseEntry(string File, string Section, string Id, string Category, string Severity, string Notes);

/// <summary>Reads the analyzer release-tracking tables (format of Microsoft.CodeAnalysis.Analyzers' RS2008).</summary>
internal static partial class ReleaseTracking
{
    public static List<ReleaseEntry> ReadAll()
    {
        var entries = new List<ReleaseEntry>();
        foreach (string name in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
        {
            string path = Repository.PathOf("Analyzers", name);
            if (!File.Exists(path))
            {
                continue;
            }

            string section = string.Empty;
            foreach (string line in File.ReadAllLines(path))
            {
                if (line.StartsWith("### ", StringComparison.Ordinal))
                {
                    section = line[4..].Trim();
                    continue;
                }

                Match row = RuleRow().Match(line);
                if (row.Success)
                {
                    entries.Add(new ReleaseEntry(name, section, row.Groups["id"].Value, row.Groups["category"].Value.Trim(), row.Groups["severity"].Value.Trim(), row.Groups["notes"].Value.Trim()));
                }
            }
        }

        return entries;
    }

    [GeneratedRegex(@"^\s*(?<id>[A-Z]+\d+)\s*\|\s*(?<category>[^|]*)\|\s*(?<severity>[^|]*)\|(?<notes>[^|]*)")]
    private static partial Regex RuleRow();
}
