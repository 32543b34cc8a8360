namespace PoolAnalyzers.Runtime;

/// <summary>Sizes that shape the pool, x64 values.</summary>
internal static class PoolLayout
{
    public const int PageSize = 4096;
    public const int PageShift = 12;

    /// <summary>Block granularity: 16 bytes, the header size, so every small block is 16-byte aligned.</summary>
    public const int UnitSize = 16;
    public const int UnitShift = 4;

    /// <summary>The processor cache line that cache-aligned pool types align to.</summary>
    public const int CacheLine = 64;
    public const int CacheLineShift = 6;

    /// <summary>Largest request served from a small block: PAGE_SIZE - 32 = 4064 bytes (larger requests get whole pages).</summary>
    public const int SmallLimit = PageSize - 32;

    /// <summary>
    /// Largest cache-aligned request served from a small block. Such blocks start at page offset 48 so
    /// the caller's address (header + 16) lands on a 64-byte line; the block must still end in the page.
    /// </summary>
    public const int SmallAlignedLimit = PageSize - CacheLine - UnitSize;

    /// <summary>
    /// Memory comes from the OS in chunks of this size, aligned to their size, so the chunk that holds
    /// an address is found by masking the low bits and one table probe.
    /// </summary>
    public const int ChunkSize = 64 * 1024;
    public const int ChunkShift = 16;

    public const nint ChunkMask = ChunkSize - 1;
    public const int PagesPerChunk = ChunkSize / PageSize;
}
