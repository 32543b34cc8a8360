using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Analyzer.Benchmarks.Analysis;
using PoolAnalyzers.Analyzer.Benchmarks.Corpus;

namespace PoolAnalyzers.Analyzer.Benchmarks;

/// <summary>
/// The <c>--scaling [runs]</c> mode: how the analyzers' cost grows with the driver corpus. For 1,000
/// and 10,000 files it times (a) the compiler alone and (c) the compiler plus every PoolAnalyzers
/// analyzer (and the anchor below) with execution timing on, alternating, and records the time the
/// analyzers spent in their own callbacks. The IRQL engine searches callers across the whole
/// compilation, so this is where a cost that grows faster than the code would show. Prints medians
/// and ranges as Markdown.
/// </summary>
/// <remarks>
/// A 1,000-file run is a tenth of a 10,000-file one, so it is run three times as often: its callback
/// total swings most, by whichever collections land in a callback. Three totals are kept: each run's
/// sum over the analyzers, collections included, as a median and as a mean; and the sum of each
/// analyzer's median, a typical run's own work. A collection lands in a callback about as often as
/// the callbacks' share of the allocations says: at 1,000 files a few runs in ten hold one, which the
/// median drops; at 10,000 files, with ten times the collections, every run holds some. The mean
/// counts them alike at both sizes.
/// <para>
/// The anchor runs in the same compilations: the empty analyzer of case (b), whose only callback does
/// nothing for every invocation. Its callback time is the driver's own per-callback cost plus whatever
/// collections and preemption land inside the callbacks, so its growth is what any operation analyzer
/// pays on this machine for ten times the code, before doing any work. Each rule's own growth is
/// printed beside it. Beside the anchor run three linear references, whose work grows exactly with the
/// code (the report prints how much each did at both sizes): <see cref="LinearWalkAnalyzer"/> walks every
/// body and allocates nothing; <see cref="LinearGraphAnalyzer"/> builds the graph of every body that
/// calls a <c>Ke…</c> routine and allocates as a flow analysis does; <see cref="LinearAllocatingWalkAnalyzer"/>
/// walks as the first and allocates about as much as the second. Their growth is what linear work of
/// the rules' kinds reads on this machine, and what allocation alone adds to it.
/// </para>
/// <para>
/// A collection stops every thread, so a callback's clock time holds a share of the pauses as large as
/// its share of the clock, and that share grows with the heap: the report prints the collector's share
/// of (c)'s clock time at both sizes and the growth it alone gives work that grows exactly ten times,
/// and the callbacks' growth against the compiler's own in the same run, which the machine moves alike.
/// </para>
/// </remarks>
internal static class ScalingReport
{
    private static readonly int[] FileCounts = [GeneratedCorpus.DefaultFileCount, 10 * GeneratedCorpus.DefaultFileCount];

    public static async Task RunAsync(TextWriter output, int runs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runs);
        ImmutableArray<DiagnosticAnalyzer> poolAnalyzers = PoolAnalyzerSet.Load();
        DiagnosticAnalyzer anchor = new EmptyInvocationAnalyzer();
        var walk = new LinearWalkAnalyzer();
        var allocatingWalk = new LinearAllocatingWalkAnalyzer();
        var graph = new LinearGraphAnalyzer();
        (LinearReferenceAnalyzer Analyzer, string Unit)[] references =
            [(walk, "operations walked"), (allocatingWalk, "operations walked, an array allocated at each"), (graph, "graph blocks built")];
        ImmutableArray<DiagnosticAnalyzer> timed = [.. poolAnalyzers, anchor, .. references.Select(reference => reference.Analyzer)];
        var rows = new List<(int Files, Samples Compiler, Samples Analyzed, List<double> Callbacks, double Typical, Dictionary<DiagnosticAnalyzer, double> Medians)>();
        var referenceWork = new List<double[]>();
        foreach (int files in FileCounts)
        {
            var corpus = GeneratedCorpus.Create(CorpusKind.Driver, files);
            corpus.EnsureCompiles();
            var compiler = new Samples();
            var analyzed = new Samples();
            var callbacks = new List<double>();
            var perAnalyzer = timed.ToDictionary(analyzer => analyzer, _ => new List<double>());
            AnalyzerTelemetryReport.TimedRun? last = null;
            int runsHere = files == FileCounts[0] ? 3 * runs : runs;
            long[] workBefore = [.. references.Select(reference => reference.Analyzer.Work)];

            // One discarded warm-up of each case, then alternate which goes first.
            for (int run = -1; run < runsHere; run++)
            {
                Func<Task>[] cases =
                [
                    () => compiler.MeasureAsync(() => Task.FromResult(corpus.CreateCompilation().GetDiagnostics())),
                    () => analyzed.MeasureAsync(async () => last = await AnalyzerTelemetryReport.AnalyzeTimedAsync(corpus, timed).ConfigureAwait(false)),
                ];
                for (int i = 0; i < cases.Length; i++)
                {
                    await cases[(Math.Max(run, 0) + i) % cases.Length]().ConfigureAwait(false);
                }

                if (run < 0)
                {
                    compiler.Clear();
                    analyzed.Clear();
                    continue;
                }

                callbacks.Add(poolAnalyzers.Sum(analyzer => last!.Telemetry[analyzer].ExecutionTime.TotalMilliseconds));
                foreach (DiagnosticAnalyzer analyzer in timed)
                {
                    perAnalyzer[analyzer].Add(last!.Telemetry[analyzer].ExecutionTime.TotalMilliseconds);
                }
            }

            // Throws when a seeded rule stopped firing or an analyzer threw: such timings mean nothing.
            output.WriteLine(SeededFindingCheck.Verify(corpus, last!.Diagnostics));
            referenceWork.Add([.. references.Select((reference, i) => (double)(reference.Analyzer.Work - workBefore[i]) / (runsHere + 1))]);
            var medians = perAnalyzer.ToDictionary(pair => pair.Key, pair => Samples.Median(pair.Value));
            rows.Add((files, compiler, analyzed, callbacks, poolAnalyzers.Sum(analyzer => medians[analyzer]), medians));
        }

