using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;
using PoolAnalyzers.Runtime.Test.Infrastructure;

namespace PoolAnalyzers.Runtime.Test.Pool;

/// <summary>
/// The one size-class mapping, checked for every small request size in every group, and the blocks
/// the fast and the general path hand out for each size, which must both follow it.
/// </summary>
public sealed unsafe class SizeClassTests
{
    public static TheoryData<bool, bool> Groups => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Groups))]
    public void EverySmallSize_MapsToTheSmallestClassThatHoldsIt(bool paged, bool cacheAligned)
    {
        int group = SizeClasses.Group(paged, cacheAligned);
        int granule = cacheAligned ? PoolLayout.CacheLine : PoolLayout.UnitSize;
        int limit = cacheAligned ? PoolLayout.SmallAlignedLimit : PoolLayout.SmallLimit;
        Assert.True(SizeClasses.IsSmall((nuint)limit, cacheAligned));
        Assert.False(SizeClasses.IsSmall((nuint)limit + 1, cacheAligned));

        for (int bytes = 1; bytes <= limit; bytes++)
        {
            SizeClass? sizeClass = SizeClasses.All[SizeClasses.IndexOf(group, (nuint)bytes)];
            Assert.NotNull(sizeClass);
            Assert.True(sizeClass.MaxRequest >= bytes, $"{bytes} bytes do not fit class {sizeClass.Index}");
            Assert.True(sizeClass.Stride - granule < bytes + PoolHeader.Size, $"{bytes} bytes map to class {sizeClass.Index}, not the smallest that holds them");
            Assert.Equal((paged, cacheAligned), (sizeClass.IsPaged, sizeClass.IsCacheAligned));
            Assert.Equal(SizeClasses.IsPaged(sizeClass.Index), paged);
            Assert.Equal(0, sizeClass.Stride % granule);
            Assert.Equal(0, (sizeClass.FirstOffset + PoolHeader.Size) % granule);
            Assert.True(sizeClass.BlocksPerPage >= 1);
            Assert.True(sizeClass.FirstOffset + (sizeClass.BlocksPerPage * sizeClass.Stride) <= PoolLayout.PageSize, "blocks cross the page");
        }
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void FastAndGeneralPath_HandOutBlocksOfTheMappedClass_ForEverySize(bool paged, bool cacheAligned)
    {
        POOL_TYPE type = (paged, cacheAligned) switch
        {
            (false, false) => NonPagedPoolNx,
            (false, true) => NonPagedPoolNxCacheAligned,
            (true, false) => PagedPool,
            _ => PagedPoolCacheAligned,
        };
        int group = SizeClasses.Group(paged, cacheAligned);
        int limit = cacheAligned ? PoolLayout.SmallAlignedLimit : PoolLayout.SmallLimit;

        // Verifier off: plain requests take the fast path once the tag is validated. Verifier on: every
        // request takes the general path.
        foreach (bool general in new[] { false, true })
        {
            using TestMachine machine = general ? TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true }) : new TestMachine();
            for (int bytes = 1; bytes <= limit; bytes++)
            {
                nint p = ExAllocatePoolWithTag(type, (nuint)bytes, "Size");
                int expected = SizeClasses.UnitsOf(SizeClasses.IndexOf(group, (nuint)bytes));
                Assert.Equal(expected, ((PoolHeader*)(p - PoolHeader.Size))->Units);
                Assert.Equal(0, p % (cacheAligned ? PoolLayout.CacheLine : PoolLayout.UnitSize));
                ExFreePoolWithTag(p, "Size");
            }
        }
    }

    [Fact]
    public void EveryClassLayout_AcceptsExactlyItsBlockStarts_AtEveryOffsetOfThePage()
    {
        // The free path's multiply-and-compare divisibility test against plain arithmetic, for every
        // class and every byte offset a header could sit at (and some beyond the page either side).
        foreach (SizeClass? sizeClass in SizeClasses.All)
        {
            if (sizeClass is null)
            {
                continue;
            }

            BlockLayout layout = sizeClass.Layout;
            for (int offset = -PoolHeader.Size - 64; offset < PoolLayout.PageSize + 64; offset++)
            {
                int rel = offset - sizeClass.FirstOffset;
                bool expected = rel >= 0 && rel % sizeClass.Stride == 0 && rel / sizeClass.Stride < sizeClass.BlocksPerPage;
                Assert.True(expected == layout.IsBlockStart(offset), $"class {sizeClass.Index} (stride {sizeClass.Stride}) at offset {offset}: expected {expected}");
                if (expected)
                {
                    Assert.Equal(rel / sizeClass.Stride < sizeClass.BlocksPerPage - 1, layout.HasNext(offset));
                }
            }
        }

        Assert.False(default(BlockLayout).IsBlockStart(0));
    }
}
