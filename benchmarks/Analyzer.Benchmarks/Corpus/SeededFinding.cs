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

    /// <summary>POOL005: the default tag <c>"Wdm "</c>.</summary>
    DefaultTag,

    /// <summary>POOL006: executable <c>NonPagedPool</c>.</summary>
    ExecutablePool,

    /// <summary>POOL007: a call to the deprecated <c>ExAllocatePoolWithTag</c>.</summary>
    DeprecatedAllocation,

    /// <summary>POOL008: a <c>POOL_TYPE</c> cast to <c>POOL_FLAGS</c>.</summary>
    FlagsConfusion,

    /// <summary>POOL012: a call to the obsolete <c>MmIsThisAnNtAsSystem</c>.</summary>
    ObsoleteRoutine,

    /// <summary>POOL004 across a call: paged pool in an unannotated helper called under a spin lock.</summary>
    PagedInHelperUnderLock,

    /// <summary>POOL013: a PASSIVE_LEVEL-only helper called under a spin lock.</summary>
    ForbiddenIrqlCall,

    /// <summary>POOL014: an early return with the spin lock still held.</summary>
    LockLeftHeld,

    /// <summary>POOL009: a lookaside entry cleared before its NULL check.</summary>
    UncheckedResult,

    /// <summary>POOL010: a copy leaked on a validation error path.</summary>
    LeakOnErrorPath,

    /// <summary>POOL011: a lookaside entry freed to pool.</summary>
    MismatchedFree,
}

internal static class SeededFindings
{
    /// <summary>The rule that must report the finding, once per seeded file; null for a clean file.</summary>
    public static string? RuleId(this SeededFinding finding) => finding switch
    {
        SeededFinding.ObsoleteAllocation => DiagnosticIds.ObsoleteAllocation,
        SeededFinding.InvalidTag => DiagnosticIds.InvalidPoolTag,
        SeededFinding.ZeroSize => DiagnosticIds.ZeroSizeRequest,
        SeededFinding.DefaultTag => DiagnosticIds.DefaultPoolTag,
        SeededFinding.ExecutablePool => DiagnosticIds.ExecutablePool,
        SeededFinding.DeprecatedAllocation => DiagnosticIds.DeprecatedAllocation,
        SeededFinding.FlagsConfusion => DiagnosticIds.PoolFlagsConfusion,
        SeededFinding.ObsoleteRoutine => DiagnosticIds.ObsoleteRoutine,
        SeededFinding.PagedAtDispatch or SeededFinding.PagedInHelperUnderLock => DiagnosticIds.PagedPoolAtDispatch,
        SeededFinding.ForbiddenIrqlCall => DiagnosticIds.ForbiddenIrqlCall,
        SeededFinding.LockLeftHeld => DiagnosticIds.IrqlNotRestored,
        SeededFinding.UncheckedResult => DiagnosticIds.UncheckedAllocation,
        SeededFinding.LeakOnErrorPath => DiagnosticIds.PoolLeak,
        SeededFinding.MismatchedFree => DiagnosticIds.MismatchedFree,
        _ => null,
    };
}
