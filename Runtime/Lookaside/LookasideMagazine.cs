using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// <para>
/// The fields every allocation and free writes (<see cref="Hot"/> and the counters) sit 64 bytes
/// into the object and are followed by <see cref="Items"/>, so no other object can share their
/// cache line, wherever the garbage collector moves the magazines of two threads (next to each
/// other, after a compaction, they would otherwise pass one line back and forth on every pair).
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Explicit)]
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
        _thread = thread;
    }

    /// <summary>The generation (one life of one list, unique across lists) this magazine belongs to; a deleted or re-initialized list has another.</summary>
    [FieldOffset(0)]
    public readonly long Generation;

    [FieldOffset(8)]
    private readonly KernelThread? _thread;

    /// <summary>The runtime state of the owning thread, which finds the magazine through it (null only for <see cref="None"/>).</summary>
    public KernelThread? Thread => _thread;

    /// <summary>The owner, for the list's <see cref="PerThreadCaches{TCache}"/> registry: it tells when the thread has exited and its entries need a new home (never asked of <see cref="None"/>, which is never registered).</summary>
    KernelThread IThreadOwned.Thread => Thread!;

    /// <summary>
    /// The newest cached entry, or 0. A steady allocate/free loop only moves an entry in and out of
    /// this one field, so the pair carries no count from one operation to the next (a counter written
    /// by both would chain every allocation to the previous free through memory).
    /// </summary>
    [FieldOffset(64)]
    public nint Hot;

    /// <summary>Older cached entries in <see cref="Items"/>[0..Count), newest last.</summary>
    [FieldOffset(72)]
    public int Count;

    [FieldOffset(76)]
    public uint TotalAllocates;

    [FieldOffset(80)]
    public uint AllocateMisses;

    [FieldOffset(84)]
    public uint FreeMisses;

    /// <summary>Written only off the hot path; its 128 bytes keep the next object off the hot fields' line.</summary>
    [FieldOffset(88)]
    public Entries Items;

    /// <summary>Entry storage inline in the magazine: one object, one cache-line neighbourhood.</summary>
    [InlineArray(Capacity)]
    internal struct Entries
    {
        private nint _first;
    }
}
