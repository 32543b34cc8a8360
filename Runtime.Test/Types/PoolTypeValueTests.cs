using Xunit;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Types;

public sealed class PoolTypeValueTests
{
    [Theory]
    [InlineData(nameof(NonPagedPool), 0)]
    [InlineData(nameof(NonPagedPoolExecute), 0)]
    [InlineData(nameof(NonPagedPoolBase), 0)]
    [InlineData(nameof(PagedPool), 1)]
    [InlineData(nameof(NonPagedPoolMustSucceed), 2)]
    [InlineData(nameof(NonPagedPoolBaseMustSucceed), 2)]
    [InlineData(nameof(DontUseThisType), 3)]
    [InlineData(nameof(NonPagedPoolCacheAligned), 4)]
    [InlineData(nameof(NonPagedPoolBaseCacheAligned), 4)]
    [InlineData(nameof(PagedPoolCacheAligned), 5)]
    [InlineData(nameof(NonPagedPoolCacheAlignedMustS), 6)]
    [InlineData(nameof(NonPagedPoolBaseCacheAlignedMustS), 6)]
    [InlineData(nameof(MaxPoolType), 7)]
    [InlineData(nameof(NonPagedPoolSession), 32)]
    [InlineData(nameof(PagedPoolSession), 33)]
    [InlineData(nameof(NonPagedPoolMustSucceedSession), 34)]
    [InlineData(nameof(DontUseThisTypeSession), 35)]
    [InlineData(nameof(NonPagedPoolCacheAlignedSession), 36)]
    [InlineData(nameof(PagedPoolCacheAlignedSession), 37)]
    [InlineData(nameof(NonPagedPoolCacheAlignedMustSSession), 38)]
    [InlineData(nameof(NonPagedPoolNx), 512)]
    [InlineData(nameof(NonPagedPoolNxCacheAligned), 516)]
    [InlineData(nameof(NonPagedPoolSessionNx), 544)]
    public void Member_HasItsWdkValue(string member, int value)
    {
        // By name: aliases share a value, and each alias must carry it.
        Assert.Equal(value, (int)System.Enum.Parse<POOL_TYPE>(member));
    }

    [Theory]
    [InlineData(POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 8)]
    [InlineData(POOL_RAISE_IF_ALLOCATION_FAILURE, 16)]
    [InlineData(POOL_COLD_ALLOCATION, 256)]
    [InlineData(POOL_NX_ALLOCATION, 512)]
    public void Modifier_HasItsWdkValue(POOL_TYPE modifier, int value)
    {
        Assert.Equal(value, (int)modifier);
    }

    [Fact]
    public void NxModifier_IsTheNonPagedPoolNxBit_AndModifiersCombine()
    {
        Assert.Equal(NonPagedPoolNx, NonPagedPool | POOL_NX_ALLOCATION);
        Assert.Equal(257, (int)(PagedPool | POOL_COLD_ALLOCATION));
        Assert.Equal(0x219, (int)(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_NX_ALLOCATION));
    }

    [Fact]
    public void EveryMember_IsCoveredByTheValueTable()
    {
        // 23 names in KERNEL-FACTS §1 (aliases included) plus the four modifiers; a new member needs a row above.
        Assert.Equal(27, System.Enum.GetNames<POOL_TYPE>().Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(35)]
    [InlineData(37)]
    [InlineData(1 | 256)]
    [InlineData(33 | 16)]
    public void OddTypes_DecodeAsPaged(int type)
    {
        Assert.True(PoolTypes.IsPaged((POOL_TYPE)type));
        Assert.Equal(KIRQL.APC_LEVEL, PoolTypes.MaxIrql((POOL_TYPE)type));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(32)]
    [InlineData(34)]
    [InlineData(36)]
    [InlineData(38)]
    [InlineData(512)]
    [InlineData(516)]
    [InlineData(544)]
    public void EvenTypes_DecodeAsNonPaged(int type)
    {
        Assert.False(PoolTypes.IsPaged((POOL_TYPE)type));
        Assert.Equal(KIRQL.DISPATCH_LEVEL, PoolTypes.MaxIrql((POOL_TYPE)type));
    }
}
