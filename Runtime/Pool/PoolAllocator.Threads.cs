using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// Per-thread caches, quota processes and the read side of the accounting.
internal sealed unsafe partial class PoolAllocator
{
    private readonly object _cachesLock = new();
    private readonly List<ThreadCache> _caches = [];

    // The summed counters of threads that have exited (see AdoptOrphans); guarded by _cachesLock.
    private readonly Dictionary<uint, (long Allocs, long Frees, long Bytes)> _retiredTags = [];

    // Quota processes by id (index); copied on write so Free can read it without a lock.
    private KernelProcess?[] _processes = new KernelProcess?[8];
    private int _processCount = 1;

    /// <summary>
    /// The calling thread's cache for the machine it is in, when <see cref="KernelThread.PoolCache"/> is
    /// empty (first use, or the ambient machine changed, which clears it).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadCache CacheOfCurrentMachine(KernelThread thread)
        => (thread.System ?? KernelSystem.Default).Pool.GetCacheSlow(thread);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ThreadCache GetCacheSlow(KernelThread thread)
    {
        ThreadCache cache = FindOrCreateCache(thread);
        thread.PoolCache = cache;
        return cache;
    }

    /// <summary>The calling thread's cache for this machine, whichever machine is current on the thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ThreadCache CacheFor(KernelThread thread)
    {
        ThreadCache? cache = thread.PoolCache;
        return cache is not null && ReferenceEquals(cache.Owner, this) ? cache : FindOrCreateCache(thread);
    }

    private ThreadCache FindOrCreateCache(KernelThread thread)
    {
        // Adopting orphans walks free lists in pool memory, which Dispose has released.
        ThrowIfDisposed();
        ConditionalWeakTable<PoolAllocator, ThreadCache> caches = thread.PoolCaches ??= new();
        if (!caches.TryGetValue(this, out ThreadCache? cache))
        {
            cache = new ThreadCache(this);
            lock (_cachesLock)
            {
                AdoptOrphans();
                _caches.Add(cache);
            }

            caches.Add(this, cache);
        }

        return cache;
    }

    /// <summary>
    /// Retires the caches of threads that have exited: their free blocks move to the shared lists (and
    /// their capacity back to the pool) so nothing is stranded, and their counters fold into
    /// <see cref="_retiredTags"/>, so the accounting of a finished thread still counts while the list of
    /// caches only holds live threads. Caller holds <see cref="_cachesLock"/>.
    /// </summary>
    private void AdoptOrphans()
    {
        for (int i = _caches.Count - 1; i >= 0; i--)
        {
            ThreadCache orphan = _caches[i];
            if (!orphan.IsOrphaned)
            {
                continue;
            }

            for (int index = 0; index < SizeClass.Count; index++)
            {
                ref ThreadCache.FreeList list = ref orphan.Lists[index];
                int count = list.Count;
                if (count > 0)
                {
                    Flush(ref list, index, count);
                }
            }

            orphan.Runs.ReleaseAll();
            orphan.Tags.AddTo(_retiredTags);
            _caches.RemoveAt(i);
        }
    }

    /// <summary>The summed accounting of every thread, one row per (tag, pool) that was ever used.</summary>
    public List<PoolTagStatistics> QueryTags()
    {
        Dictionary<uint, (long Allocs, long Frees, long Bytes)> totals;
        lock (_cachesLock)
        {
            totals = new Dictionary<uint, (long Allocs, long Frees, long Bytes)>(_retiredTags);
            foreach (ThreadCache cache in _caches)
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

    public KernelProcess CreateProcess(string name, ulong pagedPoolQuotaLimit, ulong nonPagedPoolQuotaLimit)
    {
        lock (_cachesLock)
        {
            uint id = (uint)_processCount;
            var process = new KernelProcess(System, id, name, pagedPoolQuotaLimit, nonPagedPoolQuotaLimit, isSystem: false);
            KernelProcess?[] next = _processes;
            if (_processCount == next.Length)
            {
                next = new KernelProcess?[next.Length * 2];
                Array.Copy(_processes, next, _processCount);
            }

            next[id] = process;
            _processCount++;

            // Release write: a reader that finds the id in a header also finds the process in the array.
            Volatile.Write(ref _processes, next);
            return process;
        }
    }

    /// <summary>The process the calling thread allocates for: the attached one, or System.</summary>
    public KernelProcess CurrentProcess
    {
        get
        {
            KernelProcess? attached = KernelProcess.Attached;
            if (attached is null)
            {
                return SystemProcess;
            }

            if (!ReferenceEquals(attached.System, System))
            {
                throw new InvalidOperationException(
                    $"The thread is attached to process '{attached.Name}' of another KernelSystem; attach to a process of the machine that allocates.");
            }

            return attached;
        }
    }

    /// <summary>Charges the current process; returns its id (0 for System, never charged) or sets <paramref name="overQuota"/>.</summary>
    private uint ChargeQuota(bool paged, int bytes, out KernelProcess? overQuota)
    {
        overQuota = null;
        KernelProcess process = CurrentProcess;
        if (process.IsSystemProcess)
        {
            return 0;
        }

        if (!process.TryCharge(paged, bytes))
        {
            overQuota = process;
            return 0;
        }

        return process.Id;
    }

    private void ReturnQuota(uint processId, bool paged, int bytes)
    {
        if (processId != 0)
        {
            Volatile.Read(ref _processes)[processId]!.Return(paged, bytes);
        }
    }
}
