using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's front cache of one lookaside list, the way the kernel puts a per-processor lookaside
/// in front of each system list: a few cached entries and the thread's share of the list's counters.
/// </summary>
/// <remarks>
/// Only the owning thread writes a magazine, so its pops, pushes and counter increments are plain
/// memory operations: a steady allocate/free loop on one thread touches no shared cache line and
/// executes no interlocked instruction. Other threads only read it (the list's counter sums and
/// <see cref="GENERAL_LOOKASIDE.ListHeadDepth"/>, snapshots like the kernel's), except when the list
/// is deleted or the owner has exited, when its entries are drained.
/// </remarks>
internal sealed class LookasideMagazine
{
    /// <summary>Entries one thread keeps in front of the shared list.</summary>
    public const int Capacity = 16;

    public LookasideMagazine(GENERAL_LOOKASIDE list, int generation, KernelThread thread)
    {
        List = list;
        Generation = generation;
        Thread = thread;
        OwnerThread = System.Threading.Thread.CurrentThread;
    }

    /// <summary>The list this magazine fronts.</summary>
    public GENERAL_LOOKASIDE List { get; }

    /// <summary>The list's generation (one initialization) this magazine belongs to; a deleted or re-initialized list has another.</summary>
    public int Generation { get; }

    /// <summary>The runtime state of the owning thread, which finds the magazine through it.</summary>
    public KernelThread Thread { get; }

    /// <summary>The owning thread, to tell when it has exited and its entries need a new home.</summary>
    public Thread OwnerThread { get; }

    public bool IsOrphaned => !OwnerThread.IsAlive;

    /// <summary>Cached entries in <see cref="Items"/>[0..Count).</summary>
    public int Count;

    public Entries Items;

    public uint TotalAllocates;
    public uint AllocateMisses;
    public uint TotalFrees;
    public uint FreeMisses;

    /// <summary>Entry storage inline in the magazine: one object, one cache-line neighbourhood.</summary>
    [InlineArray(Capacity)]
    internal struct Entries
    {
        private nint _first;
    }
}
