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

    // ceil(2^64 / stride), precomputed: validating a freed address asks whether the offset is a
    // multiple of the stride on the hot path, and one multiply and a compare answer it (Lemire's
    // divisibility test) where a hardware divide costs tens of cycles.
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

        // rel % Stride == 0 exactly when rel * ceil(2^64 / Stride) wraps to below the multiplier
        // (exact for 32-bit rel): one multiply, where computing the remainder takes two.
        return _modMultiplier * rel < _modMultiplier;
    }

    /// <summary>True when another block of the page follows the one whose header is at <paramref name="offsetInPage"/> (a block start).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasNext(int offsetInPage) => (uint)(offsetInPage - _firstOffset + Stride) < _span;
}
