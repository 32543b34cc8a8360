namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's freed runs of pages, by page count, so a steady stream of page-sized requests reuses
/// memory instead of going to the OS each time. Touched only by its thread (and by the pool when
/// the thread has exited or the machine is disposed), so it needs no lock. Cached runs are memory
/// only: their pool capacity was returned when the block was freed.
/// </summary>
internal sealed class PageRunCache
{
    /// <summary>Runs up to this many pages are cached when freed.</summary>
    public const int MaxPages = 16;

    /// <summary>Cached runs per page count.</summary>
    private const int RunsPerSize = 4;

    private readonly nint[] _runs = new nint[(MaxPages + 1) * RunsPerSize];
    private readonly int[] _counts = new int[MaxPages + 1];

    /// <summary>A cached run of exactly <paramref name="pages"/> pages, or 0.</summary>
    public nint TryTake(int pages)
    {
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
        return _runs[(pages * RunsPerSize) + count - 1];
    }

    /// <summary>Keeps a freed run for reuse; false when it is too long or the cache for its size is full.</summary>
    public bool TryKeep(nint memory, int pages)
    {
        if (pages > MaxPages || _counts[pages] == RunsPerSize)
        {
            return false;
        }

        _runs[(pages * RunsPerSize) + _counts[pages]++] = memory;
        return true;
    }

    /// <summary>Returns every cached run to the OS.</summary>
    public void ReleaseAll()
    {
        for (int pages = 1; pages <= MaxPages; pages++)
        {
            for (int i = 0; i < _counts[pages]; i++)
            {
                BigPageTable.FreePages(_runs[(pages * RunsPerSize) + i]);
            }

            _counts[pages] = 0;
        }
    }
}
