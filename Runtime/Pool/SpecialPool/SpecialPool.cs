using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Driver Verifier's special pool: each block on pages of its own with a guard page, its slack filled
/// with a pattern that is checked when the block is freed, and its freed pages kept in a quarantine
/// (filled with another pattern, checked before they are reused) instead of being reused at once.
/// </summary>
/// <remarks>
/// Verify End (the default, and the …SpecialPoolOverrun priorities) ends the block as close to the
/// end of its last page as its alignment allows, with its pool header just before it and the guard
/// page after it; Verify Start (<see cref="AllocationOptions.SpecialPoolUnderrun"/>) puts the guard
/// page first and starts the block on the page after it, its header kept only in the big-page table.
/// On a real machine the guard page and the freed pages are not mapped and the access itself faults;
/// here memory stays mapped, so a write is found by the pattern it broke: in the guard page or slack
/// when the block is freed, in a freed block at the next special-pool call (reads go unnoticed).
/// </remarks>
internal sealed unsafe class SpecialPool
{
    /// <summary>Fill byte of a live block's slack and guard page; any other value there means an overrun.</summary>
    private const byte SlackPattern = 0xAA;

    /// <summary>How many page ranges an allocation tries for an address no freed block had (see <see cref="TakeUnusedAddress"/>).</summary>
    private const int AddressTries = 16;

    /// <summary>The most page ranges kept from the OS allocator because their address was a freed block's.</summary>
    private const int MaxParkedRanges = 256;

    private readonly BigPageHeap _pages;
    private readonly BigPageTable _table;
    private readonly QuotaLedger _quota;
    private readonly SpecialPoolQuarantine _quarantine = new();

    // Ranges refused by TakeUnusedAddress, oldest first; guarded by itself. Not charged to capacity.
    private readonly Queue<nint> _parked = new();

    public SpecialPool(BigPageHeap pages, BigPageTable table, QuotaLedger quota)
    {
        _pages = pages;
        _table = table;
        _quota = quota;
    }

    /// <summary>
    /// A special-pool block for the request, recorded in the table; 0 with <paramref name="overQuota"/>
    /// false when capacity or the OS cannot supply its pages, true when the process's quota cannot.
    /// </summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_FREED_SPECIAL_POOL (0xCC): a freed special-pool block was written since the last special-pool call.</exception>
    public nint Allocate(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options, bool tracked, out bool overQuota)
    {
        overQuota = false;
        _quarantine.CheckAll();

        bool paged = PoolTypes.IsPaged(poolType);
        bool cacheAligned = PoolTypes.IsCacheAligned(poolType);
        bool guardBefore = (options & AllocationOptions.SpecialPoolUnderrun) != 0;

        nuint alignment = cacheAligned ? (nuint)PoolLayout.CacheLine : PoolLayout.UnitSize;
        nuint body = (numberOfBytes + alignment - 1) & ~(alignment - 1);
        int pages = (ulong)numberOfBytes > long.MaxValue ? 0 : BigPageHeap.PagesFor(guardBefore ? body : body + PoolHeader.Size, extraPages: 1);
        if (pages == 0)
        {
            return 0;
        }

        // Quota follows the request size, wherever special pool puts the block: what the small block
        // of the request would have cost.
        uint quotaProcessId = 0;
        int quotaBytes = 0;
        if ((options & AllocationOptions.ChargeQuota) != 0 && SizeClasses.IsSmall(numberOfBytes, cacheAligned))
        {
            quotaBytes = SizeClasses.All[SizeClasses.IndexOf(SizeClasses.Group(paged, cacheAligned), numberOfBytes)]!.Stride;
            quotaProcessId = _quota.Charge(paged, quotaBytes, out bool charged);
            if (!charged)
            {
                overQuota = true;
                return 0;
            }
        }

        int dataPages = pages - 1;
        nint offset = guardBefore ? PoolLayout.PageSize : ((nint)dataPages * PoolLayout.PageSize) - (nint)body;
        nint memory = TakeUnusedAddress(paged, pages, offset);
        if (memory == 0)
        {
            _quota.Refund(quotaProcessId, paged, quotaBytes);
            return 0;
        }

        NativeMemory.Fill((void*)memory, (nuint)pages * PoolLayout.PageSize, SlackPattern);
        nint address = memory + offset;
        PoolHeader header = default;
        if (!guardBefore)
        {
            header.State = (ushort)(PoolHeader.Allocated | PoolTypes.Stored(poolType) | (tracked ? PoolHeader.Tracked : 0));
            header.Tag = tag.Value;
            header.RequestedBytes = (uint)Math.Min(numberOfBytes, uint.MaxValue);
            *(PoolHeader*)(address - PoolHeader.Size) = header;
        }

        if ((options & AllocationOptions.Zero) != 0)
        {
            NativeMemory.Clear((void*)address, numberOfBytes);
        }

        _table.Publish(address, new LargeBlock
        {
            Base = memory, Pages = pages, DataPages = dataPages, GuardBefore = guardBefore, Tag = tag, PoolType = poolType,
            RequestedBytes = numberOfBytes, QuotaProcessId = quotaProcessId, QuotaBytes = quotaBytes, Tracked = tracked, Header = header,
        });
        return address;
    }

