using System;
using Xunit;

namespace PoolAnalyzers.Runtime.Test.Types;

public sealed class ModernPoolTypeValueTests
{
    [Theory]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_REQUIRED_START), 0x1UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_USE_QUOTA), 0x1UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_UNINITIALIZED), 0x2UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_SESSION), 0x4UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_CACHE_ALIGNED), 0x8UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_RESERVED1), 0x10UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE), 0x20UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_NON_PAGED), 0x40UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_NON_PAGED_EXECUTE), 0x80UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_PAGED), 0x100UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_RESERVED2), 0x200UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_RESERVED3), 0x400UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_REQUIRED_END), 0x80000000UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_OPTIONAL_START), 0x100000000UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_SPECIAL_POOL), 0x100000000UL)]
    [InlineData(nameof(POOL_FLAGS.POOL_FLAG_OPTIONAL_END), 0x8000000000000000UL)]
    public void PoolFlag_HasItsWdkValue(string member, ulong value)
    {
        // By name: the markers share values with real flags, and each name must carry its value.
        Assert.Equal(value, (ulong)Enum.Parse<POOL_FLAGS>(member));
    }

    [Fact]
    public void PoolFlags_IsAUlongFlagsEnum_WithNoOtherMembers()
    {
        Assert.Equal(typeof(ulong), Enum.GetUnderlyingType(typeof(POOL_FLAGS)));
        Assert.True(typeof(POOL_FLAGS).IsDefined(typeof(FlagsAttribute), false));
        Assert.Equal(16, Enum.GetNames<POOL_FLAGS>().Length);
    }

    [Theory]
    [InlineData(nameof(EX_POOL_PRIORITY.LowPoolPriority), 0)]
    [InlineData(nameof(EX_POOL_PRIORITY.LowPoolPrioritySpecialPoolOverrun), 8)]
    [InlineData(nameof(EX_POOL_PRIORITY.LowPoolPrioritySpecialPoolUnderrun), 9)]
    [InlineData(nameof(EX_POOL_PRIORITY.NormalPoolPriority), 16)]
    [InlineData(nameof(EX_POOL_PRIORITY.NormalPoolPrioritySpecialPoolOverrun), 24)]
    [InlineData(nameof(EX_POOL_PRIORITY.NormalPoolPrioritySpecialPoolUnderrun), 25)]
    [InlineData(nameof(EX_POOL_PRIORITY.HighPoolPriority), 32)]
    [InlineData(nameof(EX_POOL_PRIORITY.HighPoolPrioritySpecialPoolOverrun), 40)]
    [InlineData(nameof(EX_POOL_PRIORITY.HighPoolPrioritySpecialPoolUnderrun), 41)]
    public void PoolPriority_HasItsWdkValue(string member, int value)
    {
        Assert.Equal(value, (int)Enum.Parse<EX_POOL_PRIORITY>(member));
        Assert.Equal(9, Enum.GetNames<EX_POOL_PRIORITY>().Length);
    }

    [Theory]
    [InlineData(POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterInvalidType, 0)]
    [InlineData(POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, 1)]
    [InlineData(POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterSecurePool, 2)]
    [InlineData(POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterNumaNode, 3)]
    public void ExtendedParameterType_HasItsWdkValue(POOL_EXTENDED_PARAMETER_TYPE type, int value)
    {
        Assert.Equal(value, (int)type);
    }

    [Fact]
    public void ExtendedParameter_IsAStructWithSettableTypeOptionalAndPriority()
    {
        var parameter = new POOL_EXTENDED_PARAMETER
        {
            Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority,
            Optional = true,
            Priority = EX_POOL_PRIORITY.NormalPoolPrioritySpecialPoolUnderrun,
        };

        Assert.True(typeof(POOL_EXTENDED_PARAMETER).IsValueType);
        Assert.Equal(POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, parameter.Type);
        Assert.True(parameter.Optional);
        Assert.Equal(EX_POOL_PRIORITY.NormalPoolPrioritySpecialPoolUnderrun, parameter.Priority);
        Assert.Equal(default, new POOL_EXTENDED_PARAMETER().Type);
        Assert.False(new POOL_EXTENDED_PARAMETER().Optional);
    }
}
