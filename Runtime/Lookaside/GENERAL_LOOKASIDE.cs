using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What every lookaside list holds: its free list, its callbacks and the counters the kernel keeps
/// in GENERAL_LOOKASIDE. Use <see cref="NPAGED_LOOKASIDE_LIST"/> or <see cref="PAGED_LOOKASIDE_LIST"/>.
/// </summary>
/// <remarks>
/// Counters are exact for any single-threaded sequence. Like the kernel's (plain <c>+= 1</c> in the
/// WDK inline routines) they are ordinary increments, not interlocked ones: they feed only the depth
/// heuristic, so concurrent callers may lose a count now and then rather than pay two more atomic
/// instructions per call. The entries themselves are never lost: the free list is lock-free
/// (an ABA-safe SLIST). <see cref="Depth"/> starts at 4 and is re-tuned by the owning
/// <see cref="KernelSystem"/>'s scan between 4 and <see cref="MaximumDepth"/> (256).
/// </remarks>
public abstract class GENERAL_LOOKASIDE
{
    /// <summary>The smallest entry a lookaside list accepts: a pointer (LOOKASIDE_MINIMUM_BLOCK_SIZE).</summary>
    public const uint LOOKASIDE_MINIMUM_BLOCK_SIZE = 8;

    /// <summary>The depth a list starts at, and the floor of the depth scan.</summary>
    public const ushort MinimumDepth = 4;

    /// <summary>The highest depth the scan may give a list.</summary>
    public const ushort MaximumLookasideDepth = LookasideStack.Capacity;

    private LookasideStack? _list;

    // Null means the default routine: the pool of the machine the list was initialized on (Owner),
    // not whichever machine is current on the calling thread.
    private PALLOCATE_FUNCTION? _allocate;
    private PFREE_FUNCTION? _free;
    private volatile LookasideState _state;
    private int _depth;
    private uint _totalAllocates;
    private uint _allocateMisses;
    private uint _totalFrees;
    private uint _freeMisses;

    private protected GENERAL_LOOKASIDE()
    {
    }

    /// <summary>Allocations requested (hits and misses).</summary>
    public uint TotalAllocates => Volatile.Read(ref _totalAllocates);

    /// <summary>Allocations the list could not serve, which called the Allocate routine.</summary>
    public uint AllocateMisses => Volatile.Read(ref _allocateMisses);

    /// <summary>Allocations served from the list: <see cref="TotalAllocates"/> − <see cref="AllocateMisses"/> (ULONG arithmetic, as in the kernel's union).</summary>
    public uint AllocateHits => TotalAllocates - AllocateMisses;

    /// <summary>Entries returned (cached or not).</summary>
    public uint TotalFrees => Volatile.Read(ref _totalFrees);

    /// <summary>Returns the list was too full to cache, which called the Free routine.</summary>
    public uint FreeMisses => Volatile.Read(ref _freeMisses);

    /// <summary>How many entries the list may currently cache; tuned by the depth scan.</summary>
    public ushort Depth => (ushort)Volatile.Read(ref _depth);

    /// <summary>The highest <see cref="Depth"/> the scan may set (256).</summary>
    public ushort MaximumDepth { get; private set; }

    /// <summary>The size of every entry in bytes.</summary>
    public uint Size { get; private set; }

    /// <summary>The pool tag passed to the Allocate routine.</summary>
    public PoolTag Tag { get; private set; }

    /// <summary>The pool type passed to the Allocate routine: the list's base type with the accepted flags ORed in.</summary>
    public POOL_TYPE Type { get; private set; }

    /// <summary><see cref="TotalAllocates"/> at the previous depth scan.</summary>
    public uint LastTotalAllocates { get; private set; }

    /// <summary><see cref="AllocateMisses"/> at the previous depth scan.</summary>
    public uint LastAllocateMisses { get; private set; }

    /// <summary>How many entries are cached right now (ExQueryDepthSList of the list head).</summary>
    public int ListHeadDepth => _list?.Count ?? 0;

    /// <summary>True between initialization and deletion.</summary>
    public bool IsInitialized => _state == LookasideState.Live;

    internal KernelSystem? Owner { get; private set; }

    private protected abstract string KindName { get; }

    private protected abstract string InitializeRoutine { get; }

