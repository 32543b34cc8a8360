namespace PoolAnalyzers.Runtime;

/// <summary>Builds the exceptions the runtime throws for bug checks and raised statuses.</summary>
internal static class BugCheck
{
    // Returned rather than thrown so call sites read "throw BugCheck.Raise(...)" and the JIT keeps
    // the throwing path out of line.
    public static BugCheckException Raise(uint code, ulong p1, ulong p2, ulong p3, ulong p4, string explanation)
        => new(code, p1, p2, p3, p4, explanation);

    public static NtStatusException Status(NTSTATUS status, string explanation) => new(status, explanation);
}
