using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PoolAnalyzers.Test.Meta;
using Xunit;

namespace PoolAnalyzers.Test.Documentation;

/// <summary>
/// What the hand-written documents say about rules stays true: every rule ID they mention exists, and
/// a sample's <c>dotnet format</c> command names exactly the fixable rules among the mistakes its
/// README lists (the end-to-end test checks that the build reports those mistakes at those lines).
/// </summary>
public sealed partial class RuleMentionTests
{
    public static TheoryData<string> Documents() =>
    [
        .. new[] { "README.md", Path.Combine("Package", "README.md"), Path.Combine("benchmarks", "README.md") }
            .Concat(Markdown("docs"))
            .Concat(Markdown("samples")),
    ];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Document_MentionsOnlyShippedRules(string path)
    {
        var ids = RuleCatalog.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var unknown = RuleId().Matches(File.ReadAllText(Repository.PathOf(path))).Select(m => m.Value).Where(id => !ids.Contains(id)).Distinct().ToList();

        Assert.True(unknown.Count == 0, $"{path} mentions {string.Join(", ", unknown)}, which no analyzer reports.");
    }

    [Theory]
    [MemberData(nameof(SampleReadmes))]
    public void SampleFormatCommand_NamesTheFixableRulesOfItsMistakes(string path)
    {
        string readme = File.ReadAllText(Repository.PathOf(path));
        var mistakes = MistakeRow().Matches(readme).Select(m => m.Groups["id"].Value).ToHashSet(StringComparer.Ordinal);
        string[] expected = [.. RuleCatalog.FixableIds.Where(mistakes.Contains)];
        foreach (Match command in FormatCommand().Matches(readme))
        {
            string[] named = command.Groups["ids"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(
                named.SequenceEqual(expected),
                $"{path}: '{command.Value.Trim()}' should name the fixable rules among its mistakes: {string.Join(' ', expected)}.");
        }
    }

    public static TheoryData<string> SampleReadmes() => [.. Markdown("samples").Where(p => Path.GetFileName(p) == "README.md")];

    private static IEnumerable<string> Markdown(string folder) =>
        Directory.EnumerateFiles(Repository.PathOf(folder), "*.md", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Repository.Root, p))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"\bPOOL\d{3}\b")]
    private static partial Regex RuleId();

    /// <summary>A row of a sample's mistakes table: <c>| `File.cs(23)` | POOL001 | …</c>.</summary>
    [GeneratedRegex(@"^\| `[A-Za-z]+\.cs\(\d+\)` \| (?<id>POOL\d{3}) \|", RegexOptions.Multiline)]
    private static partial Regex MistakeRow();

    [GeneratedRegex(@"dotnet format analyzers\b[^\n]*?--diagnostics(?<ids>( POOL\d{3})+)")]
    private static partial Regex FormatCommand();
}
