using Xunit;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Types;

public sealed class KirqlValueTests
{
    [Theory]
    [InlineData(nameof(PASSIVE_LEVEL), 0)]
    [InlineData(nameof(LOW_LEVEL), 0)]
    [InlineData(nameof(APC_LEVEL), 1)]
    [InlineData(nameof(DISPATCH_LEVEL), 2)]
    [InlineData(nameof(CMCI_LEVEL), 5)]
    [InlineData(nameof(SYNCH_LEVEL), 12)]
    [InlineData(nameof(CLOCK_LEVEL), 13)]
    [InlineData(nameof(IPI_LEVEL), 14)]
    [InlineData(nameof(POWER_LEVEL), 14)]
    [InlineData(nameof(PROFILE_LEVEL), 15)]
    [InlineData(nameof(HIGH_LEVEL), 15)]
    public void Level_HasItsX64Value(string level, byte value)
    {
        // By name: aliases share a value, and each alias must carry it.
        Assert.Equal(value, (byte)System.Enum.Parse<KIRQL>(level));
    }

    [Fact]
    public void Kirql_IsAByte_AndEveryNameIsInTheTable()
    {
        Assert.Equal(typeof(byte), System.Enum.GetUnderlyingType(typeof(KIRQL)));
        Assert.Equal(11, System.Enum.GetNames<KIRQL>().Length);
    }
}
