using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's stripe of the per-tag accounting: allocations, frees and outstanding bytes per
/// (tag, paged/nonpaged). Only the owning thread writes; readers sum every stripe. A mutable struct
/// kept in a field of its <see cref="ThreadCache"/> (never copied), which saves a hop per update.
/// </summary>
/// <remarks>
/// Writes are plain (no interlocked operations): the hot path pays a hash probe and three adds.
/// A reader on another thread sees exact totals once the writers are quiescent and the reader has
/// synchronized with them (joined the threads, waited on their tasks), which is when tests read.
/// Growth publishes a complete copy with a release write, so a concurrent reader never sees a torn table.
/// </remarks>
internal struct TagCounters
{
    /// <summary>Key bit marking the paged-pool row; tag values themselves never use bit 31 (PROTECTED_POOL is stripped).</summary>
    public const uint PagedKeyBit = 0x80000000;

    /// <summary>The row of <paramref name="tag"/> in the paged or the nonpaged pool: the tag without PROTECTED_POOL, plus <see cref="PagedKeyBit"/> for paged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint KeyOf(uint tag, bool paged) => (tag & ~PoolTag.PROTECTED_POOL) | ((paged ? 1u : 0u) << 31);

    internal struct Entry
    {
        public uint Key;
        public long Allocs;
        public long Frees;

        // Bytes allocated and bytes freed are kept apart so an allocate/free pair updates four
        // independent counters instead of chaining two read-modify-writes on one.
        public long AllocatedBytes;
        public long FreedBytes;
    }

    private Entry[] _entries;
    private int _used;

    // Slot of the key used last: a loop that allocates and frees with one tag skips the hash probe.
    private int _lastSlot;

    public TagCounters()
    {
        _entries = new Entry[32];
        _used = 0;
        _lastSlot = 0;
    }

    /// <summary>Records an allocation of <paramref name="bytes"/> under <paramref name="key"/> (bare tag | <see cref="PagedKeyBit"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Allocated(uint key, long bytes)
    {
        ref Entry entry = ref Find(key);
        entry.Allocs++;
        entry.AllocatedBytes += bytes;
    }

    /// <summary>Records a free of <paramref name="bytes"/> under <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Freed(uint key, long bytes)
    {
        ref Entry entry = ref Find(key);
        entry.Frees++;
        entry.FreedBytes += bytes;
    }

    /// <summary>Adds this stripe's rows into <paramref name="totals"/>.</summary>
    public void AddTo(Dictionary<uint, (long Allocs, long Frees, long Bytes)> totals)
    {
        foreach (Entry entry in Volatile.Read(ref _entries))
        {
            if (entry.Key == 0)
            {
                continue;
            }

            totals.TryGetValue(entry.Key, out (long Allocs, long Frees, long Bytes) sum);
            totals[entry.Key] = (sum.Allocs + entry.Allocs, sum.Frees + entry.Frees, sum.Bytes + entry.AllocatedBytes - entry.FreedBytes);
        }
    }

    /// <summary>
    /// The row of <paramref name="key"/>: the row used last, checked inline (a loop with one tag pays
    /// one load and one compare), else the hash probe, out of line so the inlined part stays small.
    /// </summary>
    /// <remarks>
    /// The last slot is read without a bounds check: it is always an index of the current array,
    /// because it is only set from a probe of that array and the array never shrinks (Grow copies to
    /// a larger one, so an index of the old array is one of the new).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Find(uint key)
    {
        ref Entry last = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), _lastSlot);
        if (last.Key == key)
        {
            return ref last;
        }

        return ref Probe(key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref Entry Probe(uint key)
    {
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        int i = Hash(key) & mask;
        while (true)
        {
            ref Entry entry = ref entries[i];
            if (entry.Key == key)
            {
                _lastSlot = i;
                return ref entry;
            }

            if (entry.Key == 0)
            {
                return ref Add(key);
            }

            i = (i + 1) & mask;
        }
    }

    private ref Entry Add(uint key)
    {
        if ((_used + 1) * 2 > _entries.Length)
        {
            Grow();
        }

        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        int i = Hash(key) & mask;
        while (entries[i].Key != 0)
        {
            i = (i + 1) & mask;
        }

        entries[i].Key = key;
        _used++;
        return ref entries[i];
    }

    private void Grow()
    {
        Entry[] old = _entries;
        var next = new Entry[old.Length * 2];
        int mask = next.Length - 1;
        foreach (Entry entry in old)
        {
            if (entry.Key == 0)
            {
                continue;
            }

            int i = Hash(entry.Key) & mask;
            while (next[i].Key != 0)
            {
                i = (i + 1) & mask;
            }

            next[i] = entry;
        }

        Volatile.Write(ref _entries, next);
    }

    private static int Hash(uint key) => (int)((key * 0x9E3779B1u) >> 16);
}
