using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace PoolAnalyzers.Runtime.Test.Pool;

// Invalid flags and tags: ExAllocatePool2 returns NULL, or raises STATUS_INSUFFICIENT_RESOURCES with
// POOL_FLAG_RAISE_ON_FAILURE, never bug-checks, and leaves the pool as it was.
public sealed class PoolFlagValidationTests
{
    public static TheoryData<ulong, string> InvalidFlags => new()
    {
        { 0, "set none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE" },
        { (ulong)POOL_TYPE.NonPagedPoolNx, "reads like the POOL_TYPE NonPagedPoolNx" },
        { (ulong)(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED), "more than one of" },
        { (ulong)(POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE), "more than one of" },
        { (ulong)(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE), "more than one of" },
        { (ulong)(POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1), "required bits 0x10 that are reserved or undefined" },
        { (ulong)(POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED2), "required bits 0x200 that are reserved or undefined" },
        { (ulong)(POOL_FLAG_PAGED | POOL_FLAG_RESERVED3), "required bits 0x400 that are reserved or undefined" },
        { (ulong)POOL_FLAG_NON_PAGED | 0x800, "required bits 0x800 that are reserved or undefined" },
        { (ulong)(POOL_FLAG_NON_PAGED | POOL_FLAG_REQUIRED_END), "required bits 0x80000000 that are reserved or undefined" },
    };

    [Theory]
    [MemberData(nameof(InvalidFlags))]
    public void InvalidFlags_ReturnNull_AndChargeNothing(ulong flags, string why)
    {
        _ = why;
        using var machine = new TestMachine();

        Assert.Equal(0, ExAllocatePool2((POOL_FLAGS)flags, 64, "Flag"));
        Assert.Equal(0, ExAllocatePool3((POOL_FLAGS)flags, 64, "Flag", null, 0));
        Assert.Equal(0, machine.System.QueryPoolTag("Flag", paged: false).Allocs);
        Assert.Equal(0, machine.System.QueryPoolTag("Flag", paged: true).Allocs);
        Assert.Equal(0, machine.System.NonPagedPoolCommittedBytes + machine.System.PagedPoolCommittedBytes);
    }

    [Theory]
    [MemberData(nameof(InvalidFlags))]
    public void InvalidFlags_WithRaiseOnFailure_RaiseInsufficientResourcesThatSaysWhy(ulong flags, string why)
    {
        using var machine = new TestMachine();

        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool2((POOL_FLAGS)flags | POOL_FLAG_RAISE_ON_FAILURE, 64, "Flag"));

        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Contains(why, raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidFlags_AreRefusedBeforeTheIrqlIsChecked()
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(KIRQL.HIGH_LEVEL);

        Assert.Equal(0, ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_RESERVED2, 64, "Flag"));
    }

    public static TheoryData<uint, string> BadTags => new()
    {
        { 0, "tag 0" },
        { PoolTag.FromString("BIG ").Value, "'BIG '" },
        { PoolTag.FromString("BIG ").Value | PoolTag.PROTECTED_POOL, "'BIG '" },
        { PoolTag.FromString("*-+ ").Value, "no letter or digit" },
    };

    [Theory]
    [MemberData(nameof(BadTags))]
    public void BadTag_ReturnsNull_WhereTheOlderRoutinesBugCheck(uint tag, string why)
    {
        _ = why;
        using var machine = new TestMachine();
        PoolTag bad = new(tag);

        Assert.Equal(0, ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, bad));
        Assert.Equal(0, ExAllocatePool2(POOL_FLAG_PAGED, 9000, bad));
        Assert.Equal(0, ExAllocatePool3(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 64, bad, null, 0));
        Assert.Throws<BugCheckException>(() => ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, 64, bad));
        Assert.Empty(machine.System.QueryPoolTags());
    }

    [Theory]
    [MemberData(nameof(BadTags))]
    public void BadTag_WithRaiseOnFailure_RaisesInsufficientResources(uint tag, string why)
    {
        using var machine = new TestMachine();
        PoolTag bad = new(tag);

        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 64, bad));

        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Contains(why, raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadTagAfterAGoodOne_IsStillRefused_AndTheGoodOneKeepsWorking()
    {
        using var machine = new TestMachine();
        nint good = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Good");
        ExFreePool(good);

        Assert.Equal(0, ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, default));
        Assert.Equal(good, ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Good"));
        ExFreePool(good);
    }
}
