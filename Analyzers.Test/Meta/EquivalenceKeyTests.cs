using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>
/// What the framework cannot see from one test: over the whole corpus (<see cref="CorpusSources"/>),
/// every action a fixer offers is applied. Equivalence keys decide what Fix All groups together, so
/// each kind of action needs its own stable key; an offered action must change the code; and the
/// corpus must exercise every rule and every fixer, or the robustness run proves little.
/// </summary>
public class EquivalenceKeyTests
{
    /// <summary>One run over the corpus, shared by the tests of this class.</summary>
    private static readonly Lazy<Task<List<ProductRunResult>>> s_corpusRun = new(async () =>
    {
        var results = new List<ProductRunResult>();
        foreach (CorpusSource source in CorpusSources.All())
        {
            results.Add(await ProductRun.RunAsync(source.Name, source.Text, new ProductRunOptions(ApplyActions.Every, IncludeCompilerErrors: false)));
        }

        return results;
    });

    [Fact]
    public async Task EveryOfferedAction_ChangesTheCodeAndHasAKeyUniqueToItsFixer()
    {
        List<ProductRunResult> results = await s_corpusRun.Value;
        var actions = results.SelectMany(r => r.Actions).ToList();
        var failures = results.SelectMany(r => r.Failures).ToList();

        failures.AddRange(actions.Where(a => string.IsNullOrEmpty(a.EquivalenceKey))
            .Select(a => $"{a.Fixer}: action '{a.Title}' for {a.DiagnosticId} has no equivalence key"));
        failures.AddRange(actions.GroupBy(a => a.Registration)
            .Where(g => g.Select(a => a.EquivalenceKey).Distinct().Count() < g.Count())
            .Select(g => $"{g.First().Fixer} offers several actions with one key for {g.First().DiagnosticId}: {string.Join(", ", g.Select(a => $"'{a.Title}' [{a.EquivalenceKey}]"))}"));
        failures.AddRange(actions.Where(a => a.EquivalenceKey is not null).GroupBy(a => a.EquivalenceKey)
            .Where(g => g.Select(a => a.Fixer).Distinct().Count() > 1)
            .Select(g => $"Key '{g.Key}' is used by {string.Join(", ", g.Select(a => a.Fixer).Distinct())}"));

        var silent = ProductAssemblies.CodeFixTypes.Select(t => t.Name).Except(actions.Select(a => a.Fixer)).ToList();
        failures.AddRange(silent.Select(f => $"No corpus source (Meta/DriverCorpus.cs, samples/, the rule tests) makes {f} offer an action"));
        DescriptorTests.AssertNone(failures);
    }

    [Fact]
    public async Task Corpus_TriggersEveryRule()
    {
        var reported = (await s_corpusRun.Value).SelectMany(r => r.Diagnostics).Select(d => d.Id).ToHashSet();

        DescriptorTests.AssertNone(ProductAssemblies.Descriptors().Select(d => d.Descriptor.Id).Distinct().Where(id => !reported.Contains(id))
            .Select(id => $"No corpus source (Meta/DriverCorpus.cs, samples/, the rule tests) triggers {id}"));
    }

    [Fact]
    public async Task DriverCorpus_Compiles()
    {
        var failures = new List<string>();
        foreach (CorpusSource source in CorpusSources.Driver())
        {
            ProductRunResult result = await ProductRun.RunAsync(source.Name, source.Text, new ProductRunOptions(ApplyActions.None, IncludeCompilerErrors: true));
            failures.AddRange(result.CompilerErrors.Select(e => $"{source.Name}: {e}"));
            failures.AddRange(result.Failures);
        }

        DescriptorTests.AssertNone(failures);
    }
}
