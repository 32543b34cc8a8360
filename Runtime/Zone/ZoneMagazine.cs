using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's cache of one zone's blocks for the <c>ExInterlocked…Zone</c> routines: up to
/// <see cref="Capacity"/> blocks the thread took from the zone, each either cached (free, ready
/// for the thread's next allocation) or handed out by the thread.
/// </summary>
/// <remarks>
/// <para>
/// Only the owning thread changes a magazine while its zone's generation matches, so its pops and
/// pushes are plain memory operations: a steady allocate/free loop writes no line another thread
/// reads. Another thread takes the blocks back (<see cref="ZONE_HEADER"/>'s reclaim) only after
/// retiring the generation and waiting for <see cref="Busy"/> to clear, or when the owner has exited.
/// </para>
/// <para>
/// A block stays owned (its lent bit set in the zone) while handed out, so the owner's free finds
/// it here without reading shared state: cached or handed out is this object's knowledge alone,
/// which is what detects a double free on the cached path. Fields the owner writes on every call
/// start 64 bytes in, so no other object shares their cache line (see LookasideMagazine).
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Explicit)]
internal sealed class ZoneMagazine : IThreadOwned
{
    /// <summary>Blocks one thread may own in one zone.</summary>
    public const int Capacity = 16;

    /// <summary>What an empty slot of a thread's table holds: matches no zone, so the table needs no null test.</summary>
    public static readonly ZoneMagazine None = new();

    private ZoneMagazine()
    {
        Generation = -1;
    }

    public ZoneMagazine(long generation, KernelThread thread)
    {
        Generation = generation;
        _thread = thread;
    }

    /// <summary>The zone generation this magazine belongs to; a reclaim or re-initialization starts another.</summary>
    [FieldOffset(0)]
    public readonly long Generation;

    [FieldOffset(8)]
    private readonly KernelThread? _thread;

    KernelThread IThreadOwned.Thread => _thread!;

    /// <summary>The owning thread (null only for <see cref="None"/>).</summary>
    public KernelThread? Thread => _thread;

    /// <summary>
    /// 1 while the owner works on the magazine outside the zone's lock. The owner sets it before it
    /// reads the zone's generation; a reclaim retires the generation, makes a process-wide barrier
    /// and then waits for 0, so it never drains a magazine under a running owner.
    /// </summary>
    [FieldOffset(64)]
    public int Busy;

    /// <summary>Cached blocks below <see cref="HotBlock"/>: <see cref="Stack"/>[0..CachedCount) hold their slots, newest last.</summary>
    [FieldOffset(68)]
    public int CachedCount;

    /// <summary>Slots in use in <see cref="Owned"/>: [0..OwnedCount).</summary>
    [FieldOffset(72)]
    public int OwnedCount;

    /// <summary>The slot of <see cref="OutBlock"/> (or of the block handed out last): where a free looks first.</summary>
    [FieldOffset(76)]
    public int OutSlot;

    /// <summary>Bit <c>i</c> set while slot <c>i</c>'s block is on <see cref="Stack"/>.</summary>
    [FieldOffset(80)]
    public int CachedMask;

    /// <summary>The slot of <see cref="HotBlock"/>.</summary>
    [FieldOffset(84)]
    public int HotSlot;

    /// <summary>
    /// The newest cached block, or 0; it is on no stack. A steady allocate/free loop only moves a
    /// block between this field and <see cref="OutBlock"/>, so each call depends on the one before
    /// through one or two stored values only (see LookasideMagazine.Hot).
    /// </summary>
    [FieldOffset(88)]
    public nint HotBlock;

    /// <summary>The link written into <see cref="HotBlock"/> when it was freed.</summary>
    [FieldOffset(96)]
    public nint HotLink;

    /// <summary>The block this cache handed out last, while it is still handed out; else 0. A free of exactly this block needs no search and no state check.</summary>
    [FieldOffset(104)]
    public nint OutBlock;

    /// <summary>The blocks the thread owns, by slot.</summary>
    [FieldOffset(112)]
    public Addresses Owned;

    /// <summary>Per slot on <see cref="Stack"/>, the link written into the block when it was freed: a later mismatch is a write after free.</summary>
    [FieldOffset(112 + (8 * Capacity))]
    public Addresses Links;

    /// <summary>The cached slots below the hot one, newest last.</summary>
    [FieldOffset(112 + (16 * Capacity))]
    public Slots Stack;

    /// <summary>True when slot <paramref name="slot"/>'s block is cached (free).</summary>
    public bool IsCached(int slot) => (CachedMask & (1 << slot)) != 0 || (HotBlock != 0 && HotSlot == slot);

    /// <summary>The slot of <paramref name="block"/>, or -1 when the thread does not own it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int SlotOf(nint block)
    {
        int hint = OutSlot;
        if (Owned[hint] == block && block != 0)
        {
            return hint;
        }

        return Search(block);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Search(nint block)
    {
        int owned = OwnedCount;
        for (int slot = 0; slot < owned; slot++)
        {
            if (Owned[slot] == block)
            {
                return slot;
            }
        }

        return -1;
    }

    [InlineArray(Capacity)]
    internal struct Addresses
    {
        private nint _first;
    }

    [InlineArray(Capacity)]
    internal struct Slots
    {
        private int _first;
    }
}