        output.WriteLine();
        output.WriteLine(Invariant($"Driver corpus, medians (and ranges) of {3 * runs} runs at 1,000 files and {runs} at 10,000, alternating, after one discarded warm-up; ms of process CPU time; (c) here runs with execution timing on, the anchor and the three linear references in the same compilations:"));
        output.WriteLine();
        output.WriteLine("| Files | (a) compiler CPU | (c) + PoolAnalyzers CPU | Callbacks, sum per run | Callbacks, mean of the sums | Callbacks, sum of each analyzer's median | Sum per run / (a) CPU | (c) collector pauses | Pauses / (c) wall |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach ((int files, Samples compiler, Samples analyzed, List<double> callbacks, double typical, _) in rows)
        {
            output.WriteLine(Invariant(
                $"| {files:N0} | {Describe(compiler.Cpu)} | {Describe(analyzed.Cpu)} | {Describe(callbacks)} | {callbacks.Average():F0} | {typical:F0} | {100 * Samples.Median(callbacks) / Samples.Median(compiler.Cpu):F2} % | {Describe(analyzed.GcPause)} | {100 * PausedShare(analyzed):F1} % |"));
        }

        (int _, Samples smallCompiler, Samples smallAnalyzed, List<double> smallCallbacks, double smallTypical, Dictionary<DiagnosticAnalyzer, double> small) = rows[0];
        (int _, Samples largeCompiler, Samples largeAnalyzed, List<double> largeCallbacks, double largeTypical, Dictionary<DiagnosticAnalyzer, double> large) = rows[^1];
        double compilerGrowth = Samples.Median(largeCompiler.Cpu) / Samples.Median(smallCompiler.Cpu);
        double byMedian = Samples.Median(largeCallbacks) / Samples.Median(smallCallbacks);
        double byMean = largeCallbacks.Average() / smallCallbacks.Average();
        double byTypical = largeTypical / smallTypical;
        output.WriteLine();
        output.WriteLine(Invariant(
            $"10,000 files against 1,000 (target ≤ 11×): analyzers' own callbacks {byMedian:F2}× (median of the sums), {byMean:F2}× (mean of the sums), {byTypical:F2}× (sum of medians); (c) CPU {Samples.Median(largeAnalyzed.Cpu) / Samples.Median(smallAnalyzed.Cpu):F2}×, (a) CPU {compilerGrowth:F2}×; anchor (the empty analyzer's callbacks) {large[anchor] / small[anchor]:F2}×."));
        output.WriteLine();
        output.WriteLine(Invariant(
            $"Against the compiler's own growth in the same run ((a) CPU, {compilerGrowth:F2}×), the analyzers' callbacks grew {byMedian / compilerGrowth:F2} times as much (median of the sums), {byMean / compilerGrowth:F2} (mean of the sums), {byTypical / compilerGrowth:F2} (sum of medians)."));
        output.WriteLine();
        double smallPaused = PausedShare(smallAnalyzed), largePaused = PausedShare(largeAnalyzed);
        output.WriteLine(Invariant(
            $"The collector stops every thread for {100 * smallPaused:F1} % of (c)'s clock time at 1,000 files and {100 * largePaused:F1} % at 10,000: callbacks that do exactly ten times the work and take collections in proportion to their clock time grow {10 * (1 - smallPaused) / (1 - largePaused):F2}× on average, and {10 / (1 - largePaused):F2}× by a median that holds no collection at 1,000 files."));
        output.WriteLine();
        for (int i = 0; i < references.Length; i++)
        {
            (LinearReferenceAnalyzer reference, string unit) = references[i];
            output.WriteLine(Invariant(
                $"Linear reference {PoolAnalyzerSet.Label(reference)}: {referenceWork[0][i]:N0} {unit} a compile at 1,000 files, {referenceWork[^1][i]:N0} at 10,000 ({referenceWork[^1][i] / referenceWork[0][i]:F2}× the work); its callbacks grew {large[reference] / small[reference]:F2}× (medians)."));
        }

        output.WriteLine();
        output.WriteLine("Each analyzer's own callback time, median, and its growth (the anchor and the linear references first):");
        output.WriteLine();
        output.WriteLine("| Analyzer (rules) | 1,000 files | 10,000 files | Growth |");
        output.WriteLine("|---|---:|---:|---:|");
        foreach (DiagnosticAnalyzer analyzer in timed.OrderBy(analyzer => analyzer == anchor ? 0 : analyzer is LinearReferenceAnalyzer ? 1 : 2).ThenByDescending(analyzer => small[analyzer]))
        {
            output.WriteLine(Invariant($"| {PoolAnalyzerSet.Label(analyzer)} | {small[analyzer]:F1} ms | {large[analyzer]:F1} ms | {large[analyzer] / small[analyzer]:F2}× |"));
        }
    }

    /// <summary>The share of a case's clock time the collector held its threads still, by the medians of its runs.</summary>
    private static double PausedShare(Samples samples) => Samples.Median(samples.GcPause) / Samples.Median(samples.Wall);

    private static string Describe(List<double> values)
        => Invariant($"{Samples.Median(values):F0} ({values.Min():F0}–{values.Max():F0})");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
