using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>Every shipped descriptor: ID format, help page, release entry, category, analyzer attribute.</summary>
public partial class DescriptorTests
{
    [Fact]
    public void AnalyzerAssembly_HasAnalyzersAndDescriptors()
    {
        Assert.NotEmpty(ProductAssemblies.AnalyzerTypes);
        Assert.NotEmpty(ProductAssemblies.Descriptors());
    }

    [Fact]
    public void EveryAnalyzer_IsExportedForCSharp()
    {
        IEnumerable<string> failures = ProductAssemblies.AnalyzerTypes
            .Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>()?.Languages.Contains(LanguageNames.CSharp) != true)
            .Select(t => $"{t.Name} lacks [DiagnosticAnalyzer(LanguageNames.CSharp)]");
        AssertNone(failures);
    }

    [Fact]
    public void EveryDescriptor_HasAPoolId()
    {
        IEnumerable<string> failures = ProductAssemblies.Descriptors()
            .Where(d => !PoolId().IsMatch(d.Descriptor.Id))
            .Select(d => $"{d.Analyzer.Name}: ID '{d.Descriptor.Id}' does not match POOL followed by three digits");
        AssertNone(failures);
    }

    [Fact]
    public void DescriptorsSharingAnId_AgreeOnCategorySeverityAndTitle()
    {
        IEnumerable<string> failures = ProductAssemblies.Descriptors()
            .GroupBy(d => d.Descriptor.Id)
            .Where(g => g.Select(d => (d.Descriptor.Category, d.Descriptor.DefaultSeverity, Title: d.Descriptor.Title.ToString())).Distinct().Count() > 1)
            .Select(g => $"{g.Key} is declared differently by {string.Join(", ", g.Select(d => d.Analyzer.Name))}");
        AssertNone(failures);
    }

    [Fact]
    public void EveryDescriptor_LinksToItsRulePageInTheRepository()
    {
        var failures = new List<string>();
        foreach ((Type? analyzer, DiagnosticDescriptor? descriptor) in ProductAssemblies.Descriptors())
        {
            string page = $"docs/rules/{descriptor.Id}.md";
            if (!Uri.TryCreate(descriptor.HelpLinkUri, UriKind.Absolute, out Uri? uri) || !uri.AbsolutePath.EndsWith("/" + page, StringComparison.Ordinal))
            {
                failures.Add($"{descriptor.Id} ({analyzer.Name}): helpLinkUri '{descriptor.HelpLinkUri}' does not point at {page}");
            }

            if (!File.Exists(Repository.PathOf("docs", "rules", descriptor.Id + ".md")))
            {
                failures.Add($"{descriptor.Id} ({analyzer.Name}): {page} does not exist");
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public void EveryDescriptor_HasAReleaseEntryWithItsCategoryAndSeverity()
    {
        List<ReleaseEntry> entries = ReleaseTracking.ReadAll();
        var failures = new List<string>();
        foreach ((Type? analyzer, DiagnosticDescriptor? descriptor) in ProductAssemblies.Descriptors().DistinctBy(d => d.Descriptor.Id))
        {
            var own = entries.Where(e => e.Id == descriptor.Id && e.Section is "New Rules" or "Changed Rules").ToList();
            if (own.Count == 0)
            {
                failures.Add($"{descriptor.Id} ({analyzer.Name}) has no row under 'New Rules' or 'Changed Rules' in Analyzers/AnalyzerReleases.Shipped.md or Unshipped.md");
                continue;
            }

            // The last row (Unshipped after Shipped, Changed after New) is the current state.
            ReleaseEntry current = own[^1];
            if (current.Category != descriptor.Category || !string.Equals(current.Severity, descriptor.DefaultSeverity.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{descriptor.Id}: {current.File} says {current.Category}/{current.Severity}, the descriptor says {descriptor.Category}/{descriptor.DefaultSeverity}");
            }
        }

        AssertNone(failures);
    }

    [Fact]
    public void EveryReleaseEntry_IsAShippedRuleNamingItsAnalyzer()
    {
        ILookup<string, string> analyzers = ProductAssemblies.Descriptors().ToLookup(d => d.Descriptor.Id, d => d.Analyzer.Name);
        IEnumerable<string> failures = ReleaseTracking.ReadAll()
            .Where(e => e.Section is "New Rules" or "Changed Rules")
            .Where(e => !analyzers[e.Id].Contains(e.Notes))
            .Select(e => analyzers.Contains(e.Id)
                ? $"{e.File}: {e.Id}'s notes say '{e.Notes}'; the analyzer reporting it is {string.Join(" or ", analyzers[e.Id])}"
                : $"{e.File}: {e.Id} is listed under '{e.Section}', but no analyzer reports it (a removed rule goes under 'Removed Rules')");
        AssertNone(failures);
    }

    [Fact]
    public void EveryDescriptor_UsesADeclaredCategory()
    {
        HashSet<string> categories = DeclaredCategories();
        Assert.InRange(categories.Count, 1, 8);
        IEnumerable<string> failures = ProductAssemblies.Descriptors()
            .Where(d => !categories.Contains(d.Descriptor.Category))
            .Select(d => $"{d.Descriptor.Id}: category '{d.Descriptor.Category}' is not one of DiagnosticCategories ({string.Join(", ", categories)})");
        AssertNone(failures);
    }

    [Fact]
    public void EveryDescriptor_HasATitleAndAMessage()
    {
        IEnumerable<string> failures = ProductAssemblies.Descriptors()
            .Where(d => string.IsNullOrWhiteSpace(d.Descriptor.Title.ToString()) || string.IsNullOrWhiteSpace(d.Descriptor.MessageFormat.ToString()))
            .Select(d => $"{d.Descriptor.Id}: empty title or message format");
        AssertNone(failures);
    }

    /// <summary>The one place categories are defined: the public constants of <see cref="DiagnosticCategories"/>.</summary>
    internal static HashSet<string> DeclaredCategories() => typeof(DiagnosticCategories)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    internal static void AssertNone(IEnumerable<string> failures)
    {
        var list = failures.ToList();
        Assert.True(list.Count == 0, string.Join(Environment.NewLine, list));
    }

    [GeneratedRegex(@"^POOL\d{3}$")]
    private static partial Regex PoolId();
}
