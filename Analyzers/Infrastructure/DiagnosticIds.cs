namespace PoolAnalyzers;

/// <summary>The rule IDs. Append-only: a shipped ID never changes meaning.</summary>
public static class DiagnosticIds
{
    /// <summary>Obsolete pool allocation routine.</summary>
    public const string ObsoleteAllocation = "POOL001";

    /// <summary>Invalid pool tag.</summary>
    public const string InvalidPoolTag = "POOL002";

    /// <summary>Zero-size pool request.</summary>
    public const string ZeroSizeRequest = "POOL003";

    /// <summary>Paged pool used where the IRQL can be DISPATCH_LEVEL or higher.</summary>
    public const string PagedPoolAtDispatch = "POOL004";

    /// <summary>A default pool tag ("None", "Ddk ", "Wdm ") that defeats tagging.</summary>
    public const string DefaultPoolTag = "POOL005";

    /// <summary>Executable nonpaged pool.</summary>
    public const string ExecutablePool = "POOL006";

    /// <summary>A deprecated tagged pool routine that ExAllocatePool2 / ExAllocatePool3 replace.</summary>
    public const string DeprecatedAllocation = "POOL007";

    /// <summary>POOL_TYPE and POOL_FLAGS confused, or invalid POOL_FLAGS.</summary>
    public const string PoolFlagsConfusion = "POOL008";

    /// <summary>An obsolete routine with a replacement: zones, MmIsThisAnNtAsSystem.</summary>
    public const string ObsoleteRoutine = "POOL012";

    /// <summary>Pool allocation result used without a NULL check.</summary>
    public const string UncheckedAllocation = "POOL009";

    /// <summary>Pool allocation leaked on some path.</summary>
    public const string PoolLeak = "POOL010";

    /// <summary>Mismatched or double free.</summary>
    public const string MismatchedFree = "POOL011";

    /// <summary>Routine called at an IRQL its annotations forbid.</summary>
    public const string ForbiddenIrqlCall = "POOL013";

    /// <summary>IRQL not restored or spin lock still held when the method returns.</summary>
    public const string IrqlNotRestored = "POOL014";
}
