using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;
using PoolAnalyzers.Analyzer.Benchmarks.Analysis;
using PoolAnalyzers.Analyzer.Benchmarks.Corpus;

namespace PoolAnalyzers.Analyzer.Benchmarks;

/// <summary>
/// The <c>--telemetry [runs]</c> mode. Per corpus and run it times the benchmark cases (a)–(d),
/// and (e) the whole compile with code generation (what a build's compiler does without analyzers),
/// back to back, so load from other processes hits all of them alike. Wall-clock
/// and process CPU time are both kept; CPU time is what other processes on a shared machine
/// disturb least. Then it repeats (c) with analyzer execution timing on and records the time
/// each analyzer spent in its own callbacks.
/// Prints medians as Markdown, and the within-run difference of (c) and (b) with its range: the
/// "where does the time go" view the benchmark cannot give.
/// </summary>
internal static class AnalyzerTelemetryReport
{
    private static readonly CompilationWithAnalyzersOptions PlainOptions = new(
        new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false);

    private static readonly CompilationWithAnalyzersOptions TimedOptions = new(
        new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);

    public static async Task RunAsync(TextWriter output, int runs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runs);
        DiagnosticAnalyzer empty = new EmptyInvocationAnalyzer();
        DiagnosticAnalyzer idle = new IdleCompilationStartAnalyzer();
        ImmutableArray<DiagnosticAnalyzer> poolAnalyzers = PoolAnalyzerSet.Load();
        ImmutableArray<DiagnosticAnalyzer> timed = poolAnalyzers.Add(empty);
        var caseRows = new List<string>();
        var pairedRows = new List<string>();
        var analyzerRows = new List<string>();

        foreach (CorpusKind kind in Enum.GetValues<CorpusKind>())
        {
            var corpus = GeneratedCorpus.Create(kind);
            corpus.EnsureCompiles();
            var compilerOnly = new Samples();
            var withEmpty = new Samples();
            var withPool = new Samples();
            var withIdle = new Samples();
            var compileAndEmit = new Samples();
            var callbackTimes = timed.ToDictionary(analyzer => analyzer, _ => new List<double>());
            var poolTotals = new List<double>();
            TimedRun? last = null;

            Func<Task>[] cases =
            [
                () => compilerOnly.MeasureAsync(() => Task.FromResult(corpus.CreateCompilation().GetDiagnostics())),
                () => withEmpty.MeasureAsync(() => AllDiagnosticsAsync(corpus, [empty])),
                () => withPool.MeasureAsync(() => AllDiagnosticsAsync(corpus, poolAnalyzers)),
                () => withIdle.MeasureAsync(() => AllDiagnosticsAsync(corpus, [idle])),
                () => compileAndEmit.MeasureAsync(() => Task.FromResult(Emit(corpus))),
            ];

            // One warm-up pass (discarded) lets tiered JIT settle; each run then starts at the next
            // case, so over a multiple of five runs every case takes every position in the order
            // and no case is favoured by running after the same neighbour.
            foreach (Func<Task> measure in cases)
            {
                await measure().ConfigureAwait(false);
            }

            compilerOnly.Clear();
            withEmpty.Clear();
            withPool.Clear();
            withIdle.Clear();
            compileAndEmit.Clear();
            for (int run = 0; run < runs; run++)
            {
                for (int i = 0; i < cases.Length; i++)
                {
                    await cases[(run + i) % cases.Length]().ConfigureAwait(false);
                }

                last = await AnalyzeTimedAsync(corpus, timed).ConfigureAwait(false);
                foreach (DiagnosticAnalyzer analyzer in timed)
                {
                    callbackTimes[analyzer].Add(last.Telemetry[analyzer].ExecutionTime.TotalMilliseconds);
                }

                poolTotals.Add(poolAnalyzers.Sum(analyzer => last.Telemetry[analyzer].ExecutionTime.TotalMilliseconds));
            }

            // Before the medians below, which sort the samples: run i of every case is still at index i.
            List<double> paired = Differences(withPool.Cpu, withEmpty.Cpu);
            caseRows.Add(CaseRow(kind, "wall", compilerOnly.Wall, withEmpty.Wall, withPool.Wall, withIdle.Wall, compileAndEmit.Wall));
            caseRows.Add(CaseRow(kind, "CPU", compilerOnly.Cpu, withEmpty.Cpu, withPool.Cpu, withIdle.Cpu, compileAndEmit.Cpu));
            double a = Samples.Median(compilerOnly.Cpu);
            double e = Samples.Median(compileAndEmit.Cpu);
            foreach (DiagnosticAnalyzer analyzer in timed)
            {
                double time = Samples.Median(callbackTimes[analyzer]);
                analyzerRows.Add(Invariant(
                    $"| {kind} | {PoolAnalyzerSet.Label(analyzer)} | {time:F1} | {100 * time / a:F2} % | {100 * time / e:F2} % | {DescribeActions(last!.Telemetry[analyzer])} | {DescribeDiagnostics(last.Diagnostics, analyzer)} |"));
            }

            pairedRows.Add(PairedRow(kind, paired, a, e));
            double total = Samples.Median(poolTotals);
            analyzerRows.Add(Invariant($"| {kind} | all PoolAnalyzers analyzers (sum per run) | {total:F1} | {100 * total / a:F2} % | {100 * total / e:F2} % | | |"));

            // A collection that stops the thread inside a callback is timed as that callback's: the sum per
            // run swings by whole collections. Each analyzer's own median rarely holds one; their sum is a
            // typical run's own work, and the gap to the row above is what collections add at the median.
            double typical = poolAnalyzers.Sum(analyzer => Samples.Median(callbackTimes[analyzer]));
            analyzerRows.Add(Invariant($"| {kind} | all PoolAnalyzers analyzers (sum of their medians) | {typical:F1} | {100 * typical / a:F2} % | {100 * typical / e:F2} % | | |"));

            // Throws when a seeded rule stopped firing or an analyzer threw: such timings mean nothing.
            output.WriteLine(SeededFindingCheck.Verify(corpus, last!.Diagnostics));
        }

