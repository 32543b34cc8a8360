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

internal static class SeededFindings
{
    /// <summary>The rule that must report the finding, once per seeded file; null for a clean file.</summary>
    public static string? RuleId(this SeededFinding finding) => finding switch
    {
        SeededFinding.ObsoleteAllocation => DiagnosticIds.ObsoleteAllocation,
        SeededFinding.InvalidTag => DiagnosticIds.InvalidPoolTag,
        SeededFinding.ZeroSize => DiagnosticIds.ZeroSizeRequest,
        SeededFinding.PagedAtDispatch => DiagnosticIds.PagedPoolAtDispatch,
        _ => null,
    };
}
