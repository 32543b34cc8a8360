namespace PoolAnalyzers.Runtime;

/// <summary>The kernel's status code (a LONG): negative values are errors.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1008", Justification = "STATUS_SUCCESS is the zero value, as in the WDK.")]
public enum NTSTATUS : int
{
    /// <summary>0x00000000: the operation completed successfully.</summary>
    STATUS_SUCCESS = 0,
    /// <summary>0xC0000001: the requested operation was unsuccessful.</summary>
    STATUS_UNSUCCESSFUL = unchecked((int)0xC0000001),
    /// <summary>0xC0000005: an instruction referenced memory it cannot access (the exception behind a NULL dereference).</summary>
    STATUS_ACCESS_VIOLATION = unchecked((int)0xC0000005),
    /// <summary>0xC000000D: an invalid parameter was passed to a service or function.</summary>
    STATUS_INVALID_PARAMETER = unchecked((int)0xC000000D),
    /// <summary>0xC0000044: not enough quota is available to process this command.</summary>
    STATUS_QUOTA_EXCEEDED = unchecked((int)0xC0000044),
    /// <summary>0xC000009A: insufficient system resources exist to complete the request.</summary>
    STATUS_INSUFFICIENT_RESOURCES = unchecked((int)0xC000009A),
}

/// <summary>Helpers for <see cref="NTSTATUS"/> values, named as the WDK macros.</summary>
public static class Nt
{
    /// <summary>True for success and informational statuses (the value is not negative).</summary>
    public static bool NT_SUCCESS(NTSTATUS Status) => (int)Status >= 0;

    /// <summary>True for error statuses (severity bits 11).</summary>
    public static bool NT_ERROR(NTSTATUS Status) => ((uint)Status >> 30) == 3;
}
