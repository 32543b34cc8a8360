using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The one mapping from a small request to its size class, and the geometry of every class. The
/// allocation fast path, the general path, page carving and free validation all read it here.
/// </summary>
/// <remarks>
/// A class is one block size in 16-byte units, header included (the kernel's BlockSize), in one of
/// four groups: nonpaged, nonpaged cache-aligned, paged, paged cache-aligned. Its index is
/// <c>(group &lt;&lt; 8) | units</c>, so the hot path computes it with an add, two shifts and an OR
/// and reads no table. Plain classes cover every unit count from 2 (a 1-byte request: 16 + 1 bytes
/// rounded up to 32) to 255 (a 4064-byte request, PAGE_SIZE − 32). Cache-aligned classes round
/// header + request up to 64 bytes: 4, 8, …, 252 units (the largest serves 4016 bytes). Index slots
/// no request maps to have no class.
/// </remarks>
internal static class SizeClasses
{
    public const int GroupShift = 8;

    /// <summary>Index slots per group: unit counts 0..255.</summary>
    public const int PerGroup = 1 << GroupShift;

    public const int Count = 4 * PerGroup;

    private const int CacheAlignedGroupBit = 1;
    private const int PagedGroupBit = 2;

    /// <summary>Every class by index; null where no request maps.</summary>
    public static readonly SizeClass?[] All = Build();

    /// <summary>The group of a pool: bit 1 paged, bit 0 cache-aligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Group(bool paged, bool cacheAligned) => (paged ? PagedGroupBit : 0) | (cacheAligned ? CacheAlignedGroupBit : 0);

    /// <summary>True when a request of <paramref name="numberOfBytes"/> (at least 1) is served by a small block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSmall(nuint numberOfBytes, bool cacheAligned)
        => numberOfBytes <= (nuint)(cacheAligned ? PoolLayout.SmallAlignedLimit : PoolLayout.SmallLimit);

    /// <summary>
    /// The class that serves <paramref name="numberOfBytes"/> (1 to the group's limit, see
    /// <see cref="IsSmall"/>) in <paramref name="group"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(int group, nuint numberOfBytes)
    {
        int raw = (int)numberOfBytes + PoolHeader.Size;
        int units = (group & CacheAlignedGroupBit) != 0
            ? ((raw + PoolLayout.CacheLine - 1) >> PoolLayout.CacheLineShift) << (PoolLayout.CacheLineShift - PoolLayout.UnitShift)
            : (raw + PoolLayout.UnitSize - 1) >> PoolLayout.UnitShift;
        return (group << GroupShift) | units;
    }

    /// <summary>The unit count of a class index (the low byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int UnitsOf(int index) => index & (PerGroup - 1);

    public static bool IsPaged(int index) => ((index >> GroupShift) & PagedGroupBit) != 0;

    private static SizeClass?[] Build()
    {
        var all = new SizeClass?[Count];
        for (int group = 0; group < 4; group++)
        {
            bool cacheAligned = (group & CacheAlignedGroupBit) != 0;
            nuint limit = (nuint)(cacheAligned ? PoolLayout.SmallAlignedLimit : PoolLayout.SmallLimit);
            for (nuint bytes = 1; bytes <= limit; bytes++)
            {
                int index = IndexOf(group, bytes);
                all[index] ??= new SizeClass(index, (group & PagedGroupBit) != 0, cacheAligned);
            }
        }

        return all;
    }
}

/// <summary>The geometry of one size class: its block size and how its pages are carved.</summary>
internal sealed class SizeClass
{
    public SizeClass(int index, bool paged, bool cacheAligned)
    {
        Index = index;
        IsPaged = paged;
        IsCacheAligned = cacheAligned;
        Units = SizeClasses.UnitsOf(index);
        Stride = Units * PoolLayout.UnitSize;

        // Cache-aligned blocks start 48 bytes into the page, so header + 16 is on a 64-byte line.
        FirstOffset = cacheAligned ? PoolLayout.CacheLine - PoolHeader.Size : 0;
        BlocksPerPage = (PoolLayout.PageSize - FirstOffset) / Stride;
        MaxRequest = Stride - PoolHeader.Size;
        Layout = new BlockLayout(index, FirstOffset, Stride, BlocksPerPage);
    }

    public int Index { get; }

    public bool IsPaged { get; }

    public bool IsCacheAligned { get; }

    /// <summary>Block size in 16-byte units, header included: what a valid header of the class holds.</summary>
    public int Units { get; }

    /// <summary>Block size in bytes, header included: what capacity and quota are charged per block.</summary>
    public int Stride { get; }

    /// <summary>Where the first block's header sits in each page.</summary>
    public int FirstOffset { get; }

    public int BlocksPerPage { get; }

    /// <summary>The largest request a block of the class can hold: the bound a header's requested size is checked against.</summary>
    public int MaxRequest { get; }

    /// <summary>The page geometry free validates an address against; copied into the page map of each page carved for the class.</summary>
    public BlockLayout Layout { get; }
}