    internal void Initialize(string routine, PALLOCATE_FUNCTION? allocate, PFREE_FUNCTION? free, POOL_TYPE type, nuint size, PoolTag tag)
    {
        if (_state == LookasideState.Live)
        {
            throw new InvalidOperationException(
                $"{routine}: this {KindName} is already initialized; delete it before initializing it again.");
        }

        if (size < LOOKASIDE_MINIMUM_BLOCK_SIZE)
        {
            throw new ArgumentException(
                $"{routine}: Size {size} is below LOOKASIDE_MINIMUM_BLOCK_SIZE ({LOOKASIDE_MINIMUM_BLOCK_SIZE} bytes): a free entry must hold a list link.",
                "Size");
        }

        if (size > uint.MaxValue)
        {
            throw new ArgumentException($"{routine}: Size {size} does not fit the list's ULONG size field.", "Size");
        }

        _list = new LookasideStack();
        _allocate = allocate;
        _free = free;
        _totalAllocates = 0;
        _allocateMisses = 0;
        _totalFrees = 0;
        _freeMisses = 0;
        LastTotalAllocates = 0;
        LastAllocateMisses = 0;
        _depth = MinimumDepth;
        MaximumDepth = MaximumLookasideDepth;
        Size = (uint)size;
        Tag = tag;
        Type = type;
        Owner = KernelSystem.Current;
        _state = LookasideState.Live;
        Owner.RegisterLookaside(this);
    }

    internal nint Allocate(string routine)
    {
        LookasideStack list = LiveList(routine);
        _totalAllocates++;
        nint entry = list.TryPop();
        if (entry == 0)
        {
            _allocateMisses++;
            entry = _allocate is null ? Owner!.Pool.AllocateFromThisMachine(Type, Size, Tag) : _allocate(Type, Size, Tag);
        }

        return entry;
    }

    internal void Free(string routine, nint entry)
    {
        LookasideStack list = LiveList(routine);
        if (entry == 0)
        {
            throw new ArgumentException($"{routine}: Entry is NULL; pass an address the list's allocate routine returned.", "Entry");
        }

        _totalFrees++;
        if (!list.TryPush(entry, Volatile.Read(ref _depth)))
        {
            _freeMisses++;
            CallFree(entry);
        }
    }

    internal void Delete(string routine)
    {
        LookasideStack list = LiveList(routine);
        _state = LookasideState.Deleted;
        Owner?.UnregisterLookaside(this);
        for (nint entry = list.TryPop(); entry != 0; entry = list.TryPop())
        {
            CallFree(entry);
        }
    }

    private void CallFree(nint entry)
    {
        if (_free is null)
        {
            Owner!.Pool.FreeToThisMachine(entry);
        }
        else
        {
            _free(entry);
        }
    }

    /// <summary>One step of the kernel's depth tuning (ExAdjustLookasideDepth) over the counts since the previous step.</summary>
    internal void AdjustDepth(double elapsedSeconds)
    {
        uint total = TotalAllocates;
        uint misses = AllocateMisses;

        // ULONG differences, like the kernel's: correct across counter wraparound.
        uint allocates = total - LastTotalAllocates;
        uint missed = misses - LastAllocateMisses;
        LastTotalAllocates = total;
        LastAllocateMisses = misses;
        Volatile.Write(ref _depth, ComputeDepth(allocates, missed, elapsedSeconds, Depth, MaximumDepth));
    }

    /// <summary>
    /// The kernel's depth rule: fewer than 25 allocations per second of the period shrinks the list
    /// by 10; a miss ratio under 0.5 % shrinks it by 1; otherwise it grows by
    /// min(30, ratio·(max − depth)/2000 + 5), ratio in thousandths. Never below 4 nor above the maximum.
    /// </summary>
    internal static ushort ComputeDepth(uint allocates, uint misses, double elapsedSeconds, ushort depth, ushort maximumDepth)
    {
        int next;
        if (allocates < 25 * elapsedSeconds)
        {
            next = depth - 10;
        }
        else
        {
            ulong ratio = (ulong)misses * 1000 / allocates;
            if (ratio < 5)
            {
                next = depth - 1;
            }
            else
            {
                ulong change = Math.Min(30UL, (ratio * (ulong)(maximumDepth - depth) / 2000) + 5);
                next = depth + (int)change;
            }
        }

        return (ushort)Math.Clamp(next, MinimumDepth, maximumDepth);
    }

    private LookasideStack LiveList(string routine)
    {
        if (_state != LookasideState.Live)
        {
            ThrowNotLive(routine);
        }

        return _list!;
    }

    [DoesNotReturn]
    private void ThrowNotLive(string routine)
    {
        throw new InvalidOperationException(_state == LookasideState.Deleted
            ? $"{routine}: this {KindName} was deleted; initialize it again with {InitializeRoutine} before use."
            : $"{routine}: this {KindName} was never initialized; call {InitializeRoutine} first.");
    }

    private enum LookasideState
    {
        NeverInitialized,
        Live,
        Deleted,
    }
}
