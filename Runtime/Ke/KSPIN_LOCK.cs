using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A kernel spin lock. Caller-allocated, initialized with <c>KeInitializeSpinLock</c>, acquired either
/// with <c>KeAcquireSpinLock</c> (which raises the thread to DISPATCH_LEVEL) and released with
/// <c>KeReleaseSpinLock</c>, or through the in-stack queue with <c>KeAcquireInStackQueuedSpinLock</c>
/// and <c>KeReleaseInStackQueuedSpinLock</c> - never both ways at once.
/// </summary>
/// <remarks>
/// <para>
/// A waiter that spins longer than the machine's <see cref="SystemConfiguration.DpcWatchdogTimeout"/>
/// stops with DPC_WATCHDOG_VIOLATION (0x133, P1 1) instead of spinning forever on a lock whose owner
/// is gone.
/// </para>
/// <para>
/// The queued form hands the lock to waiters in arrival order, as the kernel's does. A kernel
/// spinner cannot be preempted; a thread here can, and a waiter whose turn comes while it is not
/// running holds up everyone behind it until it runs again. Two threads hammering one lock from
/// one core therefore pass it with a context switch each time; the ordinary form, which lets a
/// running thread take a free lock again at once, does not pay that.
/// </para>
/// </remarks>
public sealed partial class KSPIN_LOCK
{
    // A ticket lock. _next is the next ticket to hand out, _serving the ticket whose turn it is; the
    // lock is free when they are equal. A queued acquisition takes a ticket (one atomic add) and waits
    // for its turn, which grants the lock first come, first served, as the kernel's queue of in-stack
    // entries does. An ordinary acquisition takes a ticket only while the lock is free (compare-
    // exchange), so it never waits in line. Only the holder moves _serving, so a release is a plain
    // release-store. Both wrap at 2^32.
    private uint _next;
    private uint _serving;

    // Who holds the lock, written by the holder right after it acquired and cleared before it
    // releases: 0, a thread's LockId (ordinary), or LockId | QueuedHolder. Recursion, foreign
    // releases and mixing the two forms are checked against it.
    private int _holder;

    private const int QueuedHolder = int.MinValue;

    /// <summary>True while some thread holds the lock, by either form of acquisition.</summary>
    public bool IsHeld => Volatile.Read(ref _next) != Volatile.Read(ref _serving);

    /// <summary>True when the calling thread holds the lock, by either form of acquisition.</summary>
    public bool IsOwnedByCurrentThread => (Volatile.Read(ref _holder) & ~QueuedHolder) == KernelThread.Current.LockId;

    /// <summary>The tickets as they are now (next ticket in the high half, ticket served in the low half): for tests that wait for a waiter to take its ticket.</summary>
    internal long LockWord => ((long)Volatile.Read(ref _next) << 32) | Volatile.Read(ref _serving);

    internal void Reset()
    {
        AbandonedTickets.Forget(this);
        Volatile.Write(ref _holder, 0);
        Volatile.Write(ref _serving, 0);
        Volatile.Write(ref _next, 0);
    }

    /// <summary>Takes the lock if it is free; the caller has already dealt with the IRQL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAcquire(KernelThread me)
    {
        // Test, then test-and-set: a waiter polling a held lock only reads its line, so the holder
        // keeps it in its cache instead of losing it to every failed compare-exchange.
        uint serving = Volatile.Read(ref _serving);
        if (Volatile.Read(ref _next) != serving || Interlocked.CompareExchange(ref _next, serving + 1, serving) != serving)
        {
            return false;
        }

        _holder = me.LockId;
        return true;
    }

    /// <summary>
    /// KeAcquireSpinLock for a runtime routine that has already checked the calling thread (its machine
    /// has not crashed, its IRQL is at most DISPATCH_LEVEL): raises to DISPATCH_LEVEL, takes the lock
    /// and returns the previous IRQL. On failure (recursion, mixed acquisition, the watchdog) the IRQL
    /// is restored before the bug check propagates, as KeAcquireSpinLock does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal KIRQL AcquireRaising(KernelThread me)
    {
        KIRQL old = me.Irql;
        me.RaiseTo(KIRQL.DISPATCH_LEVEL);
        if (!TryAcquire(me))
        {
            AcquireContendedRestoring(me, old);
        }

        return old;
    }

    /// <summary>KeReleaseSpinLock for the routine that took the lock with <see cref="AcquireRaising"/> and left the IRQL at DISPATCH_LEVEL: releases it and lowers to <paramref name="old"/>.</summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the calling thread does not hold the lock; nothing changes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ReleaseLowering(KernelThread me, KIRQL old)
    {
        Release(me);
        me.Irql = old;
    }

    /// <summary>Takes the lock, spinning while another thread holds it.</summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_ALREADY_OWNED (0x0F) for recursion (P1 0) or a lock held or awaited through the queue (P1 1); DPC_WATCHDOG_VIOLATION (0x133) when the wait outlasts the watchdog.</exception>
    internal void Acquire(KernelThread me)
    {
        if (!TryAcquire(me))
        {
            AcquireContended(me);
        }
    }

    /// <summary>Releases an ordinary acquisition.</summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the calling thread does not hold the lock the ordinary way; nothing changes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Release(KernelThread me)
    {
        // Only the holder sees itself here, and nobody else writes the holder field while it holds.
        int holder = Volatile.Read(ref _holder);
        if (holder != me.LockId)
        {
            throw NotOwned(me, holder);
        }

        _holder = 0;
        Volatile.Write(ref _serving, _serving + 1);
    }

    /// <summary>Ends the turn of an abandoned <paramref name="ticket"/>, once it has come (see <see cref="AbandonedTickets"/>).</summary>
    internal bool TryServeAbandoned(uint ticket)
    {
        if (Volatile.Read(ref _serving) != ticket)
        {
            return false;
        }

        Volatile.Write(ref _serving, ticket + 1);
        return true;
    }

    private static BugCheckException NotOwned(KernelThread me, int holder)
        => BugCheck.Raise(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0, holder == (me.LockId | QueuedHolder)
            ? "the spin lock is held through KeAcquireInStackQueuedSpinLock; release it with KeReleaseInStackQueuedSpinLock and its handle"
            : "the spin lock is released by a thread that does not own it");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AcquireContendedRestoring(KernelThread me, KIRQL old)
    {
        try
        {
            AcquireContended(me);
        }
        catch
        {
            me.Irql = old;
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AcquireContended(KernelThread me)
    {
        var wait = default(SpinLockWait);
        while (!TryAcquire(me))
        {
            int holder = Volatile.Read(ref _holder);
            if ((holder & ~QueuedHolder) == me.LockId)
            {
                throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0, holder < 0
                    ? "the spin lock is already owned by this thread through KeAcquireInStackQueuedSpinLock (recursive acquisition deadlocks a real processor)"
                    : "the spin lock is already owned by this thread (recursive acquisition deadlocks a real processor)");
            }

            // Held through the queue. (A queued holder publishes itself a moment after its turn comes;
            // the wait below simply looks again.)
            if (holder < 0)
            {
                throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 1, 0, 0, 0,
                    "the spin lock is held or awaited through KeAcquireInStackQueuedSpinLock; one lock must not be taken both ways at once");
            }

            wait.SpinOnce(me);
        }
    }
}
