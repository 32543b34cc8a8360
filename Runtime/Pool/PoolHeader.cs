using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The 16-byte header in front of every small block (x64 POOL_HEADER size). It lives in pool memory
/// the allocator owns, so reading it is safe once the address has been validated against the chunk table.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct PoolHeader
{
    public const int Size = 16;

    /// <summary>Set in <see cref="State"/> while the block is handed out; clear while it is free.</summary>
    public const ushort Allocated = 0x8000;

    /// <summary>Set in <see cref="State"/> when Driver Verifier pool tracking records the block.</summary>
    public const ushort Tracked = 0x4000;

    /// <summary>The bits of <see cref="State"/> that hold the stored pool type.</summary>
    public const ushort TypeMask = 0x03FF;

    /// <summary>Block size in 16-byte units, header included (the kernel's BlockSize).</summary>
    [FieldOffset(0)] public ushort Units;

    /// <summary><see cref="Allocated"/>, <see cref="Tracked"/> and the pool type without its request modifiers.</summary>
    [FieldOffset(2)] public ushort State;

    /// <summary>The allocator's tag, <see cref="PoolTag.PROTECTED_POOL"/> bit included.</summary>
    [FieldOffset(4)] public uint Tag;

    /// <summary>The byte count the caller asked for (0 requests are recorded as 1).</summary>
    [FieldOffset(8)] public uint RequestedBytes;

    /// <summary>Id of the process whose quota pays for the block; 0 when nobody was charged.</summary>
    [FieldOffset(12)] public uint QuotaProcessId;

    /// <summary>The header contents as one number, for bug-check parameters.</summary>
    public readonly ulong Packed => Units | ((ulong)State << 16) | ((ulong)Tag << 32);
}
