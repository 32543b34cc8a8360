namespace PoolAnalyzers.Runtime;

/// <summary>
/// The handle of one in-stack queued spin-lock acquisition: the lock, the caller's place in its
/// queue and the IRQL to return to. Declared by the caller (usually a local), filled by
/// <c>KeAcquireInStackQueuedSpinLock</c> and passed by reference to the matching release.
/// </summary>
/// <remarks>
/// The place in the queue is a ticket; the release checks that the ticket is the one being served
/// and that the calling thread holds the lock through the queue, so a stale copy of a handle, or
/// one from another thread, is refused (SPIN_LOCK_NOT_OWNED) instead of releasing someone else's
/// acquisition.
/// </remarks>
public struct KLOCK_QUEUE_HANDLE
{
    internal KSPIN_LOCK? Lock;
    internal uint Ticket;
    internal KIRQL SavedIrql;

    /// <summary>
    /// The IRQL the thread ran at before <c>KeAcquireInStackQueuedSpinLock</c> raised it, which the
    /// release restores. The …AtDpcLevel acquisition records the IRQL it ran at, so either release
    /// leaves the level unchanged.
    /// </summary>
    public readonly KIRQL OldIrql => SavedIrql;
}
