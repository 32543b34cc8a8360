using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>
/// Equivalence keys decide what Fix All groups together, so each kind of action needs its own
/// stable key; and an offered action must change the code. Both are checked by running every fixer
/// over the corpus and applying every action it offers (the framework applies only the one a test picks).
/// </summary>
public class EquivalenceKeyTests
{
    [Fact]
    public async Task EveryOfferedAction_ChangesTheCodeAndHasAKeyUniqueToItsFixer()
    {
        var actions = new List<OfferedAction>();
        var failures = new List<string>();
        foreach (var source in CorpusSources.All())
        {
            var result = await ProductRun.RunAsync(source.Name, source.Text, new ProductRunOptions(ApplyActions.Every, IncludeCompilerErrors: false));
            actions.AddRange(result.Actions);
            failures.AddRange(result.Failures);
        }

        failures.AddRange(actions.Where(a => string.IsNullOrEmpty(a.EquivalenceKey))
            .Select(a => $"{a.Fixer}: action '{a.Title}' for {a.DiagnosticId} has no equivalence key"));
        failures.AddRange(actions.GroupBy(a => a.Registration)
            .Where(g => g.Select(a => a.EquivalenceKey).Distinct().Count() < g.Count())
            .Select(g => $"{g.First().Fixer} offers several actions with one key for {g.First().DiagnosticId}: {string.Join(", ", g.Select(a => $"'{a.Title}' [{a.EquivalenceKey}]"))}"));
        failures.AddRange(actions.Where(a => a.EquivalenceKey is not null).GroupBy(a => a.EquivalenceKey)
            .Where(g => g.Select(a => a.Fixer).Distinct().Count() > 1)
            .Select(g => $"Key '{g.Key}' is used by {string.Join(", ", g.Select(a => a.Fixer).Distinct())}"));

        var silent = ProductAssemblies.CodeFixTypes.Select(t => t.Name).Except(actions.Select(a => a.Fixer)).ToList();
        failures.AddRange(silent.Select(f => $"No corpus source makes {f} offer an action; add one to Meta/DriverCorpus.cs"));
        DescriptorTests.AssertNone(failures);
    }

    [Fact]
    public async Task DriverCorpus_CompilesAndTriggersEveryRule()
    {
        var reported = new HashSet<string>();
        var failures = new List<string>();
        foreach (var source in CorpusSources.Driver())
        {
            var result = await ProductRun.RunAsync(source.Name, source.Text, new ProductRunOptions(ApplyActions.None, IncludeCompilerErrors: true));
            failures.AddRange(result.CompilerErrors.Select(e => $"{source.Name}: {e}"));
            failures.AddRange(result.Failures);
            reported.UnionWith(result.Diagnostics.Select(d => d.Id));
        }

        failures.AddRange(ProductAssemblies.Descriptors().Select(d => d.Descriptor.Id).Distinct().Where(id => !reported.Contains(id))
            .Select(id => $"No source in Meta/DriverCorpus.cs triggers {id}; add one"));
        DescriptorTests.AssertNone(failures);
    }
}
