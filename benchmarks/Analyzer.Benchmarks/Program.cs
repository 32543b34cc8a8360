using BenchmarkDotNet.Running;

namespace PoolAnalyzers.Analyzer.Benchmarks;

/// <summary>Runs the analyzer-cost benchmarks: <c>dotnet run -c Release --project benchmarks/Analyzer.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
