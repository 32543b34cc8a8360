namespace PoolAnalyzers.Runtime;

/// <summary>
/// The handle of one in-stack queued spin-lock acquisition: the caller's queue entry for the lock
/// and the IRQL to return to. Declared by the caller (usually a local), filled by
/// <c>KeAcquireInStackQueuedSpinLock</c> and passed by reference to the matching release.
/// </summary>
/// <remarks>
/// The queue entry other threads link to lives in a node the runtime keeps per thread, not in this
/// struct, because a managed struct can be copied or moved; the handle names that node and the
/// acquisition it made, so a stale or copied handle is refused (SPIN_LOCK_NOT_OWNED) rather than
/// releasing someone else's acquisition.
/// </remarks>
public struct KLOCK_QUEUE_HANDLE
{
    internal KSPIN_LOCK? Lock;
    internal QueuedLockWaiter? Waiter;
    internal int Grant;
    internal KIRQL SavedIrql;

    /// <summary>
    /// The IRQL the thread ran at before <c>KeAcquireInStackQueuedSpinLock</c> raised it, which the
    /// release restores. The …AtDpcLevel acquisition records the IRQL it ran at, so either release
    /// leaves the level unchanged.
    /// </summary>
    public readonly KIRQL OldIrql => SavedIrql;
}
