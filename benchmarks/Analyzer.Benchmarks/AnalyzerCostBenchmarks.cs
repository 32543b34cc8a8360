using System.Collections.Immutable;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Analyzer.Benchmarks.Analysis;
using PoolAnalyzers.Analyzer.Benchmarks.Corpus;

namespace PoolAnalyzers.Analyzer.Benchmarks;

/// <summary>
/// What the PoolAnalyzers rules add to a full compile. Every case builds a fresh compilation from
/// the same parsed trees and produces every compiler diagnostic (binding all method bodies):
/// (a) the compiler alone, (b) plus an analyzer whose operation action does nothing — the floor
/// for any operation-based analyzer — and (c) plus every PoolAnalyzers analyzer. (d) adds an
/// analyzer that registers nothing: what <see cref="CompilationWithAnalyzers"/> costs by itself,
/// the floor for (c) on code that does not use the runtime.
/// Targets: (c)/(b) ≤ 1.05 on the driver corpus and (c)/(a) ≤ 1.01 on the plain corpus.
/// </summary>
[MemoryDiagnoser]
public class AnalyzerCostBenchmarks
{
    private static readonly CompilationWithAnalyzersOptions AnalysisOptions = new(
        new AnalyzerOptions([]),
        onAnalyzerException: null,
        concurrentAnalysis: false,
        logAnalyzerExecutionTime: false);

    private GeneratedCorpus _corpus = null!;
    private ImmutableArray<DiagnosticAnalyzer> _emptyAnalyzer;
    private ImmutableArray<DiagnosticAnalyzer> _poolAnalyzers;
    private ImmutableArray<DiagnosticAnalyzer> _idleAnalyzer;

    [Params(CorpusKind.Driver, CorpusKind.Plain)]
    public CorpusKind Corpus { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _corpus = GeneratedCorpus.Create(Corpus);
        _corpus.EnsureCompiles();
        _emptyAnalyzer = [new EmptyInvocationAnalyzer()];
        _poolAnalyzers = PoolAnalyzerSet.Load();
        _idleAnalyzer = [new IdleCompilationStartAnalyzer()];
    }

    [Benchmark(Baseline = true, Description = "(a) compiler")]
    public int CompilerOnly() => _corpus.CreateCompilation().GetDiagnostics().Length;

    [Benchmark(Description = "(b) + empty operation analyzer")]
    public Task<int> EmptyOperationAnalyzer() => CompileWithAsync(_emptyAnalyzer);

    [Benchmark(Description = "(c) + PoolAnalyzers")]
    public Task<int> PoolAnalyzers() => CompileWithAsync(_poolAnalyzers);

    [Benchmark(Description = "(d) + idle analyzer")]
    public Task<int> IdleAnalyzer() => CompileWithAsync(_idleAnalyzer);

    /// <summary>Compiler diagnostics and analyzer diagnostics from one fresh compilation.</summary>
    private async Task<int> CompileWithAsync(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        CompilationWithAnalyzers compilation = _corpus.CreateCompilation().WithAnalyzers(analyzers, AnalysisOptions);
        ImmutableArray<Diagnostic> diagnostics = await compilation.GetAllDiagnosticsAsync().ConfigureAwait(false);
        return diagnostics.Length;
    }
}
