using System.Runtime.CompilerServices;

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
internal sealed class LookasideMagazine : IThreadOwned
{
    /// <summary>Entries one thread keeps in <see cref="Items"/>, besides <see cref="Hot"/>.</summary>
    public const int Capacity = 16;

    /// <summary>What an empty slot of a thread's table holds: matches no list, so the table needs no null test.</summary>
    public static readonly LookasideMagazine None = new();

    private LookasideMagazine()
    {
        Generation = -1;
    }

    public LookasideMagazine(long generation, KernelThread thread)
    {
        Generation = generation;
        Thread = thread;
    }

    /// <summary>The generation (one life of one list, unique across lists) this magazine belongs to; a deleted or re-initialized list has another.</summary>
    public readonly long Generation;

    /// <summary>The runtime state of the owning thread, which finds the magazine through it (null only for <see cref="None"/>).</summary>
    public KernelThread? Thread { get; }

    /// <summary>The owner, for the list's <see cref="PerThreadCaches{TCache}"/> registry: it tells when the thread has exited and its entries need a new home (never asked of <see cref="None"/>, which is never registered).</summary>
    KernelThread IThreadOwned.Thread => Thread!;

    /// <summary>
    /// The newest cached entry, or 0. A steady allocate/free loop only moves an entry in and out of
    /// this one field, so the pair carries no count from one operation to the next (a counter written
    /// by both would chain every allocation to the previous free through memory).
    /// </summary>
    public nint Hot;

    /// <summary>Older cached entries in <see cref="Items"/>[0..Count), newest last.</summary>
    public int Count;

    public Entries Items;

    public uint TotalAllocates;
    public uint AllocateMisses;
    public uint FreeMisses;

    /// <summary>Entry storage inline in the magazine: one object, one cache-line neighbourhood.</summary>
    [InlineArray(Capacity)]
    internal struct Entries
    {
        private nint _first;
    }
}
