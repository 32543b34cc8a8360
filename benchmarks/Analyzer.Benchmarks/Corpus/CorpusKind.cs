namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>Which generated source corpus a benchmark case compiles.</summary>
public enum CorpusKind
{
    /// <summary>Driver-style code that calls the pool runtime heavily and references PoolAnalyzers.Runtime.dll.</summary>
    Driver,

    /// <summary>Ordinary C# of similar size that does not reference the runtime.</summary>
    Plain,
}
