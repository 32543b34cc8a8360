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
/// A waiter that spins longer than the machine's <see cref="SystemConfiguration.DpcWatchdogTimeout"/>
/// stops with DPC_WATCHDOG_VIOLATION (0x133, P1 1) instead of spinning forever on a lock whose owner
/// is gone.
/// </remarks>
public sealed partial class KSPIN_LOCK
{
    // The lock word. null: free. A KernelThread: held by that thread through KeAcquireSpinLock or
    // KeAcquireSpinLockAtDpcLevel. A QueuedLockWaiter: the last entry of the in-stack queue, whose
    // first entry holds the lock (the kernel's lock word holds the queue tail the same way). Keeping
    // both forms in one word makes mixing them exact to detect: each form refuses a word the other wrote.
    private object? _state;

    /// <summary>True while some thread holds the lock, by either form of acquisition.</summary>
    public bool IsHeld => Volatile.Read(ref _state) is not null;

    /// <summary>True when the calling thread holds the lock, by either form of acquisition.</summary>
    public bool IsOwnedByCurrentThread
    {
        get
        {
            KernelThread me = KernelThread.Current;
            object? state = Volatile.Read(ref _state);
            return state == me || (state is QueuedLockWaiter && me.HoldsQueued(this));
        }
    }

    /// <summary>The lock word as it is now (free, an ordinary owner, or the queue's tail entry): for tests that wait for a waiter to queue.</summary>
    internal object? LockWord => Volatile.Read(ref _state);

    internal void Reset() => Volatile.Write(ref _state, null);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Acquire(KernelThread me)
    {
        if (Interlocked.CompareExchange(ref _state, me, null) is not null)
        {
            AcquireContended(me);
        }
    }

    internal void Release(KernelThread me)
    {
        // Only the owner can see itself here, and nobody else writes the word while it is held, so the
        // check and a release store suffice (the kernel's release is a plain store too).
        object? state = Volatile.Read(ref _state);
        if (state != me)
        {
            throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0, state is QueuedLockWaiter && me.HoldsQueued(this)
                ? "the spin lock is held through KeAcquireInStackQueuedSpinLock; release it with KeReleaseInStackQueuedSpinLock and its handle"
                : "the spin lock is released by a thread that does not own it");
        }

        Volatile.Write(ref _state, null);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AcquireContended(KernelThread me)
    {
        var wait = default(SpinLockWait);
        while (true)
        {
            object? state = Volatile.Read(ref _state);
            if (state is null)
            {
                // Test before test-and-set: waiters spin on a plain read so they do not bounce the cache line.
                if (Interlocked.CompareExchange(ref _state, me, null) is null)
                {
                    return;
                }

                continue;
            }

            if (state == me)
            {
                throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0,
                    "the spin lock is already owned by this thread (recursive acquisition deadlocks a real processor)");
            }

            if (state is QueuedLockWaiter)
            {
                throw me.HoldsQueued(this)
                    ? BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0,
                        "the spin lock is already owned by this thread through KeAcquireInStackQueuedSpinLock (recursive acquisition deadlocks a real processor)")
                    : BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 1, 0, 0, 0,
                        "the spin lock is held or awaited through KeAcquireInStackQueuedSpinLock; one lock must not be taken both ways at once");
            }

            wait.SpinOnce(me);
        }
    }
}
