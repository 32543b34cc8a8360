namespace PoolAnalyzers;

/// <summary>The fixed set of categories every rule belongs to.</summary>
public static class DiagnosticCategories
{
    /// <summary>Calls to routines the kernel keeps only for compatibility.</summary>
    public const string Obsolete = "PoolAnalyzers.Obsolete";

    /// <summary>Requests the kernel or Driver Verifier rejects or bug-checks on.</summary>
    public const string Correctness = "PoolAnalyzers.Correctness";

    /// <summary>Code that runs at an IRQL the routine does not allow.</summary>
    public const string Irql = "PoolAnalyzers.Irql";

    /// <summary>Memory the code can be attacked through: executable pool, which memory integrity (HVCI) forbids.</summary>
    public const string Security = "PoolAnalyzers.Security";
}
