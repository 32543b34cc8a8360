using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Analyzer.Benchmarks.Corpus;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// The analyzers must report exactly the findings seeded into the corpus before their cost means
/// anything: a rule that stopped firing, or an analyzer that throws, would otherwise only look faster.
/// Each seeded rule must report once per seeded file and nothing else may be reported: the driver
/// corpus's own routines break no rule, so any other finding is a false positive; the plain corpus
/// (no runtime) gets nothing at all; and no analyzer may throw (AD0001).
/// </summary>
internal static class SeededFindingCheck
{
    private static readonly CompilationWithAnalyzersOptions Options = new(
        new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false);

    /// <summary>Analyzes <paramref name="corpus"/> once and checks its findings; returns one line per rule, for the log.</summary>
    public static async Task<string> VerifyAsync(GeneratedCorpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        ImmutableArray<Diagnostic> diagnostics = await corpus.CreateCompilation().WithAnalyzers(analyzers, Options).GetAnalyzerDiagnosticsAsync().ConfigureAwait(false);
        return Verify(corpus, diagnostics);
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming every mismatch between <paramref name="diagnostics"/> and the seeds.</summary>
    public static string Verify(GeneratedCorpus corpus, ImmutableArray<Diagnostic> diagnostics)
    {
        IReadOnlyDictionary<string, int> expected = corpus.SeededFindings();
        var actual = diagnostics
            .Where(d => d.Id.StartsWith("POOL", StringComparison.Ordinal) || d.Id == "AD0001")
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var problems = new List<string>();
        foreach ((string id, int count) in expected)
        {
            int found = actual.GetValueOrDefault(id);
            if (found != count)
            {
                problems.Add(Invariant($"{id}: {found} findings, {count} seeded"));
            }
        }

        if (actual.TryGetValue("AD0001", out int crashes))
        {
            problems.Add(Invariant($"AD0001: an analyzer threw {crashes} times; first: {diagnostics.First(d => d.Id == "AD0001").GetMessage(CultureInfo.InvariantCulture)}"));
        }

        if (corpus.Kind == CorpusKind.Plain && actual.Keys.Any(id => id != "AD0001"))
        {
            problems.Add("the plain corpus does not reference the runtime, yet the rules reported " + string.Join(", ", actual.Select(p => Invariant($"{p.Key} ×{p.Value}"))));
        }
        else
        {
            problems.AddRange(actual
                .Where(p => p.Key != "AD0001" && !expected.ContainsKey(p.Key))
                .Select(p => Invariant($"{p.Key}: {p.Value} findings, none seeded (the corpus's own routines break no rule)")));
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The {corpus.Kind} corpus does not get the findings its files are seeded with, so the timings would not measure working rules:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", problems));
        }

        string seeded = string.Join(", ", expected.Select(p => Invariant($"{p.Key} {p.Value}")));
        return Invariant($"{corpus.Kind} corpus: exactly the seeded findings reported ({(seeded.Length == 0 ? "none seeded" : seeded)}).");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
