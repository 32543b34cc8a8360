using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The big-page table: every page-granular block by address, and the addresses freed recently (so a
/// second free is reported as a double free, not as a foreign address).
/// </summary>
/// <remarks>
/// The table is split into shards by page number, each under its own lock, so threads allocating and
/// freeing different blocks rarely meet on a lock. Blocks are stored by value, so adding one
/// allocates nothing once a shard's dictionary has grown. Freed runs of pages are kept by the freeing
/// thread (<see cref="PageRunCache"/>), not here, so reuse takes no lock either.
/// </remarks>
internal sealed unsafe class BigPageTable : IDisposable
{
    private const int ShardBits = 4;

    /// <summary>Freed addresses each shard remembers for double-free reports; the oldest are forgotten first.</summary>
    private const int RetiredPerShard = 256;

    private readonly Shard[] _shards = new Shard[1 << ShardBits];

    public BigPageTable()
    {
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard();
        }
    }

    /// <summary>Fresh page-aligned memory for <paramref name="pages"/> pages from the OS; 0 when the OS has none.</summary>
    public static nint AllocatePages(int pages)
    {
        try
        {
            return (nint)NativeMemory.AlignedAlloc((nuint)pages * PoolLayout.PageSize, PoolLayout.PageSize);
        }
        catch (OutOfMemoryException)
        {
            return 0;
        }
    }

    public static void FreePages(nint memory) => NativeMemory.AlignedFree((void*)memory);

    /// <summary>Records a block handed out at <paramref name="address"/>.</summary>
    public void Add(nint address, LargeBlock block)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            shard.Blocks[address] = block;
            shard.Retired.Remove(address);
        }
    }

    public bool TryGet(nint address, out LargeBlock block)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            return shard.Blocks.TryGetValue(address, out block);
        }
    }

    public bool WasRetired(nint address)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            return shard.Retired.Contains(address);
        }
    }

    /// <summary>Removes a block being freed and remembers its address; false when another thread freed it first.</summary>
    public bool Retire(nint address)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            if (!shard.Blocks.Remove(address))
            {
                return false;
            }

            if (shard.Retired.Add(address))
            {
                shard.RetiredOrder.Enqueue(address);
                if (shard.RetiredOrder.Count > RetiredPerShard)
                {
                    shard.Retired.Remove(shard.RetiredOrder.Dequeue());
                }
            }

            return true;
        }
    }

    /// <summary>Returns the memory of every block still outstanding to the OS (the machine is going away).</summary>
    public void Dispose()
    {
        foreach (Shard shard in _shards)
        {
            lock (shard)
            {
                foreach (LargeBlock block in shard.Blocks.Values)
                {
                    FreePages(block.Base);
                }

                shard.Blocks.Clear();
            }
        }
    }

    // Fibonacci hashing of the page number: a thread's blocks, and different threads' blocks, spread
    // over the shards instead of clustering on neighbouring ones.
    private Shard ShardOf(nint address)
        => _shards[(int)((((ulong)address >> PoolLayout.PageShift) * 0x9E3779B97F4A7C15UL) >> (64 - ShardBits))];

    private sealed class Shard
    {
        public readonly Dictionary<nint, LargeBlock> Blocks = [];
        public readonly HashSet<nint> Retired = [];
        public readonly Queue<nint> RetiredOrder = new();
    }
}
