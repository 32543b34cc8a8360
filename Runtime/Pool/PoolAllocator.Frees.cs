namespace PoolAnalyzers.Runtime;

// The general free path: the address decides the heap. An address in a chunk is a small block (the
// heap validates it against the page map before reading a byte there); anything else must be a
// page-granular block in the big-page table, else it is reported without being touched.
internal sealed partial class PoolAllocator
{
    private void FreeChecked(KernelThread thread, ThreadCache cache, nint address, PoolTag tag)
    {
        ThrowIfDisposed();

        // A live page-granular block first, which skips the chunk probe: a small block never starts
        // on a page boundary (its header can), so a page-aligned address with a live entry is one.
        BigPageEntry? entry;
        if ((address & (PoolLayout.PageSize - 1)) == 0 && (entry = _pageBlocks.Find(address)) is not null && BigPageEntry.IsLive(entry.State))
        {
            FreePageGranular(thread, cache, entry, address, tag);
            return;
        }

        BlockLayout[]? pageMap = _small.PageMapOf(cache, address);
        if (pageMap is not null)
        {
            _small.Free(thread, cache, pageMap, address, tag);
            return;
        }

        FreePageGranular(thread, cache, _pageBlocks.Find(address), address, tag);
    }

    private void FreePageGranular(KernelThread thread, ThreadCache cache, BigPageEntry? entry, nint address, PoolTag tag)
    {
        bool verified = _verifier is not null;
        long state = entry?.State ?? 0;
        if (!BigPageEntry.IsLive(state))
        {
            throw NotAPageGranularBlock(entry, address, verified);
        }

        // Every check before the claim, so a refused free changes nothing. The claim is one
        // compare-exchange on the entry's state: of two frees racing on the block exactly one wins,
        // and a free that read an earlier generation of the address never claims a later one.
        LargeBlock block = entry!.Block;
        PoolBugChecks.CheckFreeIrql(verified, thread.Irql, block.PoolType, address);
        PoolBugChecks.CheckFreeTag(address, block.Tag.Value, tag);
        if (block.IsSpecial)
        {
            _specialPool.CheckFree(address, block);
        }

        if (!entry.TryClaimFree(state))
        {
            throw PoolBugChecks.DoubleFree(verified, address, address, 0);
        }

        if (block.Tracked)
        {
            _verifier?.Untrack(address);
        }

        bool paged = PoolTypes.IsPaged(block.PoolType);
        cache.Tags.Freed(TagCounters.KeyOf(block.Tag.Value, paged), (long)block.RequestedBytes);
        if (block.IsSpecial)
        {
            _specialPool.Release(address, block);
        }
        else
        {
            _bigPages.Release(cache, entry, block);
        }
    }

    /// <summary>What a free of an address the table does not hold is: a double free, a pointer into a live block, or a foreign address.</summary>
    private BugCheckException NotAPageGranularBlock(BigPageEntry? entry, nint address, bool verified)
    {
        if (address != 0 && entry?.IsFreed == true)
        {
            return PoolBugChecks.DoubleFree(verified, address, address, 0);
        }

        if (!_pageBlocks.TryFindContaining(address, out nint start, out LargeBlock live))
        {
            return PoolBugChecks.NeverAllocated(verified, address);
        }

        long offset = (long)(address - start);
        string where = offset < 0 ? $"{-offset} bytes before the start of {live.Describe(start)}, in its pages"
            : offset < (long)live.RequestedBytes ? $"{offset} bytes inside {live.Describe(start)}"
            : $"{offset - (long)live.RequestedBytes} bytes beyond the end of {live.Describe(start)}, in its pages";
        return PoolBugChecks.InvalidAddress(verified, address, where);
    }
}
