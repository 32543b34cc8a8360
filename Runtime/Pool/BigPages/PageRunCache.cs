namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's freed runs of pages, by page count, so a steady stream of page-sized requests reuses
/// memory instead of going to the OS each time. Each run keeps the big-page table entry of its
/// address, so handing it out again writes that entry directly instead of looking the address up.
/// Touched only by its thread (and by the pool when the thread has exited or the machine is
/// disposed), so it needs no lock. Cached runs are memory only: their capacity went back to the
/// thread's page credit (or the pool) when the block was freed.
/// </summary>
internal sealed class PageRunCache
{
    /// <summary>Runs up to this many pages are cached when freed.</summary>
    public const int MaxPages = 16;

    /// <summary>Cached runs per page count.</summary>
    private const int RunsPerSize = 4;

    private readonly Run[] _runs = new Run[(MaxPages + 1) * RunsPerSize];
    private readonly int[] _counts = new int[MaxPages + 1];

    /// <summary>A cached run of exactly <paramref name="pages"/> pages and its table entry, or 0.</summary>
    public nint TryTake(int pages, out BigPageEntry? entry)
    {
        entry = null;
        if (pages > MaxPages)
        {
            return 0;
        }

        int count = _counts[pages];
        if (count == 0)
        {
            return 0;
        }

        _counts[pages] = count - 1;

        // The slot keeps its entry reference: entries live as long as the table anyway, and a run
        // kept again in the same slot (the steady state) then stores no reference (no GC write barrier).
        ref Run run = ref _runs[(pages * RunsPerSize) + count - 1];
        entry = run.Entry;
        return run.Memory;
    }

    /// <summary>Keeps a freed run (the block's pages and its table entry) for reuse; false when it is too long or the cache for its size is full.</summary>
    public bool TryKeep(nint memory, int pages, BigPageEntry entry)
    {
        if (pages > MaxPages || _counts[pages] == RunsPerSize)
        {
            return false;
        }

        ref Run run = ref _runs[(pages * RunsPerSize) + _counts[pages]++];
        run.Memory = memory;
        if (!ReferenceEquals(run.Entry, entry))
        {
            run.Entry = entry;
        }

        return true;
    }

    /// <summary>Returns every cached run to the OS; true when there was one.</summary>
    public bool ReleaseAll()
    {
        bool released = false;
        for (int pages = 1; pages <= MaxPages; pages++)
        {
            for (int i = 0; i < _counts[pages]; i++)
            {
                ref Run run = ref _runs[(pages * RunsPerSize) + i];
                BigPageTable.FreePages(run.Memory);
                run.Memory = 0;
                released = true;
            }

            _counts[pages] = 0;
        }

        return released;
    }

    private struct Run
    {
        public nint Memory;
        public BigPageEntry? Entry;
    }
}
