using System;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A <see cref="PoolLayout.ChunkSize"/> run of OS memory, aligned to its size, carved page by page
/// into small blocks of one size class per page.
/// </summary>
internal sealed unsafe class PoolChunk
{
    // Block layout per page; the default layout (an uncarved page) matches no address. Each entry is
    // written once, under the pool's page lock, before any block of the page is published; Free reads
    // it for an address the caller got from a block of that page, so whatever handed the block over
    // (the caller's own synchronization, or the shared-list lock) orders the write before the read.
    // An address in an uncarved page reads the default, which rejects it. A bogus address in a page
    // being carved at that very moment could read a torn entry and be misjudged, but every address in
    // the chunk is pool memory, so the header read that follows still stays inside memory the pool owns.
    private readonly BlockLayout[] _pageLayouts = new BlockLayout[PoolLayout.PagesPerChunk];

    /// <summary>The page map that <see cref="ChunkTable"/> hands to Free: the layout of each page, inline.</summary>
    public BlockLayout[] PageLayouts => _pageLayouts;
    private int _nextPage;

    private PoolChunk(bool paged, nint baseAddress)
    {
        IsPaged = paged;
        Base = baseAddress;
    }

    /// <summary>A chunk of fresh OS memory, or null when the OS has none: the pool then reports itself exhausted.</summary>
    public static PoolChunk? TryCreate(bool paged)
    {
        try
        {
            return new PoolChunk(paged, (nint)NativeMemory.AlignedAlloc(PoolLayout.ChunkSize, PoolLayout.ChunkSize));
        }
        catch (OutOfMemoryException)
        {
            return null;
        }
    }

    public nint Base { get; }

    public bool IsPaged { get; }

    public bool HasFreePage => _nextPage < PoolLayout.PagesPerChunk;

    /// <summary>Carves the next unused page into free blocks of <paramref name="sizeClass"/>; returns the linked list.</summary>
    /// <remarks>Caller holds the pool's page lock.</remarks>
    public nint CarvePage(SizeClass sizeClass, out int count)
    {
        int page = _nextPage++;
        nint pageBase = Base + (page << PoolLayout.PageShift);
        nint first = 0;
        count = sizeClass.BlocksPerPage;

        // Link from the last block backwards so the list hands out ascending addresses.
        for (int i = count - 1; i >= 0; i--)
        {
            nint block = pageBase + sizeClass.FirstOffset + (i * sizeClass.Stride);
            var header = (PoolHeader*)block;
            header->Units = (ushort)sizeClass.Units;
            header->State = 0;
            header->Tag = 0;
            header->RequestedBytes = 0;
            header->QuotaProcessId = 0;
            ThreadCache.FreeList.NextOf(block) = first;
            first = block;
        }

        _pageLayouts[page] = sizeClass.Layout;
        return first;
    }

    public void Release() => NativeMemory.AlignedFree((void*)Base);
}
