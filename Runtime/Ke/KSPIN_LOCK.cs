using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A kernel spin lock. Caller-allocated, initialized with <c>KeInitializeSpinLock</c>, acquired with
/// <c>KeAcquireSpinLock</c> (which raises the thread to DISPATCH_LEVEL) and released with
/// <c>KeReleaseSpinLock</c>.
/// </summary>
public sealed class KSPIN_LOCK
{
    // 0 = free; otherwise the managed thread id of the owner. Ownership is tracked (the checked
    // kernel does the same) so recursive acquisition and foreign release can be bug-checked.
    private int _owner;

    /// <summary>True while some thread holds the lock.</summary>
    public bool IsHeld => Volatile.Read(ref _owner) != 0;

    /// <summary>True when the calling thread holds the lock.</summary>
    public bool IsOwnedByCurrentThread => Volatile.Read(ref _owner) == Environment.CurrentManagedThreadId;

    internal void Reset() => Volatile.Write(ref _owner, 0);

    internal void Acquire()
    {
        int me = Environment.CurrentManagedThreadId;
        if (Volatile.Read(ref _owner) == me)
        {
            throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0,
                "the spin lock is already owned by this thread (recursive acquisition deadlocks a real processor)");
        }

        if (Interlocked.CompareExchange(ref _owner, me, 0) == 0)
        {
            return;
        }

        var spinner = default(SpinWait);
        while (true)
        {
            // Test before test-and-set: spin on a plain read so waiting threads do not bounce the cache line.
            if (Volatile.Read(ref _owner) == 0 && Interlocked.CompareExchange(ref _owner, me, 0) == 0)
            {
                return;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    internal void Release()
    {
        // Only the owner can see its own id here, and nobody else writes the word while it is held,
        // so the check and a release store suffice (the kernel's release is a plain store too).
        if (Volatile.Read(ref _owner) != Environment.CurrentManagedThreadId)
        {
            throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0,
                "the spin lock is released by a thread that does not own it");
        }

        Volatile.Write(ref _owner, 0);
    }
}
