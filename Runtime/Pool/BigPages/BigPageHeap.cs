using System;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Page-granular allocations: requests above the small limit get whole pages, page-aligned, recorded
/// in the big-page table (no header in the block, as in the kernel). Page runs come from the
/// freeing thread's run cache or the OS, and are charged to capacity by the page.
/// </summary>
/// <remarks>
/// Capacity moves through the thread's <see cref="PageCredit"/>: an allocation takes its pages from
/// the credit, charging the pool (the shared counter) only when the credit runs short, and then for
/// <see cref="CreditTarget"/> bytes more; a free returns its pages to the credit, and only the part
/// above twice the target goes back to the pool. A held credit counts as taken for the pool's
/// exhaustion test and condition events, as blocks in a thread's small-block cache do, but not in the
/// committed bytes the machine reports (<see cref="PoolAllocator.CommittedBytes"/>). Before an
/// allocation reports the pool exhausted, the thread's own credit goes back (ReleaseCredit) and the
/// credits of exited threads with their caches; other live threads keep at most 2 ×
/// <see cref="CreditTarget"/> each. A request larger than the target uses up the credit and charges
/// exactly the rest, so one thread's requests see the whole pool.
/// </remarks>
internal sealed unsafe partial class BigPageHeap
{
    /// <summary>The credit a thread keeps after a refill or a free: enough for a few page-sized blocks.</summary>
    public const long CreditTarget = 64 * 1024;

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
        nint memory = pages == 0 ? 0 : TakePages(PoolTypes.IsPaged(poolType), pages, cache, out entry);
        if (memory == 0)
        {
            return 0;
        }

        if (zero)
        {
            NativeMemory.Clear((void*)memory, numberOfBytes);
        }

        if (entry is not null)
        {
            entry.PublishRun(tag, poolType, numberOfBytes, tracked);
        }
        else
        {
            _table.Publish(memory, new LargeBlock { Base = memory, Pages = pages, Tag = tag, PoolType = poolType, RequestedBytes = numberOfBytes, Tracked = tracked });
        }

        return memory;
    }

    /// <summary>Returns a freed block's pages: its capacity to the thread's credit, its memory (with its table entry) to the thread's run cache or the OS.</summary>
    public void Release(ThreadCache cache, BigPageEntry entry, in LargeBlock block)
    {
        Refund(cache, PoolTypes.IsPaged(block.PoolType), block.Bytes);
        if (!cache.Runs.TryKeep(block.Base, block.Pages, entry))
        {
            BigPageTable.FreePages(block.Base);
        }
    }

    /// <summary>Charges <paramref name="pages"/> pages to the pool and takes fresh page-aligned memory for them from the OS; 0 when capacity or the OS cannot supply them.</summary>
    public nint TakePages(bool paged, int pages) => TakePages(paged, pages, cache: null, out _);

    /// <summary>Gives the thread's credit back to the pools; true when it held any (a step before an allocation reports exhaustion).</summary>
    public bool ReleaseCredit(ThreadCache cache)
    {
        bool released = false;
        foreach (bool paged in (ReadOnlySpan<bool>)[false, true])
        {
            ref long credit = ref cache.Credit.Of(paged);
            if (credit != 0)
            {
                CapacityOf(paged).Release(credit);
                credit = 0;
                released = true;
            }
        }

        return released;
    }

    /// <summary>
    /// Charges <paramref name="pages"/> pages (to the thread's credit when <paramref name="cache"/> is
    /// given, else to the pool) and takes page-aligned memory for them: a run the thread cached, with
    /// its table <paramref name="entry"/>, or fresh memory from the OS. 0 when capacity or the OS
    /// cannot supply them.
    /// </summary>
    private nint TakePages(bool paged, int pages, ThreadCache? cache, out BigPageEntry? entry)
    {
        entry = null;
        long bytes = (long)pages * PoolLayout.PageSize;
        if (cache is null ? !CapacityOf(paged).TryCharge(bytes) : !TryCharge(cache, paged, bytes))
        {
            return 0;
        }

        nint memory = cache is null ? 0 : cache.Runs.TryTake(pages, out entry);
        if (memory == 0)
        {
            memory = BigPageTable.AllocatePages(pages);
            if (memory == 0)
            {
                if (cache is null)
                {
                    CapacityOf(paged).Release(bytes);
                }
                else
                {
                    Refund(cache, paged, bytes);
                }
            }
        }

        return memory;
    }

    /// <summary>Takes <paramref name="bytes"/> from the thread's credit, refilling it from the pool when it runs short.</summary>
    private bool TryCharge(ThreadCache cache, bool paged, long bytes)
    {
        ref long credit = ref cache.Credit.Of(paged);
        long held = credit;
        if (held >= bytes)
        {
            credit = held - bytes;
            return true;
        }

        PoolCapacity capacity = CapacityOf(paged);
        long needed = bytes - held;
        if (bytes <= CreditTarget && capacity.TryCharge(needed + CreditTarget))
        {
            credit = CreditTarget;
            return true;
        }

        if (capacity.TryCharge(needed))
        {
            credit = 0;
            return true;
        }

        return false;
    }

    /// <summary>Returns <paramref name="bytes"/> to the thread's credit, and to the pool what takes it above twice the target.</summary>
    private void Refund(ThreadCache cache, bool paged, long bytes)
    {
        ref long credit = ref cache.Credit.Of(paged);
        long held = credit + bytes;
        if (held > 2 * CreditTarget)
        {
            CapacityOf(paged).Release(held - CreditTarget);
            held = CreditTarget;
        }

        credit = held;
    }

    public PoolCapacity CapacityOf(bool paged) => paged ? _paged : _nonPaged;
}
