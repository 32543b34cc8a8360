using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// In-stack queued spin locks: the same KSPIN_LOCK, granted to waiters first come, first served (each
// takes a ticket and waits for it to be served; see KSPIN_LOCK). One lock must not be taken both
// ways at once.
public static partial class Ke
{
    /// <summary>
    /// Raises to DISPATCH_LEVEL and acquires <paramref name="SpinLock"/> through its queue, waiting
    /// behind earlier waiters in arrival order. <paramref name="LockHandle"/> receives the old IRQL
    /// and the acquisition, for <see cref="KeReleaseInStackQueuedSpinLock"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="SpinLock"/> is null.</exception>
    /// <exception cref="BugCheckException">
    /// IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) above DISPATCH_LEVEL;
    /// SPIN_LOCK_ALREADY_OWNED (0x0F) when this thread already holds the lock (P1 0) or another
    /// thread holds it through <see cref="KeAcquireSpinLock"/> (P1 2); DPC_WATCHDOG_VIOLATION (0x133,
    /// P1 1) when the wait outlasts the DPC watchdog. Either way the IRQL is left as it was.
    /// </exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    [IrqlRaises(DISPATCH_LEVEL)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void KeAcquireInStackQueuedSpinLock(KSPIN_LOCK SpinLock, [IrqlSaves] out KLOCK_QUEUE_HANDLE LockHandle)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        KIRQL old = thread.Irql;
        if (old > DISPATCH_LEVEL)
        {
            ThrowRaiseFromAbove(old, nameof(KeAcquireInStackQueuedSpinLock));
        }

        uint ticket = SpinLock.TakeTicket(thread);
        thread.RaiseTo(DISPATCH_LEVEL);
        if (!SpinLock.IsTurnOf(ticket))
        {
            AwaitTurn(SpinLock, thread, ticket, old);
        }

        SpinLock.MarkQueuedHolder(thread);
        LockHandle.Lock = SpinLock;
        LockHandle.Ticket = ticket;
        LockHandle.SavedIrql = old;
    }

    /// <summary>
    /// Releases the acquisition <paramref name="LockHandle"/> names, handing the lock to the next
    /// waiter if there is one, and lowers the IRQL to the handle's <see cref="KLOCK_QUEUE_HANDLE.OldIrql"/>.
    /// </summary>
    /// <remarks>Every check runs before anything changes, so a failed call leaves the lock held and the IRQL as it was.</remarks>
    /// <exception cref="BugCheckException">
    /// IRQL_NOT_GREATER_OR_EQUAL (0x09) below DISPATCH_LEVEL, IRQL_NOT_LESS_OR_EQUAL (0x0A) above it
    /// (P1 the current IRQL, P2 DISPATCH_LEVEL); SPIN_LOCK_NOT_OWNED (0x10) when the handle holds no
    /// acquisition of this thread (never acquired, already released, a stale copy, another thread's).
    /// </exception>
    [IrqlRequires(DISPATCH_LEVEL)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void KeReleaseInStackQueuedSpinLock([IrqlRestores] ref KLOCK_QUEUE_HANDLE LockHandle)
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        KIRQL current = thread.Irql;
        KIRQL old = LockHandle.SavedIrql;
        if (current != DISPATCH_LEVEL || old > current)
        {
            throw ReleaseAwayFromDispatch(current, old);
        }

        QueuedLockOf(LockHandle).ReleaseQueued(thread, ref LockHandle);
        thread.Irql = old;
    }

    /// <summary>
    /// Acquires <paramref name="SpinLock"/> through its queue when the caller already runs at
    /// DISPATCH_LEVEL or above; the IRQL is left alone and recorded in the handle's OldIrql.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="SpinLock"/> is null.</exception>
    /// <exception cref="BugCheckException">
    /// IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) below DISPATCH_LEVEL;
    /// SPIN_LOCK_ALREADY_OWNED (0x0F, P1 0 or 2) and DPC_WATCHDOG_VIOLATION (0x133, P1 1) as
    /// <see cref="KeAcquireInStackQueuedSpinLock"/>.
    /// </exception>
    [IrqlRequiresMin(DISPATCH_LEVEL)]
    public static void KeAcquireInStackQueuedSpinLockAtDpcLevel(KSPIN_LOCK SpinLock, out KLOCK_QUEUE_HANDLE LockHandle)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelThread thread = RequireDispatchOrAbove(nameof(KeAcquireInStackQueuedSpinLockAtDpcLevel));
        uint ticket = SpinLock.TakeTicket(thread);
        if (!SpinLock.IsTurnOf(ticket))
        {
            AwaitTurn(SpinLock, thread, ticket, thread.Irql);
        }

        SpinLock.MarkQueuedHolder(thread);
        LockHandle.Lock = SpinLock;
        LockHandle.Ticket = ticket;
        LockHandle.SavedIrql = thread.Irql;
    }

    /// <summary>Releases an in-stack queued acquisition without changing the IRQL.</summary>
    /// <exception cref="BugCheckException">
    /// IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) below DISPATCH_LEVEL,
    /// with the lock still held; SPIN_LOCK_NOT_OWNED (0x10) as <see cref="KeReleaseInStackQueuedSpinLock"/>.
    /// </exception>
    [IrqlRequiresMin(DISPATCH_LEVEL)]
    public static void KeReleaseInStackQueuedSpinLockFromDpcLevel(ref KLOCK_QUEUE_HANDLE LockHandle)
    {
        KernelThread thread = RequireDispatchOrAbove(nameof(KeReleaseInStackQueuedSpinLockFromDpcLevel));
        QueuedLockOf(LockHandle).ReleaseQueued(thread, ref LockHandle);
    }

    /// <summary>The slow path of a queued acquisition: waits for the turn, restoring <paramref name="old"/> when the wait fails.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AwaitTurn(KSPIN_LOCK spinLock, KernelThread thread, uint ticket, KIRQL old)
    {
        try
        {
            spinLock.AwaitTurn(thread, ticket);
        }
        catch
        {
            thread.Irql = old;
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static KSPIN_LOCK QueuedLockOf(in KLOCK_QUEUE_HANDLE handle) => handle.Lock ?? ThrowNoAcquisition();

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static KSPIN_LOCK ThrowNoAcquisition()
        => throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0,
            "the KLOCK_QUEUE_HANDLE holds no acquisition (never filled by KeAcquireInStackQueuedSpinLock, or already released)");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRaiseFromAbove(KIRQL current, string routine)
        => throw BugCheck.Raise(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)current, (ulong)DISPATCH_LEVEL, 0, 0,
            $"{routine} called at {Describe(current)}; it raises to DISPATCH_LEVEL (2) and must not be called above it");

    /// <summary>The bug check of a release away from DISPATCH_LEVEL, or of one that would raise to the handle's IRQL; as KeReleaseSpinLock reports them.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BugCheckException ReleaseAwayFromDispatch(KIRQL current, KIRQL old)
    {
        if (current == DISPATCH_LEVEL)
        {
            return LowerAbove(current, old, nameof(KeReleaseInStackQueuedSpinLock));
        }

        uint code = current < DISPATCH_LEVEL ? BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL : BugCheckNames.IRQL_NOT_LESS_OR_EQUAL;
        return BugCheck.Raise(code, (ulong)current, (ulong)DISPATCH_LEVEL, 0, 0,
            $"KeReleaseInStackQueuedSpinLock called at {Describe(current)}; it requires DISPATCH_LEVEL (2), the level the acquisition raised to");
    }
}
