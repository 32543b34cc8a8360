using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace PoolAnalyzers.Analyzer.Benchmarks;

/// <summary>
/// Runs the analyzer-cost benchmarks: <c>dotnet run -c Release --project benchmarks/Analyzer.Benchmarks -- --filter '*'</c>,
/// or prints per-analyzer execution times with <c>-- --telemetry [runs]</c>.
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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
