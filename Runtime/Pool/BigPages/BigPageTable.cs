using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The big-page table: every page-granular block (big-page and special-pool) by the address it was
/// handed out at, and every address freed since and not handed out again, so a second free is
/// reported as a double free however many frees happened in between.
/// </summary>
/// <remarks>
/// The table is split into shards by page number, each under its own lock, so threads allocating and
/// freeing different blocks rarely meet on a lock. Blocks are stored by value, so adding one
/// allocates nothing once a shard's dictionary has grown. A freed address stays marked until the
/// address is handed out again; the marks therefore grow with the distinct addresses page-granular
/// blocks ever had, which the OS allocator's reuse of freed ranges bounds in practice.
/// </remarks>
internal sealed unsafe class BigPageTable : IDisposable
{
    private const int ShardBits = 4;

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
            shard.Retired.Remove(address);
        }
    }

    /// <summary>Removes the block at <paramref name="address"/> and marks the address freed; false when no block is there.</summary>
    public bool TryTake(nint address, out LargeBlock block)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            if (!shard.Blocks.Remove(address, out block))
            {
                return false;
            }

            shard.Retired.Add(address);
            return true;
        }
    }

    /// <summary>Puts back a block whose free was refused: the address is live again.</summary>
    public void Restore(nint address, LargeBlock block) => Add(address, block);

    /// <summary>True when <paramref name="address"/> was handed out and freed, and not handed out since.</summary>
    public bool WasFreed(nint address)
    {
        Shard shard = ShardOf(address);
        lock (shard)
        {
            return shard.Retired.Contains(address);
        }
    }

    /// <summary>
    /// The live block whose pages hold <paramref name="address"/> and the address it was handed out
    /// at; false when none does. Looks through every block: only a free that is already a bug check asks.
    /// </summary>
    public bool TryFindContaining(nint address, out nint start, out LargeBlock block)
    {
        foreach (Shard shard in _shards)
        {
            lock (shard)
            {
                foreach (KeyValuePair<nint, LargeBlock> entry in shard.Blocks)
                {
                    if ((nuint)address - (nuint)entry.Value.Base < (nuint)entry.Value.Bytes)
                    {
                        start = entry.Key;
                        block = entry.Value;
                        return true;
                    }
                }
            }
        }

        start = 0;
        block = default;
        return false;
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
                shard.Retired.Clear();
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
    }
}