    /// <summary>
    /// Fresh pages for a block <paramref name="offset"/> bytes into them, at an address no freed block
    /// had; 0 when capacity or the OS cannot supply them.
    /// </summary>
    /// <remarks>
    /// The OS allocator hands a range straight back once the quarantine releases it, and the block of
    /// the same size would then sit at the very address a freed block had: a stale second free of the
    /// old block would free the new one. The kernel avoids this by cycling through its whole special
    /// pool before it reuses a virtual address. Here a range that would give an address still marked
    /// freed in the big-page table is parked (kept from the OS allocator, so it cannot come back at
    /// once) and the next range is tried, up to <see cref="AddressTries"/> times; the oldest parked
    /// range goes back to the OS once <see cref="MaxParkedRanges"/> are parked. A stale free so stays
    /// a double free until hundreds of addresses later. Never a thread's cached runs either: they hold
    /// addresses freed a moment ago.
    /// </remarks>
    private nint TakeUnusedAddress(bool paged, int pages, nint offset)
    {
        for (int tries = 1; ; tries++)
        {
            nint memory = _pages.TakePages(paged, pages);
            if (memory == 0 || tries == AddressTries || !_table.WasFreed(memory + offset))
            {
                return memory;
            }

            _pages.CapacityOf(paged).Release((long)pages * PoolLayout.PageSize);
            nint evicted = 0;
            lock (_parked)
            {
                _parked.Enqueue(memory);
                if (_parked.Count > MaxParkedRanges)
                {
                    evicted = _parked.Dequeue();
                }
            }

            if (evicted != 0)
            {
                BigPageTable.FreePages(evicted);
            }
        }
    }

    /// <summary>
    /// The checks of a free: the quarantine (a freed block written meanwhile), then the block's guard
    /// page, slack and header; the first damaged byte decides the bug check.
    /// </summary>
    public void CheckFree(nint address, in LargeBlock block)
    {
        _quarantine.CheckAll();

        nint dataStart = block.GuardBefore ? block.Base + PoolLayout.PageSize : block.Base;
        nint dataEnd = dataStart + (block.DataPages * PoolLayout.PageSize);
        nint guardPage = block.GuardBefore ? block.Base : dataEnd;
        var guard = new ReadOnlySpan<byte>((void*)guardPage, PoolLayout.PageSize);
        int touched = block.GuardBefore ? guard.LastIndexOfAnyExcept(SlackPattern) : guard.IndexOfAnyExcept(SlackPattern);
        if (touched >= 0)
        {
            // On a real machine the guard page is not mapped: the write itself faults, and the kernel
            // reports any fault on a live special-pool page, before or after the block, as 0xCD.
            nint faulting = guardPage + touched;
            string where = block.GuardBefore
                ? $"{(long)(address - faulting)} bytes before the start"
                : $"{(long)(faulting - address) - (long)block.RequestedBytes} bytes beyond the end";
            throw PoolBugChecks.GuardPageTouched(faulting, where, block.RequestedBytes, address, block.Tag);
        }

        nint end = address + (nint)block.RequestedBytes;
        int overrun = new ReadOnlySpan<byte>((void*)end, (int)(dataEnd - end)).IndexOfAnyExcept(SlackPattern);
        if (overrun >= 0)
        {
            throw PoolBugChecks.SlackAfterBlockCorrupted(address, end + overrun, block.RequestedBytes, block.Tag);
        }

        if (block.GuardBefore)
        {
            return;
        }

        nint headerStart = address - PoolHeader.Size;
        int underrun = new ReadOnlySpan<byte>((void*)dataStart, (int)(headerStart - dataStart)).IndexOfAnyExcept(SlackPattern);
        if (underrun >= 0)
        {
            throw PoolBugChecks.BytesBeforeBlockCorruptedAt(address, dataStart + underrun, inHeader: false, block.Tag);
        }

        PoolHeader expected = block.Header;
        int damaged = new ReadOnlySpan<byte>((void*)headerStart, PoolHeader.Size).CommonPrefixLength(new ReadOnlySpan<byte>(&expected, PoolHeader.Size));
        if (damaged < PoolHeader.Size)
        {
            throw PoolBugChecks.BytesBeforeBlockCorruptedAt(address, headerStart + damaged, inHeader: true, block.Tag);
        }
    }

    /// <summary>Finishes a free that passed <see cref="CheckFree"/>: quota and capacity back, the pages into quarantine.</summary>
    public void Release(nint address, in LargeBlock block)
    {
        bool paged = PoolTypes.IsPaged(block.PoolType);
        _quota.Refund(block.QuotaProcessId, paged, block.QuotaBytes);
        _pages.CapacityOf(paged).Release(block.Bytes);
        _quarantine.Add(address, block);
    }

    /// <summary>Returns the quarantined and parked pages to the OS (the machine is going away).</summary>
    public void Dispose()
    {
        _quarantine.Dispose();
        lock (_parked)
        {
            while (_parked.TryDequeue(out nint range))
            {
                BigPageTable.FreePages(range);
            }
        }
    }
}
