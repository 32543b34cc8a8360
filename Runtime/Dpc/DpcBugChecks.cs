namespace PoolAnalyzers.Runtime;

/// <summary>The bug checks a DPC routine can cause by the way it returns.</summary>
internal static class DpcBugChecks
{
    /// <summary>IRQL_UNEXPECTED_VALUE's unique value for a callout (here: a DPC routine) in P1's low byte.</summary>
    public const ulong CalloutUniqueValue = 2;

    /// <summary>
    /// KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an exception a routine let escape: P1 the exception
    /// code (the NTSTATUS of an <see cref="NtStatusException"/>, else the exception's HRESULT); the
    /// exception itself is the InnerException.
    /// </summary>
    public static BugCheckException Unhandled(PKDEFERRED_ROUTINE? routine, System.Exception exception)
    {
        uint code = exception is NtStatusException status ? (uint)status.Status : (uint)exception.HResult;
        string where = routine is null ? "the runtime's DPC dispatcher" : $"the DPC routine {NameOf(routine)}";
        return new BugCheckException(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, code, 0, 0, 0,
            $"{where} let {exception.GetType().Name} escape: {exception.Message}", exception);
    }

    /// <summary>
    /// IRQL_UNEXPECTED_VALUE (0xC8) for a routine that returned at <paramref name="current"/> instead of
    /// DISPATCH_LEVEL: P1 (current &lt;&lt; 16) | (DISPATCH_LEVEL &lt;&lt; 8) | 2.
    /// </summary>
    public static BugCheckException IrqlChanged(PKDEFERRED_ROUTINE routine, KIRQL current)
        => BugCheck.Raise(BugCheckNames.IRQL_UNEXPECTED_VALUE,
            ((ulong)current << 16) | ((ulong)KIRQL.DISPATCH_LEVEL << 8) | CalloutUniqueValue, 0, 0, 0,
            $"the DPC routine {NameOf(routine)} returned at {Ke.Describe(current)}; a deferred routine must return at DISPATCH_LEVEL (2), the level it was called at (a spin lock still held, or an IRQL raised or lowered without being restored)");

    private static string NameOf(PKDEFERRED_ROUTINE routine)
        => routine.Method.DeclaringType is { } type ? $"{type.Name}.{routine.Method.Name}" : routine.Method.Name;
}
