using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>Every <c>docs/rules/POOLnnn.md</c> page: the seven sections in order, and links to its sibling rules that resolve.</summary>
public partial class RulePageTests
{
    private static readonly string[] s_sections =
    [
        "Cause",
        "Why it matters",
        "Non-compliant / compliant",
        "Code fix",
        "Configuration",
        "When to suppress",
        "Related rules",
    ];

    public static TheoryData<string> RuleIds() => [.. ProductAssemblies.Descriptors().Select(d => d.Descriptor.Id).Distinct().Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void RulePage_HasTheSevenSectionsInOrder(string id)
    {
        string[] headings = Headings(Page(id)).ToArray();

        Assert.True(
            s_sections.SequenceEqual(headings),
            $"docs/rules/{id}.md has the sections [{string.Join(" · ", headings)}]; expected [{string.Join(" · ", s_sections)}].");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void RelatedRules_LinkSiblingPagesThatExist(string id)
    {
        string page = Page(id);
        string related = Section(page, "Related rules");
        var siblings = RuleLink().Matches(related).Select(m => m.Groups["id"].Value).Distinct().ToList();

        Assert.True(siblings.Exists(s => s != id), $"docs/rules/{id}.md 'Related rules' links no other rule page.");
        IEnumerable<string> failures = RuleLink().Matches(page)
            .Select(m => m.Groups["id"].Value)
            .Where(target => !File.Exists(Repository.PathOf("docs", "rules", target + ".md")))
            .Select(target => $"docs/rules/{id}.md links {target}.md, which does not exist");
        DescriptorTests.AssertNone(failures);
    }

    private static string Page(string id)
    {
        string path = Repository.PathOf("docs", "rules", id + ".md");
        Assert.True(File.Exists(path), $"docs/rules/{id}.md does not exist");
        return File.ReadAllText(path).ReplaceLineEndings("\n");
    }

    /// <summary>The level-2 headings, outside fenced code blocks (where '#' starts a comment).</summary>
    private static IEnumerable<string> Headings(string page)
    {
        bool inFence = false;
        foreach (string line in page.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                yield return line[3..].Trim();
            }
        }
    }

    private static string Section(string page, string heading)
    {
        int start = page.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no '## {heading}' section");
        int end = page.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? page[start..] : page[start..end];
    }

    [GeneratedRegex(@"\]\((?<id>POOL\d{3})\.md\)")]
    private static partial Regex RuleLink();
}
