namespace PoolAnalyzers.Runtime;

/// <summary>A page-granular allocation: a big-page block, or a special-pool block with its guard page.</summary>
internal readonly record struct LargeBlock
{
    public required nint Base { get; init; }

    /// <summary>Pages taken from the pool's capacity, guard page included.</summary>
    public required int Pages { get; init; }

    public required PoolTag Tag { get; init; }

    public required POOL_TYPE PoolType { get; init; }

    public required nuint RequestedBytes { get; init; }

    public uint QuotaProcessId { get; init; }

    public int QuotaBytes { get; init; }

    public bool Tracked { get; init; }

    /// <summary>For special pool: the pages that hold the block; the guard page follows them.</summary>
    public int DataPages { get; init; }

    /// <summary>For special pool: the guard page comes first and the block starts the page after it (the underrun layout).</summary>
    public bool GuardBefore { get; init; }

    public bool IsSpecial => DataPages > 0;

    public long Bytes => (long)Pages * PoolLayout.PageSize;
}
