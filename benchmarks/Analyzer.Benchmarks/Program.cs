using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using PoolAnalyzers.Analyzer.Benchmarks.Analysis;
using PoolAnalyzers.Analyzer.Benchmarks.Corpus;

namespace PoolAnalyzers.Analyzer.Benchmarks;

/// <summary>
/// Runs the analyzer-cost benchmarks: <c>dotnet run -c Release --project benchmarks/Analyzer.Benchmarks -- --filter '*'</c>,
/// or prints per-analyzer execution times with <c>-- --telemetry [runs]</c>, or how the cost grows from
/// 1,000 to 10,000 files with <c>-- --scaling [runs]</c>. All of them check that the
/// analyzers report exactly the findings seeded into the corpora (<c>-- --check</c> does only that),
/// and exit with 1 when they do not or when a benchmark fails.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--telemetry")
        {
            int runs = 3;
            if (args.Length > 1 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out runs) || runs < 1))
            {
                await Console.Error.WriteLineAsync($"--telemetry takes a positive number of runs; got '{args[1]}'.").ConfigureAwait(false);
                return 1;
            }

            await AnalyzerTelemetryReport.RunAsync(Console.Out, runs).ConfigureAwait(false);
            return 0;
        }

        if (args.Length > 0 && args[0] == "--scaling")
        {
            int runs = 3;
            if (args.Length > 1 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out runs) || runs < 1))
            {
                await Console.Error.WriteLineAsync($"--scaling takes a positive number of runs; got '{args[1]}'.").ConfigureAwait(false);
                return 1;
            }

            await ScalingReport.RunAsync(Console.Out, runs).ConfigureAwait(false);
            return 0;
        }

        // Timings of rules that stopped firing would only look faster: check the findings first.
        try
        {
            foreach (CorpusKind kind in Enum.GetValues<CorpusKind>())
            {
                var corpus = GeneratedCorpus.Create(kind);
                corpus.EnsureCompiles();
                Console.WriteLine(await SeededFindingCheck.VerifyAsync(corpus, PoolAnalyzerSet.Load()).ConfigureAwait(false));
            }
        }
        catch (InvalidOperationException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return 1;
        }

        if (args.Length > 0 && args[0] == "--check")
        {
            return 0;
        }

        IConfig config = DefaultConfig.Instance
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
        if (!args.Any(arg => arg is "--job" or "-j"))
        {
            // Each operation compiles 1,000 files (seconds), so one invocation per iteration is
            // plenty. Two warmups let tiered JIT settle Roslyn's hot code; ten iterations and a
            // non-concurrent GC (no background GC thread competing on a 2-core machine) bring the
            // error down to a few percent, for a run of eight cases in about fifteen minutes.
            config = config.AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(10)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithGcConcurrent(false)
                .WithId("Compile"));
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;
    }
}
