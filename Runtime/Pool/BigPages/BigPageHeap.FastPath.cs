using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

// The page-granular common case, beside the small-block fast path and built the same way: a plain
// request of up to PageRunCache.MaxPages pages with a tag this thread already validated, verifier
// off, a run of that size in the thread's run cache and enough page credit; and the free of a live,
// untracked big-page block. Every check of the general path is made here too; anything unusual
// returns "not handled" without side effects and the general path runs, repeats every check and
// reports what is wrong. Both touch only the thread's cache, the block's own table entry and the
// table's arrays (read), so a warm pair writes no line another thread writes.
internal sealed partial class BigPageHeap
{
    private const int MustSucceedOrCacheAligned = 2 | 4;

    /// <summary>The largest request the fast path serves: a run the run cache can hold.</summary>
    private const ulong FastLimit = PageRunCache.MaxPages * PoolLayout.PageSize;

    /// <summary>Returns the block, or 0 (having changed nothing) when the request needs the general path.</summary>
    /// <remarks>Inlined into the pool's one out-of-line call past the small-block fast path, so a page-granular request pays one call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint TryAllocateFast(KIRQL irql, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag)
    {
        // One unsigned compare for SmallLimit < numberOfBytes <= FastLimit.
        if ((ulong)numberOfBytes - (PoolLayout.SmallLimit + 1) >= FastLimit - PoolLayout.SmallLimit
            || cache.FastPathsClosed
            || ((int)poolType & MustSucceedOrCacheAligned) != 0
            || tag.Value != cache.LastValidTag)
        {
            return 0;
        }

        // Paged pool allows up to APC_LEVEL (1), nonpaged up to DISPATCH_LEVEL (2): irql + paged <= 2.
        int paged = (int)poolType & 1;
        if ((int)irql + paged > (int)KIRQL.DISPATCH_LEVEL)
        {
            return 0;
        }

        int pages = (int)(((ulong)numberOfBytes + PoolLayout.PageSize - 1) >> PoolLayout.PageShift);
        long bytes = (long)pages << PoolLayout.PageShift;
        ref long credit = ref cache.Credit.Of(paged != 0);
        if (credit < bytes)
        {
            return 0;
        }

        // A run cached by the big-page path always comes with its entry.
        nint memory = cache.Runs.TryTake(pages, out BigPageEntry? entry);
        if (memory == 0)
        {
            return 0;
        }

        credit -= bytes;
        entry!.PublishRun(tag, poolType, numberOfBytes, tracked: false);
        cache.Tags.Allocated(TagCounters.KeyOf(tag.Value, paged != 0), (long)numberOfBytes);
        return memory;
    }

    /// <summary>Frees the block and returns true, or returns false (having changed nothing) when the free needs the general path.</summary>
    /// <remarks>Inlined into the pool's one out-of-line call past the small-block fast free, as for allocation.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFreeFast(KIRQL irql, ThreadCache cache, nint address, PoolTag tag)
    {
        if ((address & (PoolLayout.PageSize - 1)) != 0 || cache.FastPathsClosed)
        {
            return false;
        }

        BigPageEntry? entry = _table.Find(address);
        if (entry is null)
        {
            return false;
        }

        long state = entry.State;
        if (!BigPageEntry.IsLive(state))
        {
            return false;
        }

        // Read before the claim; if the claim succeeds, the state never changed meanwhile, so these
        // were the fields of the block this free claims (an allocation writes them only while the
        // entry is not live).
        ref readonly LargeBlock block = ref entry.Block;
        POOL_TYPE poolType = block.PoolType;
        uint allocatedTag = block.Tag.Value;
        int pages = block.Pages;
        int paged = (int)poolType & 1;
        if (block.IsSpecial
            || block.Tracked
            || pages > PageRunCache.MaxPages
            || (int)irql + paged > (int)KIRQL.DISPATCH_LEVEL
            || (tag.Value == 0 ? (allocatedTag & PoolTag.PROTECTED_POOL) != 0 : ((tag.Value ^ allocatedTag) & ~PoolTag.PROTECTED_POOL) != 0))
        {
            return false;
        }

        nuint requested = block.RequestedBytes;

        // The claim: of two frees racing on this block, exactly one gets past here (the loser's
        // general path reports the double free).
        if (!entry.TryClaimFree(state))
        {
            return false;
        }

        cache.Tags.Freed(TagCounters.KeyOf(allocatedTag, paged != 0), (long)requested);
        Refund(cache, paged != 0, (long)pages << PoolLayout.PageShift);
        if (!cache.Runs.TryKeep(address, pages, entry))
        {
            BigPageTable.FreePages(address);
        }

        return true;
    }
}
