using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A chunk page's entry in its page map: the size class carved into the page and where its blocks
/// start. It lives in runtime memory, so an address is judged by it before a byte at the address is
/// read. The default value (a page not carved yet) matches nothing.
/// </summary>
internal readonly struct BlockLayout
{
    /// <summary>The size class index (0 for an uncarved page).</summary>
    public readonly int ClassIndex;

    /// <summary>Block size in units, as a valid header of the page holds it (0 for an uncarved page).</summary>
    public readonly int Units;

    /// <summary>The largest requested size a header of the page may record.</summary>
    public readonly int MaxRequest;

    public readonly int Stride;

    private readonly int _firstOffset;
    private readonly uint _span;

    // Precomputed for FastMod: validating a freed address needs "offset % stride" on the hot path,
    // and a multiply-shift is several times cheaper than a hardware divide.
    private readonly ulong _modMultiplier;

    public BlockLayout(int classIndex, int firstOffset, int stride, int blocksPerPage)
    {
        ClassIndex = classIndex;
        Units = stride / PoolLayout.UnitSize;
        MaxRequest = stride - PoolHeader.Size;
        Stride = stride;
        _firstOffset = firstOffset;
        _span = (uint)(stride * blocksPerPage);
        _modMultiplier = (ulong.MaxValue / (uint)stride) + 1;
    }

    /// <summary>True when <paramref name="offsetInPage"/> is where a header of this class starts (false for the default layout).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsBlockStart(int offsetInPage)
    {
        uint rel = (uint)(offsetInPage - _firstOffset);
        if (rel >= _span)
        {
            return false;
        }

        // Lemire's FastMod, exact for 32-bit operands.
        uint remainder = (uint)(((((_modMultiplier * rel) >> 32) + 1) * (uint)Stride) >> 32);
        return remainder == 0;
    }

    /// <summary>True when another block of the page follows the one whose header is at <paramref name="offsetInPage"/> (a block start).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasNext(int offsetInPage) => (uint)(offsetInPage - _firstOffset + Stride) < _span;
}
