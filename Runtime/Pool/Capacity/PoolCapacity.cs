using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The size of one pool (paged or nonpaged) and how much of it is in use, with the two condition
/// events that follow the free amount. Small blocks are charged in batches as they move between the
/// shared free lists and a thread's cache (a block in a thread cache counts as in use, like one in a
/// kernel per-processor lookaside); big allocations are charged per page. The allocation hot path,
/// which only moves blocks within a thread's cache, never touches this shared state.
/// </summary>
/// <remarks>
/// The amount in use is one counter changed by compare-exchange, so threads charging and releasing
/// at once never serialize on a lock. Only a change that moves the free amount across a threshold
/// takes the lock, and it sets the events from the counter read under the lock: whichever update
/// runs last applies the newest value, and a change after it that crosses nothing leaves the events
/// right, so they always settle on the state of the current amount.
/// </remarks>
internal sealed class PoolCapacity : IDisposable
{
    private const long MB = 1024 * 1024;

    private readonly object _eventLock = new();
    private long _used;

    public PoolCapacity(bool paged, ulong size)
    {
        Size = (long)Math.Min(size, long.MaxValue);
        Low = new PoolConditionEvent(paged ? "LowPagedPoolCondition" : "LowNonPagedPoolCondition");
        High = new PoolConditionEvent(paged ? "HighPagedPoolCondition" : "HighNonPagedPoolCondition");
        LowThreshold = paged ? Math.Min(30 * MB, Size / 5) : Math.Min(8 * MB, Size / 3);
        HighThreshold = paged ? Math.Min(60 * MB, 2 * Size / 5) : Math.Min(20 * MB, Size / 2);
        UpdateEvents();
    }

    public long Size { get; }

    public long LowThreshold { get; }

    public long HighThreshold { get; }

    /// <summary>
    /// "Very low" for NormalPoolPriority: a quarter of <see cref="LowThreshold"/>, the ratio of the
    /// reserves the kernel keeps for normal (512 KB) and low (2 MB) priority requests.
    /// </summary>
    public long VeryLowThreshold => LowThreshold / 4;

    /// <summary>Bytes not yet taken from the pool (blocks cached by threads count as taken).</summary>
    public long Free => Size - Volatile.Read(ref _used);

    public PoolConditionEvent Low { get; }

    public PoolConditionEvent High { get; }

    public long Used => Volatile.Read(ref _used);

    public bool TryCharge(long bytes)
    {
        long used = Volatile.Read(ref _used);
        while (true)
        {
            if (bytes > Size - used)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used)
            {
                Changed(used, used + bytes);
                return true;
            }

            used = seen;
        }
    }

    /// <summary>Charges as many of <paramref name="count"/> units of <paramref name="unitBytes"/> as fit; returns how many.</summary>
    public int ChargeUpTo(int count, int unitBytes)
    {
        long used = Volatile.Read(ref _used);
        while (true)
        {
            int charged = (int)Math.Min(count, (Size - used) / unitBytes);
            if (charged <= 0)
            {
                return 0;
            }

            long after = used + ((long)charged * unitBytes);
            long seen = Interlocked.CompareExchange(ref _used, after, used);
            if (seen == used)
            {
                Changed(used, after);
                return charged;
            }

            used = seen;
        }
    }

    public void Release(long bytes)
    {
        long after = Interlocked.Add(ref _used, -bytes);
        Changed(after + bytes, after);
    }

    public void Dispose()
    {
        Low.Dispose();
        High.Dispose();
    }

    private void Changed(long before, long after)
    {
        if (IsLow(before) != IsLow(after) || IsHigh(before) != IsHigh(after))
        {
            UpdateEvents();
        }
    }

    private bool IsLow(long used) => Size - used < LowThreshold;

    private bool IsHigh(long used) => Size - used > HighThreshold;

    private void UpdateEvents()
    {
        lock (_eventLock)
        {
            long used = Volatile.Read(ref _used);
            Low.Update(IsLow(used));
            High.Update(IsHigh(used));
        }
    }
}
