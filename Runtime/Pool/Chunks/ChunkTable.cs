using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Maps a chunk-aligned address to the page map of its <see cref="PoolChunk"/>, so Free can tell
/// whether an address belongs to the pool before it reads a byte there.
/// </summary>
/// <remarks>
/// Lookups are lock-free: the table is an open-addressed array of (base, page map) pairs that is never
/// changed in place once published. Adding a chunk (rare: once per 64 KiB) copies the array under a
/// lock and publishes the copy with a release write; readers take the array with an acquire read, so
/// they see either the old or the new table, each complete. Bases sit inline in the array so a probe
/// compares without dereferencing a chunk object.
/// </remarks>
internal sealed class ChunkTable
{
    private struct Entry
    {
        public nint Base;
        public BlockLayout[]? PageLayouts;
    }

    private readonly object _writeLock = new();
    private Entry[] _slots = new Entry[64];
    private int _count;

    /// <summary>The page map of the chunk holding <paramref name="address"/>, or null when no chunk does.</summary>
    public BlockLayout[]? Find(nint address)
    {
        Entry[] slots = Volatile.Read(ref _slots);
        nint chunkBase = address & ~(nint)(PoolLayout.ChunkSize - 1);
        int mask = slots.Length - 1;
        for (int i = Hash(chunkBase) & mask; ; i = (i + 1) & mask)
        {
            ref Entry entry = ref slots[i];
            if (entry.Base == chunkBase || entry.PageLayouts is null)
            {
                return entry.PageLayouts;
            }
        }
    }

    public void Add(PoolChunk chunk)
    {
        lock (_writeLock)
        {
            Entry[] current = _slots;
            // Keep the load under one half so probes stay short and an empty slot always ends a probe.
            int size = (_count + 1) * 2 > current.Length ? current.Length * 2 : current.Length;
            var next = new Entry[size];
            foreach (Entry existing in current)
            {
                if (existing.PageLayouts is not null)
                {
                    Insert(next, existing);
                }
            }

            Insert(next, new Entry { Base = chunk.Base, PageLayouts = chunk.PageLayouts });
            _count++;
            Volatile.Write(ref _slots, next);
        }
    }

    private static void Insert(Entry[] slots, Entry entry)
    {
        int mask = slots.Length - 1;
        int i = Hash(entry.Base) & mask;
        while (slots[i].PageLayouts is not null)
        {
            i = (i + 1) & mask;
        }

        slots[i] = entry;
    }

    // Fibonacci hashing of the chunk number spreads consecutive chunks across the table.
    private static int Hash(nint chunkBase) => (int)(((ulong)chunkBase >> PoolLayout.ChunkShift) * 0x9E3779B97F4A7C15UL >> 40);
}
