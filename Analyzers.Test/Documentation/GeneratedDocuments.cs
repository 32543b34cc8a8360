using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Test.Documentation;

/// <summary>A file with generated parts, and how to regenerate them from its current text.</summary>
internal sealed record GeneratedDocument(string Path, Func<string, string> Regenerate)
{
    public override string ToString() => Path;
}

/// <summary>
/// Every file that lists the rules, and what <see cref="RuleCatalog"/> writes into it: the rule tables
/// of the two READMEs, the <c>dotnet format</c> command for the fixable rules, the package description,
/// and the header of each rule page (title, ID, category, severity, fix, message).
/// </summary>
internal static partial class GeneratedDocuments
{
    public const string RulesRegion = "rules";
    public const string FormatCommandRegion = "format-command";
    public const string HeaderRegion = "header";

    /// <summary>The phrase of the package description after which the rule list is generated.</summary>
    public const string DescriptionRulesLead = "Rules: ";

    public static IEnumerable<GeneratedDocument> All()
    {
        yield return new("README.md", text => WithRegions(text, "README.md", RuleTable(r => $"docs/rules/{r.Id}.md")));
        yield return new("Package/README.md", text => WithRegions(text, "Package/README.md", RuleTable(r => r.Descriptor.HelpLinkUri)));
        yield return new("Package/PoolAnalyzers.Package.csproj", PackageDescription);
        foreach (RuleInfo rule in RuleCatalog.Rules)
        {
            yield return new($"docs/rules/{rule.Id}.md", text => RulePage(text, rule));
        }
    }

    private static string WithRegions(string text, string file, string ruleTable) =>
        GeneratedRegions.Replace(GeneratedRegions.Replace(text, RulesRegion, ruleTable, file), FormatCommandRegion, FormatCommand(), file);

    /// <summary>One row per rule: ID (linked), title, default severity, whether it has a code fix.</summary>
    public static string RuleTable(Func<RuleInfo, string> link)
    {
        var table = new StringBuilder("| ID | Title | Default | Code fix |\n|---|---|---|---|\n");
        foreach (RuleInfo rule in RuleCatalog.Rules)
        {
            table.Append($"| [{rule.Id}]({link(rule)}) | {Cell(rule.Title)} | {Severity(rule.Descriptor)} | {(rule.HasCodeFix ? "Yes" : "—")} |\n");
        }

        return table.ToString();
    }

    /// <summary>The command that applies every fixable rule.</summary>
    public static string FormatCommand() => "```bash\ndotnet format analyzers --diagnostics " + string.Join(' ', RuleCatalog.FixableIds) + "\n```\n";

    /// <summary>The title, and a table of what the descriptor says.</summary>
    public static string RuleHeader(RuleInfo rule)
    {
        DiagnosticDescriptor d = rule.Descriptor;
        return $"""
            # {rule.Id}: {rule.Title}

            | | |
            |---|---|
            | ID | {rule.Id} |
            | Category | {d.Category} |
            | Default severity | {Severity(d)} |
            | Enabled by default | {(d.IsEnabledByDefault ? "Yes" : "No")} |
            | Code fix | {(rule.HasCodeFix ? "Yes" : "No")} |
            | Message | `{Cell(d.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture))}` |

            """;
    }

    /// <summary>A rule page with its header regenerated; a new page without one gets it at the top.</summary>
    private static string RulePage(string text, RuleInfo rule) =>
        GeneratedRegions.Contains(text, HeaderRegion)
            ? GeneratedRegions.Replace(text, HeaderRegion, RuleHeader(rule), $"docs/rules/{rule.Id}.md")
            : GeneratedRegions.Wrap(HeaderRegion, RuleHeader(rule)) + "\n" + text;

    /// <summary>The package description: its own words up to <see cref="DescriptionRulesLead"/>, then every rule and its title.</summary>
    private static string PackageDescription(string project)
    {
        Match description = Description().Match(project);
        if (!description.Success)
        {
            throw new InvalidOperationException($"Package/PoolAnalyzers.Package.csproj has no <Description> containing '{DescriptionRulesLead}'.");
        }

        string rules = DescriptionRulesLead + string.Join("; ", RuleCatalog.Rules.Select(r => $"{r.Id} {r.Title}")) + ".";
        return project[..description.Groups["rules"].Index] + System.Security.SecurityElement.Escape(rules) + project[(description.Groups["rules"].Index + description.Groups["rules"].Length)..];
    }

    private static string Severity(DiagnosticDescriptor descriptor) => descriptor.DefaultSeverity.ToString();

    /// <summary>Text safe inside a Markdown table cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    [GeneratedRegex(@"<Description>[^<]*?(?<rules>Rules: [^<]*)</Description>")]
    private static partial Regex Description();
}
