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
    public const string RoutinesRegion = "routines";

    /// <summary>
    /// The routine tables of the rule pages that have one, from <see cref="RuntimeRoutines"/>: the
    /// parameters and routines the rule reads, the way its analyzer selects them.
    /// </summary>
    private static readonly Dictionary<string, Func<string>> s_routineTables = new(StringComparer.Ordinal)
    {
        [DiagnosticIds.ZeroSizeRequest] = () => RoutineTable(
            "Argument",
            RuntimeRoutines.All.Where(r => r.Size is not null || r.SegmentSize is not null),
            r => string.Join(", ", new[] { r.Size, r.SegmentSize }.OfType<string>().Select(p => $"`{p}`"))),
        [DiagnosticIds.PagedPoolAtDispatch] = () => RoutineTable(
            "Reported when",
            RuntimeRoutines.All.Where(r => r.PoolType is not null || r.PoolFlags is not null || r.Pool == RoutinePool.Paged),
            r => r.PoolType is { } poolType ? $"`{poolType}` is a paged constant"
                : r.PoolFlags is { } poolFlags ? $"`{poolFlags}` is a constant whose only pool flag is `POOL_FLAG_PAGED`"
                : "always: it uses paged pool"),
    };

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

    /// <summary>
    /// A rule page with its header regenerated (a new page without one gets it at the top) and, where the
    /// page has the region, its routine table.
    /// </summary>
    private static string RulePage(string text, RuleInfo rule)
    {
        string file = $"docs/rules/{rule.Id}.md";
        text = GeneratedRegions.Contains(text, HeaderRegion)
            ? GeneratedRegions.Replace(text, HeaderRegion, RuleHeader(rule), file)
            : GeneratedRegions.Wrap(HeaderRegion, RuleHeader(rule)) + "\n" + text;
        if (!GeneratedRegions.Contains(text, RoutinesRegion))
        {
            return text;
        }

        return s_routineTables.TryGetValue(rule.Id, out Func<string>? table)
            ? GeneratedRegions.Replace(text, RoutinesRegion, table(), file)
            : throw new InvalidOperationException($"{file} has a '{RoutinesRegion}' region, but GeneratedDocuments has no routine table for {rule.Id}.");
    }

    /// <summary>Routines that share the same cell, one row per distinct cell, in table order.</summary>
    private static string RoutineTable(string heading, IEnumerable<RuntimeRoutine> routines, Func<RuntimeRoutine, string> cell)
    {
        var table = new StringBuilder($"| Routine | {heading} |\n|---|---|\n");
        foreach (IGrouping<string, RuntimeRoutine> row in routines.GroupBy(cell))
        {
            table.Append($"| {string.Join(", ", row.Select(r => $"`{r.Name}`"))} | {row.Key} |\n");
        }

        return table.ToString();
    }

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
