namespace PoolAnalyzers.Runtime;

/// <summary>Builds the exceptions the runtime throws for bug checks and raised statuses.</summary>
internal static class BugCheck
{
    // Returned rather than thrown so call sites read "throw BugCheck.Raise(...)" and the JIT keeps
    // the throwing path out of line.
    public static BugCheckException Raise(uint code, ulong p1, ulong p2, ulong p3, ulong p4, string explanation)
        => new(code, p1, p2, p3, p4, explanation);

    /// <summary>
    /// KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an exception that escaped <paramref name="where"/>: P1 the
    /// exception code (the NTSTATUS of an <see cref="NtStatusException"/>, else the exception's HRESULT);
    /// the exception itself is the InnerException.
    /// </summary>
    public static BugCheckException Unhandled(string where, System.Exception exception)
    {
        uint code = exception is NtStatusException status ? (uint)status.Status : (uint)exception.HResult;
        return new BugCheckException(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, code, 0, 0, 0,
            $"{where} let {exception.GetType().Name} escape: {exception.Message}", exception);
    }

    public static NtStatusException Status(NTSTATUS status, string explanation) => new(status, explanation);
}
