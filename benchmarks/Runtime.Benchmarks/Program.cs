using BenchmarkDotNet.Running;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>Runs the runtime benchmarks: <c>dotnet run -c Release --project benchmarks/Runtime.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
