using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Page-granular allocations: requests above the small limit get whole pages, page-aligned, recorded
/// in the big-page table (no header in the block, as in the kernel). Page runs come from the
/// freeing thread's run cache or the OS, and are charged to capacity by the page.
/// </summary>
internal sealed unsafe class BigPageHeap
{
    private readonly PoolCapacity _paged;
    private readonly PoolCapacity _nonPaged;
    private readonly BigPageTable _table;

    public BigPageHeap(PoolCapacity paged, PoolCapacity nonPaged, BigPageTable table)
    {
        _paged = paged;
        _nonPaged = nonPaged;
        _table = table;
    }

    /// <summary>
    /// Pages for <paramref name="bytes"/> plus <paramref name="extraPages"/>, or 0 when the count does
    /// not fit the page counter (such a request can never be satisfied, whatever the pool size).
    /// </summary>
    public static int PagesFor(nuint bytes, int extraPages)
    {
        ulong pages = ((ulong)bytes / PoolLayout.PageSize) + ((ulong)bytes % PoolLayout.PageSize != 0 ? 1UL : 0UL) + (ulong)extraPages;
        return pages <= int.MaxValue && (ulong)bytes <= long.MaxValue ? (int)pages : 0;
    }

    /// <summary>A big-page block for the request, recorded in the table; 0 when capacity or the OS cannot supply its pages.</summary>
    public nint Allocate(ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, bool zero, bool tracked)
    {
        int pages = PagesFor(numberOfBytes, extraPages: 0);
        BigPageEntry? entry = null;
        nint memory = pages == 0 ? 0 : TakePages(PoolTypes.IsPaged(poolType), pages, cache.Runs, out entry);
        if (memory == 0)
        {
            return 0;
        }

        if (zero)
        {
            NativeMemory.Clear((void*)memory, numberOfBytes);
        }

        _table.Publish(entry, memory, new LargeBlock { Base = memory, Pages = pages, Tag = tag, PoolType = poolType, RequestedBytes = numberOfBytes, Tracked = tracked });
        return memory;
    }

    /// <summary>Returns a freed block's pages: its capacity to the pool, its memory (with its table entry) to the thread's run cache or the OS.</summary>
    public void Release(ThreadCache cache, BigPageEntry entry, in LargeBlock block)
    {
        CapacityOf(PoolTypes.IsPaged(block.PoolType)).Release(block.Bytes);
        if (!cache.Runs.TryKeep(block.Base, block.Pages, entry))
        {
            BigPageTable.FreePages(block.Base);
        }
    }

    /// <summary>Charges <paramref name="pages"/> pages to the pool and takes fresh page-aligned memory for them from the OS; 0 when capacity or the OS cannot supply them.</summary>
    public nint TakePages(bool paged, int pages) => TakePages(paged, pages, runs: null, out _);

    /// <summary>
    /// Charges <paramref name="pages"/> pages to the pool and takes page-aligned memory for them (a run
    /// the thread cached, with its table <paramref name="entry"/>, when <paramref name="runs"/> has one);
    /// 0 when capacity or the OS cannot supply them.
    /// </summary>
    public nint TakePages(bool paged, int pages, PageRunCache? runs, out BigPageEntry? entry)
    {
        entry = null;
        PoolCapacity capacity = CapacityOf(paged);
        long bytes = (long)pages * PoolLayout.PageSize;
        if (!capacity.TryCharge(bytes))
        {
            return 0;
        }

        nint memory = runs is null ? 0 : runs.TryTake(pages, out entry);
        if (memory == 0)
        {
            memory = BigPageTable.AllocatePages(pages);
            if (memory == 0)
            {
                capacity.Release(bytes);
            }
        }

        return memory;
    }

    public PoolCapacity CapacityOf(bool paged) => paged ? _paged : _nonPaged;
}
