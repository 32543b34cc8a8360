using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// In-stack queued acquisition: an MCS queue through the lock word. An acquirer swaps its entry in
// as the new tail; if there was a tail it links itself behind it and spins on its own entry. The
// holder's release either swaps the word back to null (nobody behind) or hands the lock to the next
// entry. Every transfer is a compare-exchange, a full fence, so the holder's writes are visible to
// the next holder.
public sealed partial class KSPIN_LOCK
{
    /// <summary>Acquires through the queue and fills <paramref name="handle"/>; the caller has already dealt with the IRQL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AcquireQueued(KernelThread me, ref KLOCK_QUEUE_HANDLE handle)
    {
        QueuedLockWaiter waiter = me.RentWaiter(this);
        object? tail = Interlocked.CompareExchange(ref _state, waiter, null);
        if (tail is null)
        {
            waiter.State = QueuedLockWaiter.Granted;
        }
        else
        {
            WaitInQueue(me, waiter, tail);
        }

        handle.Lock = this;
        handle.Waiter = waiter;
        handle.Grant = waiter.Grant;
    }

    /// <summary>Releases the acquisition <paramref name="handle"/> names and clears the handle.</summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the handle does not name a live acquisition of this thread; nothing changes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ReleaseQueued(KernelThread me, ref KLOCK_QUEUE_HANDLE handle)
    {
        QueuedLockWaiter? waiter = handle.Waiter;
        if (waiter is null || waiter.Thread != me || waiter.Lock != this || waiter.Grant != handle.Grant || waiter.State != QueuedLockWaiter.Granted)
        {
            throw NotHeldThroughHandle(me, waiter);
        }

        PassOn(waiter);

        // The entry is free for the thread's next acquisition only now: until the hand-off the next
        // waiter's link into it was still to be read.
        me.ReturnWaiter(waiter);
        handle.Lock = null;
        handle.Waiter = null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WaitInQueue(KernelThread me, QueuedLockWaiter waiter, object? tail)
    {
        // Join the queue behind the current tail, unless the word is held the ordinary way, which
        // must not be mixed with this one.
        while (true)
        {
            if (tail is null)
            {
                if (Interlocked.CompareExchange(ref _state, waiter, null) is null)
                {
                    waiter.State = QueuedLockWaiter.Granted;
                    return;
                }

                tail = Volatile.Read(ref _state);
                continue;
            }

            if (tail is KernelThread holder)
            {
                me.ReturnWaiter(waiter);
                throw holder == me
                    ? BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0,
                        "the spin lock is already owned by this thread through KeAcquireSpinLock (recursive acquisition deadlocks a real processor)")
                    : BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 2, 0, 0, 0,
                        "the spin lock is held through KeAcquireSpinLock; one lock must not be taken both ways at once");
            }

            object? seen = Interlocked.CompareExchange(ref _state, waiter, tail);
            if (seen == tail)
            {
                break;
            }

            tail = seen;
        }

        Volatile.Write(ref ((QueuedLockWaiter)tail).Next, waiter);
        var wait = default(SpinLockWait);
        while (Volatile.Read(ref waiter.State) == QueuedLockWaiter.Waiting)
        {
            if (wait.TimedOut(me)
                && Interlocked.CompareExchange(ref waiter.State, QueuedLockWaiter.Abandoned, QueuedLockWaiter.Waiting) == QueuedLockWaiter.Waiting)
            {
                // The entry stays linked until a release passes the lock through it; the thread takes a fresh one.
                me.AbandonWaiter(waiter);
                throw SpinLockWait.Violation(me);
            }
        }
    }

    /// <summary>Hands the lock to the first entry still waiting behind <paramref name="holder"/>, or frees it.</summary>
    private void PassOn(QueuedLockWaiter holder)
    {
        QueuedLockWaiter current = holder;
        while (true)
        {
            QueuedLockWaiter? next = Volatile.Read(ref current.Next);
            if (next is null)
            {
                if (Interlocked.CompareExchange(ref _state, null, current) == current)
                {
                    return;
                }

                // A waiter swapped itself in as the tail and is about to link behind this entry.
                var spinner = default(SpinWait);
                while ((next = Volatile.Read(ref current.Next)) is null)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }

            if (Interlocked.CompareExchange(ref next.State, QueuedLockWaiter.Granted, QueuedLockWaiter.Waiting) == QueuedLockWaiter.Waiting)
            {
                return;
            }

            current = next;
        }
    }

    private static BugCheckException NotHeldThroughHandle(KernelThread me, QueuedLockWaiter? waiter)
        => BugCheck.Raise(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0, waiter is null
            ? "the KLOCK_QUEUE_HANDLE holds no acquisition (never filled by KeAcquireInStackQueuedSpinLock, or already released)"
            : waiter.Thread != me
                ? "the KLOCK_QUEUE_HANDLE belongs to an acquisition made by another thread"
                : "the KLOCK_QUEUE_HANDLE names an acquisition that was already released (a stale copy of the handle)");
}
