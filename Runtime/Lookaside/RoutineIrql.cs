using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Enforces the IRQL ceilings of the lookaside, zone and timer routines with IRQL_NOT_LESS_OR_EQUAL
/// (0x0A); the form that finds the thread itself also checks that its machine has not crashed (else
/// its <see cref="KernelSystem.Crash"/> is thrown). The lookaside hot paths pass the thread and pay
/// nothing for the crash: a crash sends every later call of the machine's lists to their slow path,
/// which checks it (GENERAL_LOOKASIDE.Halt).
/// </summary>
/// <remarks>
/// The kernel's inline lookaside routines do not test the IRQL themselves: a paged list used at
/// DISPATCH_LEVEL touches pageable entries and the page fault stops the machine with
/// IRQL_NOT_LESS_OR_EQUAL (the bug check Driver Verifier's IRQL checking forces deterministically).
/// Raising that code up front reports the same fault on every call, hit or miss, instead of only
/// when the entry happens to be paged out. Parameters follow 0x0A: P1 the memory referenced (the
/// entry or block when there is one), P2 the IRQL, P3 bit 0 set for a write.
/// </remarks>
internal static class RoutineIrql
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireMax(KIRQL maximum, string routine, nint address = 0, bool write = false)
        => RequireMaxOnLiveMachine(maximum, routine, address, write);

    /// <summary>The check of <see cref="RequireMax(KIRQL, string, nint, bool)"/>, returning the calling thread for the routine's own use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KernelThread RequireMaxOnLiveMachine(KIRQL maximum, string routine, nint address = 0, bool write = false)
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        return RequireMax(thread, maximum, routine, address, write);
    }

    /// <summary>The check on a thread the caller already holds: the lookaside hot paths read the thread once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KernelThread RequireMax(KernelThread thread, KIRQL maximum, string routine, nint address = 0, bool write = false)
    {
        if (thread.Irql > maximum)
        {
            // A throw the JIT can see (the helper returns the exception): the failure block ends the
            // method, so nothing of the fast path stays live across the call and needs a saved register.
            throw Failure(maximum, routine, address, write);
        }

        return thread;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BugCheckException Failure(KIRQL maximum, string routine, nint address, bool write)
    {
        KIRQL current = Ke.Current;
        return BugCheck.Raise(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, (ulong)address, (ulong)current, write ? 1UL : 0UL, 0,
            $"{routine} called at {Ke.Describe(current)}; it requires {Ke.Describe(maximum)} or lower");
    }
}
