using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The 16-byte header in front of every small block (x64 POOL_HEADER size), and the list entry a free
/// block keeps in its first 16 bytes. Both live in memory the driver can write, so the runtime reads
/// them only at addresses it validated, never follows a value it reads there, and checks every value
/// against what it knows from its own memory (the page map, the size class) before trusting it.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct PoolHeader
{
    public const int Size = 16;

    /// <summary>Set in <see cref="State"/> while the block is handed out.</summary>
    public const ushort Allocated = 0x8000;

    /// <summary>Set in <see cref="State"/> when Driver Verifier pool tracking records the block.</summary>
    public const ushort Tracked = 0x4000;

    /// <summary>
    /// <see cref="State"/> of a free block, exactly: a value no allocated block has (it has neither
    /// <see cref="Allocated"/> nor a type bit), so zeroed or overwritten memory never reads as free.
    /// </summary>
    public const ushort Free = 0x1000;

    /// <summary>State bits neither state uses: set in an allocated header only when it was overwritten.</summary>
    public const ushort Reserved = 0x3C00;

    /// <summary>The bits of <see cref="State"/> that hold the stored pool type.</summary>
    public const ushort TypeMask = 0x03FF;

    /// <summary>Block size in 16-byte units, header included (the kernel's BlockSize).</summary>
    [FieldOffset(0)] public ushort Units;

    /// <summary><see cref="Free"/>, or <see cref="Allocated"/> with <see cref="Tracked"/> and the pool type without its request modifiers.</summary>
    [FieldOffset(2)] public ushort State;

    /// <summary>The allocator's tag, <see cref="PoolTag.PROTECTED_POOL"/> bit included (kept after the free, as the kernel keeps it).</summary>
    [FieldOffset(4)] public uint Tag;

    /// <summary>The byte count the caller asked for (0 requests are recorded as 1); 0 while free.</summary>
    [FieldOffset(8)] public uint RequestedBytes;

    /// <summary>The process whose quota pays for the block, encoded (see <see cref="QuotaLedger"/>); 0 when nobody was charged.</summary>
    [FieldOffset(12)] public uint QuotaOwner;

    /// <summary>Units and State as one word: what an atomic claim compares.</summary>
    [FieldOffset(0)] public uint SizeAndState;

    /// <summary>The header contents as one number, for bug-check parameters.</summary>
    public readonly ulong Packed => Units | ((ulong)State << 16) | ((ulong)Tag << 32);

    /// <summary>The <see cref="SizeAndState"/> of a free block of <paramref name="units"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FreeWord(int units) => (uint)units | ((uint)Free << 16);

    /// <summary>
    /// Writes the list entry of a freed block: its Flink and Blink both read back as the entry itself,
    /// which is what the kernel's safe unlinking finds in a healthy list (BAD_POOL_HEADER 0x3 reports
    /// the three values). The runtime keeps its free lists in its own memory, so the words are a check,
    /// never a link it follows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteListEntry(nint entry)
    {
        *(nint*)entry = entry;
        *(nint*)(entry + sizeof(nint)) = entry;
    }

    /// <summary>True when the list entry of the free block whose header is at <paramref name="header"/> is as the free left it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ListEntryIntact(nint header)
    {
        nint entry = header + Size;
        return (*(nint*)entry ^ entry) == 0 && (*(nint*)(entry + sizeof(nint)) ^ entry) == 0;
    }
}