        output.WriteLine(Invariant($"Medians of {runs} interleaved runs in rotating order (after one discarded warm-up run), {GeneratedCorpus.DefaultFileCount} files per corpus, ms (CPU = process processor time):"));
        output.WriteLine();
        output.WriteLine("| Corpus | Clock | (a) compiler | (b) + empty operation analyzer | (c) + PoolAnalyzers | (d) + idle analyzer | (e) compile + emit | (c)/(b) | (c)/(a) | (d)/(a) | ((c)−(b))/(a) | ((c)−(b))/(e) |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        caseRows.ForEach(output.WriteLine);
        output.WriteLine();
        output.WriteLine("(c) − (b) CPU within each run, where both ran in the same rotation: slow changes in the machine's load cancel out of the difference, so its spread says how far the medians above can be trusted:");
        output.WriteLine();
        output.WriteLine("| Corpus | (c) − (b) CPU, median (range) | Share of (a) | Share of (e) | Runs where (c) − (b) ≤ 5 % of (a) |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        pairedRows.ForEach(output.WriteLine);
        output.WriteLine();
        output.WriteLine("Time each analyzer spent in its own callbacks (logAnalyzerExecutionTime), as a share of (a) and (e) CPU time:");
        output.WriteLine();
        output.WriteLine("| Corpus | Analyzer | Callback time (ms) | Share of (a) | Share of (e) | Registered actions | Diagnostics |");
        output.WriteLine("|---|---|---:|---:|---:|---|---|");
        analyzerRows.ForEach(output.WriteLine);
    }

    private static string CaseRow(CorpusKind kind, string clock, List<double> compilerOnly, List<double> withEmpty, List<double> withPool, List<double> withIdle, List<double> withEmit)
    {
        double a = Samples.Median(compilerOnly), b = Samples.Median(withEmpty), c = Samples.Median(withPool), d = Samples.Median(withIdle), e = Samples.Median(withEmit);
        return Invariant($"| {kind} | {clock} | {a:F0} | {b:F0} | {c:F0} | {d:F0} | {e:F0} | {c / b:F3} | {c / a:F3} | {d / a:F3} | {100 * (c - b) / a:F1} % | {100 * (c - b) / e:F1} % |");
    }

    /// <summary>The difference of two cases run by run (the lists in the order they were measured).</summary>
    private static List<double> Differences(List<double> minuend, List<double> subtrahend)
        => minuend.Zip(subtrahend, (left, right) => left - right).ToList();

    private static string PairedRow(CorpusKind kind, List<double> differences, double a, double e)
    {
        int within = differences.Count(d => d <= 0.05 * a);
        double median = Samples.Median(differences);
        return Invariant($"| {kind} | {median:F0} ({differences.Min():F0} to {differences.Max():F0}) | {100 * median / a:F1} % | {100 * median / e:F1} % | {within} of {differences.Count} |");
    }

    /// <summary>
    /// (e): the compile a build runs, with code generation and the assembly written (to nowhere; no PDB,
    /// so the case is not flattered). The shares of (e) say what the rules add to a real build; the
    /// shares of (a), the stricter ones, compare them with binding and checking alone.
    /// </summary>
    private static EmitResult Emit(GeneratedCorpus corpus)
    {
        EmitResult result = corpus.CreateCompilation().Emit(Stream.Null);
        return result.Success ? result : throw new InvalidOperationException($"The {corpus.Kind} corpus did not emit: {result.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error)}");
    }

    private static async Task<ImmutableArray<Diagnostic>> AllDiagnosticsAsync(GeneratedCorpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers) =>
        await corpus.CreateCompilation().WithAnalyzers(analyzers, PlainOptions).GetAllDiagnosticsAsync().ConfigureAwait(false);

    /// <summary>
    /// Runs the analyzers with execution timing on. Telemetry is recorded by the analyzer-diagnostics
    /// path, so this uses <see cref="CompilationWithAnalyzers.GetAnalyzerDiagnosticsAsync()"/>.
    /// </summary>
    internal static async Task<TimedRun> AnalyzeTimedAsync(GeneratedCorpus corpus, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        CompilationWithAnalyzers compilation = corpus.CreateCompilation().WithAnalyzers(analyzers, TimedOptions);
        ImmutableArray<Diagnostic> diagnostics = await compilation.GetAnalyzerDiagnosticsAsync().ConfigureAwait(false);
        var telemetry = new Dictionary<DiagnosticAnalyzer, AnalyzerTelemetryInfo>();
        foreach (DiagnosticAnalyzer analyzer in analyzers)
        {
            telemetry[analyzer] = await compilation.GetAnalyzerTelemetryInfoAsync(analyzer, default).ConfigureAwait(false);
        }

        return new TimedRun(diagnostics, telemetry);
    }

    private static string DescribeActions(AnalyzerTelemetryInfo info)
    {
        (string Name, int Count)[] actions =
        [
            ("compilation start", info.CompilationStartActionsCount),
            ("compilation end", info.CompilationEndActionsCount),
            ("compilation", info.CompilationActionsCount),
            ("syntax tree", info.SyntaxTreeActionsCount),
            ("semantic model", info.SemanticModelActionsCount),
            ("symbol", info.SymbolActionsCount),
            ("symbol start", info.SymbolStartActionsCount),
            ("syntax node", info.SyntaxNodeActionsCount),
            ("code block start", info.CodeBlockStartActionsCount),
            ("code block", info.CodeBlockActionsCount),
            ("operation", info.OperationActionsCount),
            ("operation block start", info.OperationBlockStartActionsCount),
            ("operation block", info.OperationBlockActionsCount),
        ];
        string described = string.Join(", ", actions.Where(a => a.Count > 0).Select(a => Invariant($"{a.Count} {a.Name}")));
        return described.Length == 0 ? "none" : described;
    }

    private static string DescribeDiagnostics(ImmutableArray<Diagnostic> diagnostics, DiagnosticAnalyzer analyzer)
    {
        var ids = analyzer.SupportedDiagnostics.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        string described = string.Join(", ", diagnostics
            .Where(d => ids.Contains(d.Id))
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Invariant($"{g.Key} ×{g.Count()}")));
        return described.Length == 0 ? "none" : described;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal sealed record TimedRun(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyDictionary<DiagnosticAnalyzer, AnalyzerTelemetryInfo> Telemetry);
}
