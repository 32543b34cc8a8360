namespace PoolAnalyzers.Runtime;

/// <summary>The rough size class <c>MmQuerySystemSize</c> reports for the machine.</summary>
public enum MM_SYSTEMSIZE
{
    /// <summary>19 MB of physical memory or less.</summary>
    MmSmallSystem = 0,
    /// <summary>Up to 32 MB (workstation) or 64 MB (server).</summary>
    MmMediumSystem = 1,
    /// <summary>Anything larger: every real machine.</summary>
    MmLargeSystem = 2,
}
