using System.Collections.Generic;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The chunks of one pool: where small-block pages come from, and the table that tells whether an
/// address lies in one (and which page layout it has) before the pool reads a byte there.
/// </summary>
internal sealed class ChunkSet
{
    private readonly ChunkTable _table = new();

    // Guards page hand-out and chunk creation: one page per refill miss, so rarely contended.
    private readonly object _lock = new();
    private readonly List<PoolChunk> _all = [];
    private PoolChunk? _currentPaged;
    private PoolChunk? _currentNonPaged;

    /// <summary>The page map of the chunk holding <paramref name="address"/>, or null when no chunk does (lock-free).</summary>
    public BlockLayout[]? PageMapOf(nint address) => _table.Find(address);

    /// <summary>A fresh page of paged or nonpaged memory given to the class of <paramref name="layout"/>; 0 when the OS has no memory left.</summary>
    public nint TakePage(bool paged, BlockLayout layout)
    {
        lock (_lock)
        {
            ref PoolChunk? current = ref paged ? ref _currentPaged : ref _currentNonPaged;
            if (current is null || !current.HasFreePage)
            {
                var chunk = PoolChunk.TryCreate(paged);
                if (chunk is null)
                {
                    return 0;
                }

                _all.Add(chunk);
                _table.Add(chunk);
                current = chunk;
            }

            return current.TakePage(layout);
        }
    }

    /// <summary>Returns every chunk to the OS (the machine is going away).</summary>
    public void Release()
    {
        lock (_lock)
        {
            foreach (PoolChunk chunk in _all)
            {
                chunk.Release();
            }

            _all.Clear();
            _currentPaged = null;
            _currentNonPaged = null;
        }
    }
}
