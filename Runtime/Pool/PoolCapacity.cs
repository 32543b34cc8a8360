using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The size of one pool (paged or nonpaged) and how much of it is in use, with the two condition
/// events that follow the free amount. Small blocks are charged in batches as they move between the
/// shared free lists and a thread's cache (a block in a thread cache counts as in use, like one in a
/// kernel per-processor lookaside); big allocations are charged per page. The allocation hot path,
/// which only moves blocks within a thread's cache, never touches this shared state.
/// </summary>
internal sealed class PoolCapacity : IDisposable
{
    private const long MB = 1024 * 1024;

    // Charges are rare (a batch of blocks or a big allocation), so a lock keeps the limit check, the update and
    // the event states one consistent step.
    private readonly object _lock = new();
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

    public PoolConditionEvent Low { get; }

    public PoolConditionEvent High { get; }

    public long Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    public bool TryCharge(long bytes)
    {
        lock (_lock)
        {
            if (bytes > Size - _used)
            {
                return false;
            }

            _used += bytes;
            UpdateEvents();
            return true;
        }
    }

    /// <summary>Charges as many of <paramref name="count"/> units of <paramref name="unitBytes"/> as fit; returns how many.</summary>
    public int ChargeUpTo(int count, int unitBytes)
    {
        lock (_lock)
        {
            long fitting = (Size - _used) / unitBytes;
            int charged = (int)Math.Min(count, fitting);
            if (charged > 0)
            {
                _used += (long)charged * unitBytes;
                UpdateEvents();
            }

            return charged;
        }
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _used -= bytes;
            UpdateEvents();
        }
    }

    public void Dispose()
    {
        Low.Dispose();
        High.Dispose();
    }

    private void UpdateEvents()
    {
        long free = Size - _used;
        Low.Update(free < LowThreshold);
        High.Update(free > HighThreshold);
    }
}
