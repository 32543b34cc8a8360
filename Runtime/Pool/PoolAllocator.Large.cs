using System;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

// Page-granular allocations: requests above the small limit get whole pages, page-aligned, tracked in
// the big-page table; special pool gives each block its own pages and a guard page.
internal sealed unsafe partial class PoolAllocator
{
    /// <summary>Fill byte of special pool's slack and guard page; any other value there means an overrun.</summary>
    private const byte SpecialPattern = 0xAA;

    private readonly BigPageTable _largeBlocks = new();

    private nint AllocateBig(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options, ThreadCache cache)
    {
        // Page-sized and larger blocks are never charged to quota.
        int pages = PagesFor(numberOfBytes, extraPages: 0);
        nint memory = pages == 0 ? 0 : TakePages(PoolTypes.IsPaged(poolType), pages, cache);
        if (memory == 0)
        {
            return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
        }

        if ((options & AllocationOptions.Zero) != 0)
        {
            Clear(memory, numberOfBytes);
        }

        var block = new LargeBlock { Base = memory, Pages = pages, Tag = tag, PoolType = poolType, RequestedBytes = numberOfBytes };
        return Publish(memory, block, cache);
    }

    /// <summary>
    /// A block in special pool: its own pages and one guard page. Verify End (the default, and the
    /// …SpecialPoolOverrun priorities) ends the block as close to the end of its last page as its
    /// alignment allows, with the header just before it and the guard page after it; Verify Start
    /// (<see cref="AllocationOptions.SpecialPoolUnderrun"/>) puts the guard page first and starts the
    /// block on the page after it, its header kept only in the big-page table.
    /// </summary>
    private nint AllocateSpecial(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options, ThreadCache cache)
    {
        bool paged = PoolTypes.IsPaged(poolType);
        bool cacheAligned = PoolTypes.IsCacheAligned(poolType);
        bool guardBefore = (options & AllocationOptions.SpecialPoolUnderrun) != 0;

        nuint alignment = cacheAligned ? (nuint)PoolLayout.CacheLine : PoolLayout.UnitSize;
        nuint body = (numberOfBytes + alignment - 1) & ~(alignment - 1);
        int pages = (ulong)numberOfBytes > long.MaxValue ? 0 : PagesFor(guardBefore ? body : body + PoolHeader.Size, extraPages: 1);
        if (pages == 0)
        {
            return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
        }

        int dataPages = pages - 1;

        // Quota follows the request size, wherever special pool puts the block.
        uint quotaProcessId = 0;
        int quotaBytes = 0;
        if ((options & AllocationOptions.ChargeQuota) != 0 && numberOfBytes <= (nuint)(cacheAligned ? PoolLayout.SmallAlignedLimit : PoolLayout.SmallLimit))
        {
            quotaBytes = PoolLayout.BlockBytes(numberOfBytes, cacheAligned);
            quotaProcessId = ChargeQuota(paged, quotaBytes, out KernelProcess? overQuota);
            if (overQuota is not null)
            {
                return Fail(poolType, options, NTSTATUS.STATUS_QUOTA_EXCEEDED, numberOfBytes, tag);
            }
        }

        nint memory = TakePages(paged, pages, cache);
        if (memory == 0)
        {
            ReturnQuota(quotaProcessId, paged, quotaBytes);
            return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
        }

        NativeMemory.Fill((void*)memory, (nuint)pages * PoolLayout.PageSize, SpecialPattern);
        nint address;
        if (guardBefore)
        {
            address = memory + PoolLayout.PageSize;
        }
        else
        {
            address = memory + ((nint)dataPages * PoolLayout.PageSize) - (nint)body;
            var header = (PoolHeader*)(address - PoolHeader.Size);
            header->Units = 0;
            header->State = (ushort)(PoolHeader.Allocated | PoolTypes.Stored(poolType));
            header->Tag = tag.Value;
            header->RequestedBytes = (uint)Math.Min(numberOfBytes, uint.MaxValue);
            header->QuotaProcessId = quotaProcessId;
        }

        if ((options & AllocationOptions.Zero) != 0)
        {
            Clear(address, numberOfBytes);
        }

        var block = new LargeBlock
        {
            Base = memory, Pages = pages, DataPages = dataPages, GuardBefore = guardBefore, Tag = tag, PoolType = poolType,
            RequestedBytes = numberOfBytes, QuotaProcessId = quotaProcessId, QuotaBytes = quotaBytes,
        };
        return Publish(address, block, cache);
    }

    /// <summary>
    /// Pages for <paramref name="bytes"/> plus <paramref name="extraPages"/>, or 0 when the count does
    /// not fit the page counter (such a request can never be satisfied, whatever the pool size).
    /// </summary>
    private static int PagesFor(nuint bytes, int extraPages)
    {
        ulong pages = ((ulong)bytes / PoolLayout.PageSize) + ((ulong)bytes % PoolLayout.PageSize != 0 ? 1UL : 0UL) + (ulong)extraPages;
        return pages <= int.MaxValue && (ulong)bytes <= long.MaxValue ? (int)pages : 0;
    }

