namespace PoolAnalyzers.Runtime;

/// <summary>
/// One entry of an in-stack queued spin lock's queue (the kernel's KSPIN_LOCK_QUEUE): the lock word
/// points at the last entry, each entry at the one behind it, and each waiter spins on its own
/// <see cref="State"/> until the entry ahead hands the lock over - first come, first served, with
/// no cache line shared by all waiters.
/// </summary>
/// <remarks>
/// Entries belong to a thread and are reused (see <see cref="KernelThread.RentWaiter"/>), so an
/// acquisition allocates nothing. A waiter that gives up (the DPC watchdog) marks its entry
/// <see cref="Abandoned"/> and leaves it in the queue; the release that reaches it passes the lock
/// on through it, and the thread never reuses it.
/// </remarks>
internal sealed class QueuedLockWaiter(KernelThread thread)
{
    public const int Waiting = 0;
    public const int Granted = 1;
    public const int Abandoned = 2;

    /// <summary>The thread the entry belongs to.</summary>
    public readonly KernelThread Thread = thread;

    /// <summary>The entry queued behind this one, linked by its thread right after it swapped itself into the lock word.</summary>
    public QueuedLockWaiter? Next;

    /// <summary><see cref="Waiting"/>, <see cref="Granted"/> or <see cref="Abandoned"/>; moved from Waiting by compare-exchange only.</summary>
    public int State;

    /// <summary>The lock held or awaited through this entry; null while the entry is free for reuse.</summary>
    public KSPIN_LOCK? Lock;

    /// <summary>Counts the entry's acquisitions; a handle remembers the one it made.</summary>
    public int Grant;
}
