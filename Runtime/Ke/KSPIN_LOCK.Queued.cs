using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// In-stack queued acquisition: take a ticket, wait for its turn. A waiter that gives up (the DPC
// watchdog, or finding the lock held the ordinary way) hands its ticket to AbandonedTickets, which
// ends that turn when it comes, so the waiters behind it still get the lock in order.
public sealed partial class KSPIN_LOCK
{
    /// <summary>
    /// Takes a ticket and returns it; the lock is held when the ticket is already being served
    /// (<see cref="AwaitTurn"/> waits otherwise). The caller has already dealt with the IRQL.
    /// </summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_ALREADY_OWNED (0x0F) when this thread holds the lock (P1 0) or another holds it the ordinary way (P1 2); no ticket is taken.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint TakeTicket(KernelThread me)
    {
        int holder = Volatile.Read(ref _holder);
        if (holder != 0)
        {
            CheckQueuedAcquisition(me, holder);
        }

        return Interlocked.Increment(ref _next) - 1;
    }

    /// <summary>True when <paramref name="ticket"/> is being served: the lock is the caller's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsTurnOf(uint ticket) => Volatile.Read(ref _serving) == ticket;

    /// <summary>Records the calling thread as the queued holder, once its ticket is being served.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void MarkQueuedHolder(KernelThread me) => _holder = me.LockId | QueuedHolder;

    /// <summary>Waits until <paramref name="ticket"/> is served.</summary>
    /// <exception cref="BugCheckException">DPC_WATCHDOG_VIOLATION (0x133, P1 1) when the wait outlasts the watchdog; SPIN_LOCK_ALREADY_OWNED (0x0F, P1 2) when the lock turns out to be held the ordinary way. Either way the ticket is abandoned.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void AwaitTurn(KernelThread me, uint ticket)
    {
        var wait = default(SpinLockWait);
        while (Volatile.Read(ref _serving) != ticket)
        {
            // The holder may have taken the lock the ordinary way in the moment before this thread
            // took its ticket; that was not visible then, it is now.
            int holder = Volatile.Read(ref _holder);
            bool mixed = holder > 0 && holder != me.LockId;
            if (mixed || wait.TimedOut(me))
            {
                if (Volatile.Read(ref _serving) == ticket)
                {
                    return;
                }

                // From here AbandonedTickets ends this ticket's turn, however soon it comes.
                AbandonedTickets.Add(this, ticket);
                throw mixed ? MixedWithOrdinary() : SpinLockWait.Violation(me);
            }
        }
    }

    /// <summary>Releases the acquisition <paramref name="handle"/> names and clears the handle.</summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the handle does not name this thread's current acquisition; nothing changes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ReleaseQueued(KernelThread me, ref KLOCK_QUEUE_HANDLE handle)
    {
        uint served = Volatile.Read(ref _serving);
        if (Volatile.Read(ref _holder) != (me.LockId | QueuedHolder) || served != handle.Ticket)
        {
            throw NotHeldThroughHandle(me);
        }

        _holder = 0;
        handle.Lock = null;
        Volatile.Write(ref _serving, served + 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckQueuedAcquisition(KernelThread me, int holder)
    {
        if ((holder & ~QueuedHolder) == me.LockId)
        {
            throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0, holder < 0
                ? "the spin lock is already owned by this thread through KeAcquireInStackQueuedSpinLock (recursive acquisition deadlocks a real processor)"
                : "the spin lock is already owned by this thread through KeAcquireSpinLock (recursive acquisition deadlocks a real processor)");
        }

        if (holder > 0)
        {
            throw MixedWithOrdinary();
        }
    }

    private static BugCheckException MixedWithOrdinary()
        => BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 2, 0, 0, 0,
            "the spin lock is held through KeAcquireSpinLock; one lock must not be taken both ways at once");

    private BugCheckException NotHeldThroughHandle(KernelThread me)
    {
        int holder = Volatile.Read(ref _holder);
        return BugCheck.Raise(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0, holder == me.LockId
            ? "the spin lock is held through KeAcquireSpinLock; release it with KeReleaseSpinLock"
            : holder == (me.LockId | QueuedHolder)
                ? "the KLOCK_QUEUE_HANDLE names an acquisition that was already released (a stale copy of the handle)"
                : "the KLOCK_QUEUE_HANDLE names an acquisition this thread does not hold (released already, or made by another thread)");
    }
}
