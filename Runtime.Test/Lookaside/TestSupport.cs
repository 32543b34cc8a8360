using System;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime.Test.Lookaside;

/// <summary>An Allocate/Free pair over NativeMemory that records every call and every live block.</summary>
internal sealed unsafe class RecordingAllocator : IDisposable
{
    private readonly ConcurrentDictionary<nint, byte> _live = new();
    private int _allocations;
    private int _frees;

    public RecordingAllocator()
    {
        Allocate = AllocateEntry;
        Free = FreeEntry;
    }

    public PALLOCATE_FUNCTION Allocate { get; }

    public PFREE_FUNCTION Free { get; }

    public int Allocations => Volatile.Read(ref _allocations);

    public int Frees => Volatile.Read(ref _frees);

    public int Live => _live.Count;

    public POOL_TYPE LastType { get; private set; }

    public nuint LastSize { get; private set; }

    public PoolTag LastTag { get; private set; }

    /// <summary>When set, Allocate fails (returns NULL) instead of allocating.</summary>
    public bool Fail { get; set; }

    public bool Owns(nint block) => _live.ContainsKey(block);

    public void Dispose()
    {
        foreach (nint block in _live.Keys)
        {
            NativeMemory.Free((void*)block);
        }

        _live.Clear();
    }

    private nint AllocateEntry(POOL_TYPE type, nuint size, PoolTag tag)
    {
        LastType = type;
        LastSize = size;
        LastTag = tag;
        Interlocked.Increment(ref _allocations);
        if (Fail)
        {
            return 0;
        }

        nint block = (nint)NativeMemory.Alloc(size);
        _live.TryAdd(block, 0);
        return block;
    }

    private void FreeEntry(nint block)
    {
        Interlocked.Increment(ref _frees);
        if (!_live.TryRemove(block, out _))
        {
            throw new InvalidOperationException($"Free called for 0x{block:X}, which this allocator does not own (freed twice or foreign).");
        }

        NativeMemory.Free((void*)block);
    }
}

/// <summary>Runs code at a raised IRQL and always comes back down.</summary>
internal readonly struct IrqlScope : IDisposable
{
    private readonly KIRQL _previous;

    private IrqlScope(KIRQL previous) => _previous = previous;

    public static IrqlScope At(KIRQL irql)
    {
        Ke.KeRaiseIrql(irql, out KIRQL previous);
        return new IrqlScope(previous);
    }

    public void Dispose() => Ke.KeLowerIrql(_previous);
}
