using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Freed special-pool blocks, kept out of use for a while as the kernel keeps freed special pages
/// inaccessible: their pages are filled with a pattern, every special-pool call checks the pattern
/// of every quarantined block (a write there is PAGE_FAULT_IN_FREED_SPECIAL_POOL, 0xCC), and the
/// oldest block's pages go back to the OS only once it is checked one last time. While a block is
/// quarantined its address cannot be handed out again, so a second free of it is a double free,
/// never a free of someone else's block.
/// </summary>
/// <remarks>
/// Bounded to <see cref="MaxBlocks"/> blocks and <see cref="MaxBytes"/> bytes, so a check scans a
/// bounded amount of memory; a block larger than the byte bound stays until the next free.
/// </remarks>
internal sealed unsafe class SpecialPoolQuarantine : IDisposable
{
    public const int MaxBlocks = 16;
    public const long MaxBytes = 256 * 1024;

    /// <summary>Fill byte of quarantined pages.</summary>
    private const byte FreedPattern = 0xF5;

    private readonly object _lock = new();
    private readonly Queue<Entry> _entries = new();
    private long _bytes;

    /// <summary>Fills the block's pages with the freed pattern and quarantines them, releasing the oldest blocks beyond the bounds.</summary>
    /// <exception cref="BugCheckException">0xCC: a block leaving the quarantine had been written.</exception>
    public void Add(nint address, in LargeBlock block)
    {
        NativeMemory.Fill((void*)block.Base, (nuint)block.Bytes, FreedPattern);
        lock (_lock)
        {
            _entries.Enqueue(new Entry(address, block));
            _bytes += block.Bytes;
            nint? written = null;
            Entry touched = default;
            while (_entries.Count > MaxBlocks || (_bytes > MaxBytes && _entries.Count > 1))
            {
                // The last look at the pattern before the pages go back to the OS.
                Entry oldest = _entries.Dequeue();
                _bytes -= oldest.Block.Bytes;
                if (written is null && oldest.TouchedAt() is { } at)
                {
                    written = at;
                    touched = oldest;
                }

                BigPageTable.FreePages(oldest.Block.Base);
            }

            if (written is { } first)
            {
                throw PoolBugChecks.FreedSpecialPoolTouched(first, touched.Address, touched.Block.RequestedBytes, touched.Block.Tag);
            }
        }
    }

    /// <summary>
    /// Checks every quarantined block; the first one written since it was freed is reported and
    /// released (so it is reported once).
    /// </summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_FREED_SPECIAL_POOL (0xCC): P1 the first byte written, P2 1 (a write).</exception>
    public void CheckAll()
    {
        lock (_lock)
        {
            int count = _entries.Count;
            for (int i = 0; i < count; i++)
            {
                Entry entry = _entries.Dequeue();
                if (entry.TouchedAt() is { } written)
                {
                    _bytes -= entry.Block.Bytes;
                    BigPageTable.FreePages(entry.Block.Base);
                    RequeueRest(count - i - 1);
                    throw PoolBugChecks.FreedSpecialPoolTouched(written, entry.Address, entry.Block.RequestedBytes, entry.Block.Tag);
                }

                _entries.Enqueue(entry);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            while (_entries.TryDequeue(out Entry entry))
            {
                BigPageTable.FreePages(entry.Block.Base);
            }

            _bytes = 0;
        }
    }

    // Keeps the queue in age order after an entry was taken out of the middle of a pass.
    private void RequeueRest(int remaining)
    {
        for (int i = 0; i < remaining; i++)
        {
            _entries.Enqueue(_entries.Dequeue());
        }
    }

    private readonly record struct Entry(nint Address, LargeBlock Block)
    {
        /// <summary>The first byte of the block's pages that lost the freed pattern, or null. Reads memory the quarantine still owns.</summary>
        public nint? TouchedAt()
        {
            int at = new ReadOnlySpan<byte>((void*)Block.Base, (int)Math.Min(Block.Bytes, int.MaxValue)).IndexOfAnyExcept(FreedPattern);
            return at >= 0 ? Block.Base + at : null;
        }
    }
}
