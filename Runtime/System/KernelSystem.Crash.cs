using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// A crashed machine. A bug check raised on a driver's own thread is an exception that thread sees;
// one raised inside a DPC routine (or an exception a routine lets escape, which becomes
// KMODE_EXCEPTION_NOT_HANDLED) has nobody to throw to, so it stops the machine as a blue screen
// would: it is kept here and thrown again by the next KeFlushQueuedDpcs, by every later Ex or Ke
// call on the machine and by Dispose. Nothing reaches the host process as an unhandled exception.
public sealed partial class KernelSystem
{
    // Set once, before _crash: the pool's halt and every reader of _crash rely on that order.
    private ExceptionDispatchInfo? _crashDispatch;
    private BugCheckException? _crash;

    // Crashed or disposed: one flag for the DPC and timer routines to test.
    private bool _unusable;

    /// <summary>
    /// The bug check that stopped this machine, raised inside a DPC routine or by the DPC watchdog;
    /// null while the machine runs. Once set it never changes, no DPC or timer runs any more, and
    /// every later <c>Ex</c>/<c>Ke</c> call on the machine throws it.
    /// </summary>
    /// <remarks>
    /// It is the same exception object each time, rethrown with its original stack trace (where the
    /// routine failed) followed by the caller's. Threads that hit it at the same moment share the
    /// object, so its StackTrace shows one of them.
    /// </remarks>
    public BugCheckException? Crash => Volatile.Read(ref _crash);

    /// <summary>Records the first crash and halts the machine; later crashes (other processors failing after it) are ignored.</summary>
    internal void CrashFrom(BugCheckException bugCheck)
    {
        if (Interlocked.CompareExchange(ref _crashDispatch, ExceptionDispatchInfo.Capture(bugCheck), null) is not null)
        {
            return;
        }

        // Everything that stops calls goes before the crash is published: a thread that sees Crash must
        // not be served from a front cache it filled before. The pool's and the lists' halts send calls
        // to slow paths, and the unusable flag sends DPC and timer calls to UnusableException; all of
        // them throw what _crashDispatch holds (ThrowCrashIfAny), so a call in between gets the crash too.
        Pool.Halt();
        HaltLookasideLists();
        Volatile.Write(ref _unusable, true);
        Volatile.Write(ref _crash, bugCheck);
        ProcessorsIfStarted?.Halt();
        ClockInterrupt.Halt();
    }

    /// <summary>
    /// A failure on a thread the runtime owns (a DPC processor, the clock interrupt, the lookaside depth
    /// scan): nothing up that thread's stack could catch it, and letting it escape would end the host
    /// process, so it crashes the machine instead and reaches the driver's code through <see cref="Crash"/>.
    /// A bug check is kept as it is; any other exception becomes KMODE_EXCEPTION_NOT_HANDLED (0x1E)
    /// with the exception as its InnerException.
    /// </summary>
    internal void CrashFromRuntimeThread(Exception fault, string where)
        => CrashFrom(fault as BugCheckException ?? BugCheck.Unhandled(where, fault));

    /// <summary>True once the machine crashed or was disposed.</summary>
    internal bool IsUnusable => Volatile.Read(ref _unusable);

    /// <summary>Throws the crash; only after <see cref="Crash"/> was seen non-null.</summary>
    [DoesNotReturn]
    internal void ThrowCrash() => Volatile.Read(ref _crashDispatch)!.Throw();

    /// <summary>
    /// Throws the crash if there is one: for the pool and the lookaside lists, whose halt (after the
    /// crash was recorded) sent the caller here. The fence orders this read after the caller's read of
    /// the halted flag or generation.
    /// </summary>
    internal void ThrowCrashIfAny()
    {
        Interlocked.MemoryBarrier();
        Volatile.Read(ref _crashDispatch)?.Throw();
    }

    /// <summary>The check every Ke routine makes on the calling thread's machine: one volatile read when it runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfCrashed(KernelThread thread) => ThrowIfCrashed(thread.System ?? Volatile.Read(ref s_defaultCreated));

    /// <summary>Throws the crash of <paramref name="machine"/>, if it has one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfCrashed(KernelSystem? machine)
    {
        if (machine is not null && Volatile.Read(ref machine._crash) is not null)
        {
            machine.ThrowCrash();
        }
    }

    /// <summary>For DPC and timer routines: throws the crash, or <see cref="ObjectDisposedException"/> once the machine is disposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ThrowIfUnusable(string routine, string released = ProcessorsStopped)
    {
        if (Volatile.Read(ref _unusable))
        {
            throw UnusableException(routine, released);
        }
    }

    /// <summary>What <see cref="UnusableException"/> says a disposed machine no longer has, for DPC and timer routines.</summary>
    internal const string ProcessorsStopped = "its processors and timers are stopped";

    /// <summary>The crash if there is one (thrown from here), else the disposed exception to throw.</summary>
    internal Exception UnusableException(string routine, string released = ProcessorsStopped)
    {
        // From _crashDispatch, not _crash: a crash sets the unusable flag before it publishes Crash (CrashFrom).
        ThrowCrashIfAny();

        return new ObjectDisposedException(nameof(KernelSystem), $"{routine}: the KernelSystem has been disposed; {released}.");
    }
}
