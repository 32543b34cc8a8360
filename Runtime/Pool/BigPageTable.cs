using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The big-page table: every page-granular block by address, the addresses freed recently (so a
/// second free is reported as a double free, not as a foreign address) and a small cache of freed page
/// runs so a steady stream of page-sized requests does not go to the OS each time.
/// </summary>
/// <remarks>
/// One lock guards all three: page-granular requests are far rarer than small ones, and one lock
/// acquisition per step keeps the bookkeeping consistent. The table stores blocks by value, so
/// adding one allocates nothing once the dictionary has grown.
/// </remarks>
internal sealed unsafe class BigPageTable : IDisposable
{
    /// <summary>Runs up to this many pages are cached when freed.</summary>
    private const int MaxCachedPages = 16;

    /// <summary>Cached runs per page count.</summary>
    private const int RunsPerSize = 8;

    /// <summary>Freed addresses remembered for double-free reports; the oldest are forgotten first.</summary>
    private const int RetiredCapacity = 4096;

    private readonly object _lock = new();
    private readonly Dictionary<nint, LargeBlock> _blocks = [];
    private readonly HashSet<nint> _retired = [];
    private readonly Queue<nint> _retiredOrder = new();
    private readonly nint[,] _runs = new nint[MaxCachedPages + 1, RunsPerSize];
    private readonly int[] _runCounts = new int[MaxCachedPages + 1];

    /// <summary>Page-aligned memory for <paramref name="pages"/> pages: a cached run, or fresh from the OS; 0 when the OS has none.</summary>
    public nint TakeMemory(int pages)
    {
        if (pages <= MaxCachedPages)
        {
            lock (_lock)
            {
                int count = _runCounts[pages];
                if (count > 0)
                {
                    _runCounts[pages] = count - 1;
                    return _runs[pages, count - 1];
                }
            }
        }

        try
        {
            return (nint)NativeMemory.AlignedAlloc((nuint)pages * PoolLayout.PageSize, PoolLayout.PageSize);
        }
        catch (OutOfMemoryException)
        {
            return 0;
        }
    }

    /// <summary>Records a block handed out at <paramref name="address"/>.</summary>
    public void Add(nint address, LargeBlock block)
    {
        lock (_lock)
        {
            _blocks[address] = block;
            _retired.Remove(address);
        }
    }

    public bool TryGet(nint address, out LargeBlock block)
    {
        lock (_lock)
        {
            return _blocks.TryGetValue(address, out block);
        }
    }

    public bool WasRetired(nint address)
    {
        lock (_lock)
        {
            return _retired.Contains(address);
        }
    }

    /// <summary>Removes a block being freed and keeps or releases its memory; false when another thread freed it first.</summary>
    public bool Retire(nint address, LargeBlock block)
    {
        bool cached = false;
        lock (_lock)
        {
            if (!_blocks.Remove(address))
            {
                return false;
            }

            if (_retired.Add(address))
            {
                _retiredOrder.Enqueue(address);
                if (_retiredOrder.Count > RetiredCapacity)
                {
                    _retired.Remove(_retiredOrder.Dequeue());
                }
            }

            int count = block.Pages <= MaxCachedPages ? _runCounts[block.Pages] : RunsPerSize;
            if (count < RunsPerSize)
            {
                _runs[block.Pages, count] = block.Base;
                _runCounts[block.Pages] = count + 1;
                cached = true;
            }
        }

        if (!cached)
        {
            NativeMemory.AlignedFree((void*)block.Base);
        }

        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (LargeBlock block in _blocks.Values)
            {
                NativeMemory.AlignedFree((void*)block.Base);
            }

            _blocks.Clear();
            for (int pages = 1; pages <= MaxCachedPages; pages++)
            {
                for (int i = 0; i < _runCounts[pages]; i++)
                {
                    NativeMemory.AlignedFree((void*)_runs[pages, i]);
                }

                _runCounts[pages] = 0;
            }
        }
    }
}
