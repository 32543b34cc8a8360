using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's stripe of the per-tag accounting: allocations, frees and outstanding bytes per
/// (tag, paged/nonpaged). Only the owning thread writes; readers sum every stripe. A mutable struct
/// kept in a field of its <see cref="ThreadCache"/> (never copied), which saves a hop per update.
/// </summary>
/// <remarks>
/// <para>Writes are plain (no interlocked operations). The row of the key used last (the hot row) is
/// kept in fields of this struct rather than in the table, so a loop that allocates and frees with one
/// tag pays one compare and two adds per call, with no array load, index or bounds check. A call with
/// another key moves the hot row's counts into the table (its batch is published) and makes that key
/// hot, so alternating tags pay a table probe per switch, as they would without the hot row.</para>
/// <para>The trade: a reader on another thread that sums the stripe while its owner switches keys can
/// count the batch being published twice or not at all. A reader sees exact totals once the writers
/// are quiescent and the reader has synchronized with them (joined the threads, waited on their tasks),
/// which is when tests and the pool monitor's callers read, and was already the only time plain writes
/// gave exact totals. Growth publishes a complete copy with a release write, so a concurrent reader
/// never sees a torn table.</para>
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

    // Slot of the table key probed last: switching back and forth between two tags skips the hash probe.
    private int _lastSlot;

    // The hot row: counts for _hotKey not yet added to the table. _hotKey 0 (no tag has that key)
    // until the first call.
    private uint _hotKey;
    private long _hotAllocs;
    private long _hotFrees;

    // Bytes allocated and bytes freed are kept apart so an allocate/free pair updates four
    // independent counters instead of chaining two read-modify-writes on one.
    private long _hotAllocatedBytes;
    private long _hotFreedBytes;

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
        if (key == _hotKey)
        {
            _hotAllocs++;
            _hotAllocatedBytes += bytes;
        }
        else
        {
            AllocatedUnderNewKey(key, bytes);
        }
    }

    /// <summary>Records a free of <paramref name="bytes"/> under <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Freed(uint key, long bytes)
    {
        if (key == _hotKey)
        {
            _hotFrees++;
            _hotFreedBytes += bytes;
        }
        else
        {
            FreedUnderNewKey(key, bytes);
        }
    }

    /// <summary>Adds this stripe's rows into <paramref name="totals"/>.</summary>
    public void AddTo(Dictionary<uint, (long Allocs, long Frees, long Bytes)> totals)
    {
        // The hot row's batch, then the table. A row with no call has nothing to add (and no key yet).
        if ((_hotAllocs | _hotFrees) != 0)
        {
            totals.TryGetValue(_hotKey, out (long Allocs, long Frees, long Bytes) hot);
            totals[_hotKey] = (hot.Allocs + _hotAllocs, hot.Frees + _hotFrees, hot.Bytes + _hotAllocatedBytes - _hotFreedBytes);
        }

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

    // A key switch does the whole update out of line: the inlined hot path then keeps nothing live
    // across a call (the stripe and the byte count were saved to the stack on every update while the
    // increments followed the call).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AllocatedUnderNewKey(uint key, long bytes)
    {
        MakeHot(key);
        _hotAllocs = 1;
        _hotAllocatedBytes = bytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreedUnderNewKey(uint key, long bytes)
    {
        MakeHot(key);
        _hotFrees = 1;
        _hotFreedBytes = bytes;
    }

    /// <summary>Publishes the hot row's batch into the table and makes <paramref name="key"/> the hot row, with no counts yet.</summary>
    private void MakeHot(uint key)
    {
        if ((_hotAllocs | _hotFrees) != 0)
        {
            ref Entry entry = ref Find(_hotKey);
            entry.Allocs += _hotAllocs;
            entry.Frees += _hotFrees;
            entry.AllocatedBytes += _hotAllocatedBytes;
            entry.FreedBytes += _hotFreedBytes;
        }

        _hotKey = key;
        _hotAllocs = 0;
        _hotFrees = 0;
        _hotAllocatedBytes = 0;
        _hotFreedBytes = 0;
    }

    /// <summary>The table row of <paramref name="key"/>, added when missing.</summary>
    private ref Entry Find(uint key)
    {
        ref Entry last = ref _entries[_lastSlot];
        if (last.Key == key)
        {
            return ref last;
        }

        return ref Probe(key);
    }

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
