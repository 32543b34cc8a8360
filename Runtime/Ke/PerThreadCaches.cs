using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>Something one thread keeps for one owner: a pool's thread cache, a lookaside list's front cache, a zone's cache.</summary>
internal interface IThreadOwned
{
    /// <summary>The thread that owns it; only that thread changes it while it runs.</summary>
    KernelThread Thread { get; }
}

/// <summary>
/// The per-thread caches of one owner (a pool, a lookaside list, a zone), and the one place that decides when
/// a cache is orphaned: its thread has exited. Each cache is registered by its thread on first use;
/// <see cref="RetireExited"/> hands every orphan to the owner's retire routine (which moves what the
/// cache holds back to shared state) and forgets it. The owner calls it when a new cache registers,
/// before it reports itself exhausted (the pool: before an allocation fails; a lookaside list: before
/// an allocation misses and calls the Allocate routine; a zone: before an allocation returns NULL),
/// and from its periodic work (the lookaside depth scan); nothing is stranded in a dead thread's
/// cache for longer than that. The pool's thread caches, the lookaside lists' front caches and the
/// zones' caches are all kept here.
/// </summary>
/// <remarks>
/// The list is copied on write and published with a release store, so readers (counter sums, pool
/// statistics) iterate a snapshot without the lock. Writers hold the lock; an owner may call in while
/// holding a lock of its own, as long as it never takes that lock inside a retire routine.
/// </remarks>
internal sealed class PerThreadCaches<TCache>
    where TCache : class, IThreadOwned
{
    private readonly object _lock = new();
    private readonly Action<TCache> _retire;
    private TCache[] _live = [];

    /// <param name="retire">Moves an orphan's contents back to the owner; runs under the registry's lock.</param>
    public PerThreadCaches(Action<TCache> retire) => _retire = retire;

    /// <summary>The lock retirements run under: hold it to read the owner's retired totals and <see cref="Live"/> as one consistent picture.</summary>
    public object SyncRoot => _lock;

    /// <summary>Every registered cache: a snapshot.</summary>
    public TCache[] Live => Volatile.Read(ref _live);

    /// <summary>Registers <paramref name="cache"/>, retiring the orphans first.</summary>
    public void Add(TCache cache)
    {
        lock (_lock)
        {
            TCache[] current = RetireLocked();
            var next = new TCache[current.Length + 1];
            current.CopyTo(next, 0);
            next[current.Length] = cache;
            Volatile.Write(ref _live, next);
        }
    }

    /// <summary>True when a registered cache's thread has exited (a lock-free look at the snapshot: the test before <see cref="RetireExited"/> on a path that should not take the lock for nothing).</summary>
    public bool AnyExited() => AnyExitedIn(Live);

    /// <summary>Retires the caches of threads that have exited; true when there was one.</summary>
    public bool RetireExited()
    {
        lock (_lock)
        {
            TCache[] before = _live;
            return !ReferenceEquals(RetireLocked(), before);
        }
    }

    /// <summary>Unregisters every cache and returns them (the owner is being deleted or torn down).</summary>
    public TCache[] RemoveAll()
    {
        lock (_lock)
        {
            TCache[] all = _live;
            Volatile.Write(ref _live, []);
            return all;
        }
    }

    private TCache[] RetireLocked()
    {
        TCache[] current = _live;
        if (!AnyExitedIn(current))
        {
            return current;
        }

        // One decision per cache: a thread may exit while this runs, so asking twice (once to count,
        // once to partition) could leave an unfilled slot in the survivors.
        var survivors = new TCache[current.Length];
        int kept = 0;
        foreach (TCache cache in current)
        {
            if (cache.Thread.HasExited)
            {
                _retire(cache);
            }
            else
            {
                survivors[kept++] = cache;
            }
        }

        Array.Resize(ref survivors, kept);
        Volatile.Write(ref _live, survivors);
        return survivors;
    }

    private static bool AnyExitedIn(TCache[] caches)
    {
        foreach (TCache cache in caches)
        {
            if (cache.Thread.HasExited)
            {
                return true;
            }
        }

        return false;
    }
}
