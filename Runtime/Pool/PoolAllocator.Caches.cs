using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// Per-thread caches: found or created for the calling thread, retired when their thread has exited,
// and the read side of the accounting they hold.
internal sealed partial class PoolAllocator
{
    private readonly PerThreadCaches<ThreadCache> _caches;

    // The summed counters of threads that have exited (see RetireCache); guarded by the registry's lock,
    // under which caches are retired, so a cache is always counted in exactly one place.
    private readonly Dictionary<uint, (long Allocs, long Frees, long Bytes)> _retiredTags = [];

    /// <summary>The summed accounting of every thread, one row per (tag, pool) that was ever used.</summary>
    public List<PoolTagStatistics> QueryTags()
    {
        Dictionary<uint, (long Allocs, long Frees, long Bytes)> totals;
        lock (_caches.SyncRoot)
        {
            totals = new Dictionary<uint, (long Allocs, long Frees, long Bytes)>(_retiredTags);
            foreach (ThreadCache cache in _caches.Live)
            {
                cache.Tags.AddTo(totals);
            }
        }

        var rows = new List<PoolTagStatistics>(totals.Count);
        foreach (KeyValuePair<uint, (long Allocs, long Frees, long Bytes)> total in totals)
        {
            var tag = new PoolTag(total.Key & ~TagCounters.PagedKeyBit);
            rows.Add(new PoolTagStatistics(tag, (total.Key & TagCounters.PagedKeyBit) != 0, total.Value.Allocs, total.Value.Frees, total.Value.Bytes));
        }

        return rows;
    }

    /// <summary>
    /// The calling thread's cache for the machine it is in, when <see cref="KernelThread.PoolCache"/> is
    /// empty (first use, or the ambient machine changed, which clears it).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadCache CacheOfCurrentMachine(KernelThread thread)
    {
        ThreadCache cache = (thread.System ?? KernelSystem.Default).Pool.FindOrCreateCache(thread);
        thread.PoolCache = cache;
        return cache;
    }

    /// <summary>The calling thread's cache for this machine, whichever machine is current on the thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ThreadCache CacheFor(KernelThread thread)
    {
        ThreadCache? cache = thread.PoolCache;
        return cache is not null && ReferenceEquals(cache.Pool, this) ? cache : FindOrCreateCache(thread);
    }

    private ThreadCache FindOrCreateCache(KernelThread thread)
    {
        // Retiring orphans moves blocks into pool structures that Dispose has released.
        ThrowIfDisposed();
        ConditionalWeakTable<PoolAllocator, ThreadCache> caches = thread.PoolCaches ??= new();
        if (!caches.TryGetValue(this, out ThreadCache? cache))
        {
            cache = new ThreadCache(this, thread) { FastPathsClosed = _verifier is not null };
            _caches.Add(cache);

            // Halt sets the flag before it closes the registered caches: one of the two sees this cache.
            if (Volatile.Read(ref _disposed))
            {
                cache.FastPathsClosed = true;
                ThrowIfDisposed();
            }

            caches.Add(this, cache);
        }

        return cache;
    }

    /// <summary>
    /// The last steps before an allocation reports the pool exhausted: this thread's cached blocks go
    /// back to the pool, and the caches of threads that have exited are retired. True when
    /// anything was reclaimed. Blocks other live threads cache stay theirs (at most
    /// <see cref="ThreadCache.Capacity"/> per size class each), as blocks in another processor's
    /// lookaside do in the kernel.
    /// </summary>
    private bool ReclaimCachedMemory(ThreadCache cache, bool paged)
    {
        bool released = _small.ReleaseCachedBlocks(cache, paged);
        released |= _bigPages.ReleaseCredit(cache);
        return _caches.RetireExited() | released;
    }

    /// <summary>
    /// The bytes of paged or nonpaged pool in use: what is charged to its capacity less the page
    /// credit threads hold in reserve (see <see cref="BigPageHeap"/>). A snapshot while threads
    /// allocate; exact once they are quiescent.
    /// </summary>
    public long CommittedBytes(bool paged)
    {
        long held = 0;
        foreach (ThreadCache cache in _caches.Live)
        {
            held += Volatile.Read(ref cache.Credit.Of(paged));
        }

        return (paged ? Paged : NonPaged).Used - held;
    }

    /// <summary>
    /// Retires the cache of a thread that has exited: its free blocks go to the depots (their capacity
    /// back to the pool), its page credit back to the pool, its runs to the OS, and its counters into the retired totals, so the
    /// accounting of a finished thread still counts. Runs under the registry's lock.
    /// </summary>
    private void RetireCache(ThreadCache orphan)
    {
        _small.Retire(orphan);
        _bigPages.ReleaseCredit(orphan);
        orphan.Runs.ReleaseAll();
        orphan.Tags.AddTo(_retiredTags);
    }

    private void ReleaseRunCaches()
    {
        foreach (ThreadCache cache in _caches.RemoveAll())
        {
            cache.Runs.ReleaseAll();
        }
    }
}
