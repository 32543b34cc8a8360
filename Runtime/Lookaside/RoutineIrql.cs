using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The entry check of the lookaside, zone and timer routines: the calling thread's machine has not
/// crashed (else its <see cref="KernelSystem.Crash"/> is thrown), and the IRQL is within the
/// routine's ceiling (else IRQL_NOT_LESS_OR_EQUAL, 0x0A).
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
        => RequireMax(KernelThread.Current, maximum, routine, address, write);

    /// <summary>The check on a thread the caller already holds: the lookaside hot paths read the thread once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KernelThread RequireMax(KernelThread thread, KIRQL maximum, string routine, nint address = 0, bool write = false)
    {
        KernelSystem.ThrowIfCrashed(thread);
        if (thread.Irql > maximum)
        {
            Fail(maximum, routine, address, write);
        }

        return thread;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(KIRQL maximum, string routine, nint address, bool write)
    {
        KIRQL current = Ke.Current;
        throw BugCheck.Raise(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, (ulong)address, (ulong)current, write ? 1UL : 0UL, 0,
            $"{routine} called at {Ke.Describe(current)}; it requires {Ke.Describe(maximum)} or lower");
    }
}