    /// <summary>
    /// Charges <paramref name="pages"/> pages to the pool and takes page-aligned memory for them; 0 when
    /// the pool (after this thread returns its cached blocks) or the OS cannot supply them.
    /// </summary>
    private nint TakePages(bool paged, int pages, ThreadCache cache)
    {
        PoolCapacity capacity = paged ? Paged : NonPaged;
        long bytes = (long)pages * PoolLayout.PageSize;
        if (!capacity.TryCharge(bytes) && !(bytes <= capacity.Size && ReleaseCachedBlocks(cache, paged) && capacity.TryCharge(bytes)))
        {
            return 0;
        }

        nint memory = cache.Runs.TryTake(pages);
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

    private nint Publish(nint address, LargeBlock block, ThreadCache cache)
    {
        uint bareTag = block.Tag.Value & ~PoolTag.PROTECTED_POOL;
        DriverVerifier? verifier = _verifier;
        if (verifier is not null && verifier.Tracks(bareTag))
        {
            block = block with { Tracked = true };
            verifier.Track(new PoolAllocationRecord(address, block.Tag, block.PoolType, block.RequestedBytes));
        }

        _largeBlocks.Add(address, block);
        cache.Tags.Allocated(bareTag | (PoolTypes.IsPaged(block.PoolType) ? TagCounters.PagedKeyBit : 0), (long)block.RequestedBytes);
        return address;
    }

    private void FreeLarge(KernelThread thread, ThreadCache cache, nint address, PoolTag tag)
    {
        // One table step takes the block out; a free the checks below refuse puts it back, so a
        // refused free changes nothing and a racing second free of the same block finds it gone.
        if (!_largeBlocks.TryTake(address, out LargeBlock block))
        {
            throw _largeBlocks.WasRetired(address) ? DoubleFree(address, address, 0) : NeverAllocated(address);
        }

        try
        {
            KIRQL irql = thread.Irql;
            if (irql > PoolTypes.MaxIrql(block.PoolType))
            {
                throw IrqlTooHighToFree(irql, block.PoolType, address);
            }

            CheckFreeTag(address, block.Tag.Value, tag);
            if (block.IsSpecial)
            {
                CheckSpecialPool(address, block);
            }
        }
        catch (BugCheckException)
        {
            _largeBlocks.Add(address, block);
            throw;
        }

        if (block.Tracked)
        {
            _verifier?.Untrack(address);
        }

        bool paged = PoolTypes.IsPaged(block.PoolType);
        ReturnQuota(block.QuotaProcessId, paged, block.QuotaBytes);
        cache.Tags.Freed((block.Tag.Value & ~PoolTag.PROTECTED_POOL) | (paged ? TagCounters.PagedKeyBit : 0), (long)block.RequestedBytes);
        (paged ? Paged : NonPaged).Release(block.Bytes);
        if (!cache.Runs.TryKeep(block.Base, block.Pages))
        {
            BigPageTable.FreePages(block.Base);
        }
    }

    /// <summary>Checks special pool's guard page and slack; the first damaged byte decides the bug check.</summary>
    private static void CheckSpecialPool(nint address, LargeBlock block)
    {
        nint dataStart = block.GuardBefore ? block.Base + PoolLayout.PageSize : block.Base;
        nint dataEnd = dataStart + (block.DataPages * PoolLayout.PageSize);
        nint guardPage = block.GuardBefore ? block.Base : dataEnd;
        var guard = new ReadOnlySpan<byte>((void*)guardPage, PoolLayout.PageSize);
        int touched = block.GuardBefore ? guard.LastIndexOfAnyExcept(SpecialPattern) : guard.IndexOfAnyExcept(SpecialPattern);
        if (touched >= 0)
        {
            // On a real machine the guard page is not mapped: the write itself faults, and the kernel
            // reports any fault on a live special-pool page, before or after the block, as 0xCD.
            nint faulting = guardPage + touched;
            string where = block.GuardBefore
                ? $"{(long)(address - faulting)} bytes before the start"
                : $"{(long)(faulting - address) - (long)block.RequestedBytes} bytes beyond the end";
            throw BugCheck.Raise(BugCheckNames.PAGE_FAULT_BEYOND_END_OF_ALLOCATION, (ulong)faulting, 1, 0, 0,
                $"write to 0x{(ulong)faulting:X}, {where} of the {block.RequestedBytes}-byte block 0x{(ulong)address:X} tagged '{block.Tag}'");
        }

        nint end = address + (nint)block.RequestedBytes;
        var after = new ReadOnlySpan<byte>((void*)end, (int)(dataEnd - end));
        int overrun = after.IndexOfAnyExcept(SpecialPattern);
        if (overrun >= 0)
        {
            nint corrupted = end + overrun;
            throw BugCheck.Raise(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ulong)address, (ulong)corrupted, 0, 0x24,
                $"block 0x{(ulong)address:X} tagged '{block.Tag}' freed with bytes after its end ({block.RequestedBytes} bytes) overwritten at 0x{(ulong)corrupted:X}");
        }

        if (block.GuardBefore)
        {
            return;
        }

        nint headerStart = address - PoolHeader.Size;
        var before = new ReadOnlySpan<byte>((void*)dataStart, (int)(headerStart - dataStart));
        int underrun = before.IndexOfAnyExcept(SpecialPattern);
        if (underrun >= 0)
        {
            nint corrupted = dataStart + underrun;
            throw BugCheck.Raise(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ulong)address, (ulong)corrupted, 0, 0x23,
                $"block 0x{(ulong)address:X} tagged '{block.Tag}' freed with bytes before it in its page overwritten at 0x{(ulong)corrupted:X}");
        }
    }

    private void ReleaseLargeBlocks()
    {
        _largeBlocks.Dispose();
        lock (_cachesLock)
        {
            foreach (ThreadCache cache in _caches)
            {
                cache.Runs.ReleaseAll();
            }
        }
    }
}
