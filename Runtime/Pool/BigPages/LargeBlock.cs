namespace PoolAnalyzers.Runtime;

/// <summary>
/// A page-granular allocation as the big-page table records it, in runtime memory: a big-page block,
/// or a special-pool block with its guard page (and its header's expected contents). Mutable so a
/// run handed out again rewrites only the fields that change (see <see cref="BigPageEntry.PublishRun"/>).
/// </summary>
internal record struct LargeBlock
{
    public required nint Base { get; set; }

    /// <summary>Pages taken from the pool's capacity, guard page included.</summary>
    public required int Pages { get; set; }

    public required PoolTag Tag { get; set; }

    public required POOL_TYPE PoolType { get; set; }

    public required nuint RequestedBytes { get; set; }

    /// <summary>The id of the process charged quota (special pool only; never encoded: the record is runtime memory).</summary>
    public uint QuotaProcessId { get; set; }

    public int QuotaBytes { get; set; }

    public bool Tracked { get; set; }

    /// <summary>For special pool: the pages that hold the block; the guard page follows them (or precedes them, see <see cref="GuardBefore"/>).</summary>
    public int DataPages { get; set; }

    /// <summary>For special pool: the guard page comes first and the block starts the page after it (the underrun layout).</summary>
    public bool GuardBefore { get; set; }

    /// <summary>For special pool with the guard after the block: what its pool header, just before the block, must still hold when it is freed.</summary>
    public PoolHeader Header { get; set; }

    public bool IsSpecial => DataPages > 0;

    public long Bytes => (long)Pages * PoolLayout.PageSize;

    /// <summary>How a message names the block: "the 8192-byte block at 0x… tagged 'Fred'".</summary>
    public string Describe(nint address) => $"the {RequestedBytes}-byte block at 0x{(ulong)address:X} tagged '{Tag}'";
}
