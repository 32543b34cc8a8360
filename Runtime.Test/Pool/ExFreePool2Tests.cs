using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class ExFreePool2Tests
{
    [Fact]
    public void FreesLikeExFreePoolWithTag_TagZeroSkipsTheCheck()
    {
        using var machine = new TestMachine();
        ExFreePool2(ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Free"), "Free", null, 0);
        ExFreePool2(ExAllocatePool2(POOL_FLAG_PAGED, 64, "Free"), default, [], 0);

        Assert.Equal(0, machine.System.QueryPoolTag("Free", paged: false).Diff);
        Assert.Equal(0, machine.System.QueryPoolTag("Free", paged: true).Diff);
    }

    [Fact]
    public void WrongTag_BugChecks0xC2_0x0A()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Mine");

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x0A, () => ExFreePool2(p, "Your", null, 0));

        Assert.Equal((ulong)p, bugCheck.Parameter2);
        Assert.Equal(((PoolTag)"Mine").Value, bugCheck.Parameter3);
        Assert.Equal(((PoolTag)"Your").Value, bugCheck.Parameter4);
        ExFreePool2(p, "Mine", null, 0);
    }

    [Fact]
    public void DoubleFree_BugChecks0xC2_0x07()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Twic");
        ExFreePool2(p, "Twic", null, 0);

        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x07, () => ExFreePool2(p, "Twic", null, 0));
    }

    public static TheoryData<POOL_EXTENDED_PARAMETER[]?, uint, string> RefusedParameters => new()
    {
        { null, 1, "ExtendedParametersCount is 1 but the array holds 0 parameters" },
        { [new POOL_EXTENDED_PARAMETER()], 0, "ExtendedParametersCount is 0 but the array holds 1 parameters" },
        { [new POOL_EXTENDED_PARAMETER { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterSecurePool }], 1, "they identify a secure pool, which this runtime does not have" },
    };

    [Theory]
    [MemberData(nameof(RefusedParameters))]
    public void ExtendedParameters_AreRefusedBeforeTheBlockIsTouched(POOL_EXTENDED_PARAMETER[]? parameters, uint count, string why)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Parm");

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExFreePool2(p, "Parm", parameters, count));

        Assert.Equal("ExtendedParameters", error.ParamName);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, machine.System.QueryPoolTag("Parm", paged: false).Diff);
        ExFreePool2(p, "Parm", null, 0);
        Assert.Equal(0, machine.System.QueryPoolTag("Parm", paged: false).Diff);
    }
}
