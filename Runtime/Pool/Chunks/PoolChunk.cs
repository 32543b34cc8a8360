using System;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A <see cref="PoolLayout.ChunkSize"/> run of OS memory, aligned to its size, handed out page by
/// page, each page to one size class; its page map says which.
/// </summary>
internal sealed unsafe class PoolChunk
{
    // Block layout per page; the default layout (an uncarved page) matches no address. Each entry is
    // written once, under the pool's page lock, before any block of the page is published; Free reads
    // it for an address the caller got from a block of that page, so whatever handed the block over
    // (the caller's own synchronization, or a depot's lock) orders the write before the read. An
    // address in an uncarved page reads the default, which rejects it. A bogus address in a page
    // being carved at that very moment could read a torn entry and be misjudged, but every address in
    // the chunk is pool memory, so the header read that follows still stays inside memory the pool owns.
    private readonly BlockLayout[] _pageLayouts = new BlockLayout[PoolLayout.PagesPerChunk];
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

    /// <summary>The page map that <see cref="ChunkTable"/> hands to free validation.</summary>
    public BlockLayout[] PageLayouts => _pageLayouts;

    public bool HasFreePage => _nextPage < PoolLayout.PagesPerChunk;

    /// <summary>Gives the next unused page to the class of <paramref name="layout"/> and returns its address.</summary>
    /// <remarks>Caller holds the pool's page lock and has checked <see cref="HasFreePage"/>.</remarks>
    public nint TakePage(BlockLayout layout)
    {
        int page = _nextPage++;
        _pageLayouts[page] = layout;
        return Base + (page << PoolLayout.PageShift);
    }

    public void Release() => NativeMemory.AlignedFree((void*)Base);
}
