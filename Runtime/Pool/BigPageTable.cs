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

    /// <summary>Freed addresses each shard remembers for double-free reports (a power of two); the oldest are forgotten first.</summary>
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

    /// <summary>Records a block handed out at <paramref name="address"/> (or put back after a refused free).</summary>
    public void Add(nint address, LargeBlock block)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            shard.Blocks[address] = block;
        }
    }

    /// <summary>Removes the block at <paramref name="address"/> and remembers the address as freed; false when no block is there.</summary>
    public bool TryTake(nint address, out LargeBlock block)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            if (!shard.Blocks.Remove(address, out block))
            {
                return false;
            }

            shard.Retired[shard.NextRetired++ & (RetiredPerShard - 1)] = address;
            return true;
        }
    }

    /// <summary>
    /// True when <paramref name="address"/> was freed recently. Asked only for an address that holds no
    /// block, so an entry left from before the address was handed out again cannot mislead it.
    /// </summary>
    public bool WasRetired(nint address)
    {
        if (address == 0)
        {
            return false;
        }

        Shard shard = ShardOf(address);
        lock (shard)
        {
            return Array.IndexOf(shard.Retired, address) >= 0;
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

        // A ring of the addresses freed last; looked through only on a failed free, so recording
        // costs one store.
        public readonly nint[] Retired = new nint[RetiredPerShard];
        public int NextRetired;
    }
}
