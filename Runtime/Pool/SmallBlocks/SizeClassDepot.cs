using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The free blocks of one size class that no thread caches: thread caches overflow into it and refill
/// from it a batch at a time, so memory freed on one thread serves every other. Block addresses are
/// kept in runtime memory, like the thread caches'; nothing stored in a free block is followed.
/// </summary>
/// <remarks>
/// Touched only when a thread cache runs dry or overflows, a batch at a time, so a plain lock costs
/// less overall than a lock-free structure would.
/// </remarks>
internal sealed class SizeClassDepot
{
    private readonly object _lock = new();
    private nint[] _blocks = new nint[2 * ThreadCache.Batch];
    private int _count;

    /// <summary>Blocks in the depot: a snapshot.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Push(ReadOnlySpan<nint> blocks)
    {
        lock (_lock)
        {
            if (_count + blocks.Length > _blocks.Length)
            {
                Array.Resize(ref _blocks, Math.Max(_blocks.Length * 2, _count + blocks.Length));
            }

            blocks.CopyTo(_blocks.AsSpan(_count));
            _count += blocks.Length;
        }
    }

    /// <summary>Moves up to <paramref name="destination"/>'s length of blocks into it; returns how many.</summary>
    public int PopInto(Span<nint> destination)
    {
        lock (_lock)
        {
            int taken = Math.Min(destination.Length, _count);
            _count -= taken;
            _blocks.AsSpan(_count, taken).CopyTo(destination);
            return taken;
        }
    }
}
