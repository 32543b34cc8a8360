namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>The rule a driver file deliberately breaks, so the analyzers report real findings.</summary>
internal enum SeededFinding
{
    /// <summary>The file is clean.</summary>
    None,

    /// <summary>POOL001: a call to the obsolete <c>ExAllocatePool</c>.</summary>
    ObsoleteAllocation,

    /// <summary>POOL002: a six-character pool tag.</summary>
    InvalidTag,

    /// <summary>POOL003: a constant zero-size request.</summary>
    ZeroSize,

    /// <summary>POOL004: paged pool in a routine that may run at DISPATCH_LEVEL.</summary>
    PagedAtDispatch,
}
