using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.EX_POOL_PRIORITY;
using static PoolAnalyzers.Runtime.POOL_EXTENDED_PARAMETER_TYPE;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace PoolAnalyzers.Runtime.Test.Pool;

// A malformed parameter array fails the call (NULL, or STATUS_INSUFFICIENT_RESOURCES with
// POOL_FLAG_RAISE_ON_FAILURE); an optional parameter the allocator cannot honour is ignored.
public sealed unsafe class ExAllocatePool3Tests
{
    private static POOL_EXTENDED_PARAMETER Priority(EX_POOL_PRIORITY priority, bool optional = false)
        => new() { Type = PoolExtendedParameterPriority, Priority = priority, Optional = optional };

    private static POOL_EXTENDED_PARAMETER Parameter(POOL_EXTENDED_PARAMETER_TYPE type, bool optional = false)
        => new() { Type = type, Optional = optional };

    [Fact]
    public void NoParameters_BehavesAsExAllocatePool2()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Pool", null, 0);
        nint q = ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Pool", [], 0);

        Assert.Equal(0, *(long*)p);
        Assert.Equal(0, *(long*)q);
        ExFreePool(p);
        ExFreePool(q);
    }

    [Theory]
    [InlineData(HighPoolPriority)]
    [InlineData(NormalPoolPriority)]
    [InlineData(LowPoolPriority)]
    public void PriorityParameter_OnAnAmplePool_Succeeds_AndZeroes(EX_POOL_PRIORITY priority)
    {
        using var machine = new TestMachine();
        nint dirty = ExAllocatePool2(POOL_FLAG_PAGED, 300, "Prio");
        new Span<byte>((void*)dirty, 300).Fill(0xEE);
        ExFreePool(dirty);

        nint p = ExAllocatePool3(POOL_FLAG_PAGED, 300, "Prio", [Priority(priority)], 1);

        Assert.Equal(dirty, p);
        Assert.True(new Span<byte>((void*)p, 300).IndexOfAnyExcept((byte)0) < 0, "block not zeroed");
        ExFreePool(p);
    }

    public static TheoryData<POOL_EXTENDED_PARAMETER[]?, uint, string> MalformedArrays => new()
    {
        { null, 1, "ExtendedParameters is null but ExtendedParametersCount is 1" },
        { [Priority(HighPoolPriority)], 0, "ExtendedParametersCount is 0 but the array holds 1 parameters" },
        { [Priority(HighPoolPriority)], 2, "ExtendedParametersCount is 2 but the array holds 1 parameters" },
        { [Priority(HighPoolPriority), Priority(LowPoolPriority)], 1, "ExtendedParametersCount is 1 but the array holds 2 parameters" },
        { [Priority(HighPoolPriority), Priority(HighPoolPriority, optional: true)], 2, "ExtendedParameters[1] (Type PoolExtendedParameterPriority, Priority HighPoolPriority) repeats a parameter type" },
        { [Parameter(PoolExtendedParameterNumaNode), Parameter(PoolExtendedParameterNumaNode)], 2, "ExtendedParameters[1] (Type PoolExtendedParameterNumaNode" },
        { [Parameter(PoolExtendedParameterInvalidType)], 1, "ExtendedParameters[0] (Type PoolExtendedParameterInvalidType, Priority LowPoolPriority) is required but its type is not one the allocator recognises" },
        { [Priority(HighPoolPriority), Parameter((POOL_EXTENDED_PARAMETER_TYPE)7)], 2, "ExtendedParameters[1] (Type 7, Priority LowPoolPriority) is required but its type" },
        { [Priority((EX_POOL_PRIORITY)7)], 1, "is required but its priority is not an EX_POOL_PRIORITY value" },
        { [Priority((EX_POOL_PRIORITY)1)], 1, "is required but its priority is not an EX_POOL_PRIORITY value" },
        { [Priority((EX_POOL_PRIORITY)48)], 1, "is required but its priority is not an EX_POOL_PRIORITY value" },
        { [Parameter(PoolExtendedParameterSecurePool)], 1, "this runtime has no secure pools" },
    };

    [Theory]
    [MemberData(nameof(MalformedArrays))]
    public void MalformedParameters_ReturnNull_AndChargeNothing(POOL_EXTENDED_PARAMETER[]? parameters, uint count, string why)
    {
        _ = why;
        using var machine = new TestMachine();

        Assert.Equal(0, ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Parm", parameters, count));
        Assert.Empty(machine.System.QueryPoolTags());
        Assert.Equal(0, machine.System.NonPagedPoolCommittedBytes);
    }

    [Theory]
    [MemberData(nameof(MalformedArrays))]
    public void MalformedParameters_WithRaiseOnFailure_RaiseInsufficientResourcesThatSaysWhy(POOL_EXTENDED_PARAMETER[]? parameters, uint count, string why)
    {
        using var machine = new TestMachine();

        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool3(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 64, "Parm", parameters, count));

        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Contains(why, raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedParameters_AreRefusedBeforeTheIrqlIsChecked()
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(KIRQL.DISPATCH_LEVEL);

        Assert.Equal(0, ExAllocatePool3(POOL_FLAG_PAGED, 64, "Parm", null, 3));
    }

    [Fact]
    public void MalformedParameters_LeaveTheArrayAsItWas()
    {
        using var machine = new TestMachine();
        POOL_EXTENDED_PARAMETER[] parameters = [Priority(HighPoolPriority), Priority(LowPoolPriority)];

        Assert.Equal(0, ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Parm", parameters, 2));

        Assert.Equal(HighPoolPriority, parameters[0].Priority);
        Assert.Equal(LowPoolPriority, parameters[1].Priority);
    }

    [Theory]
    [InlineData(PoolExtendedParameterInvalidType)]
    [InlineData((POOL_EXTENDED_PARAMETER_TYPE)99)]
    [InlineData(PoolExtendedParameterSecurePool)]
    public void OptionalParameter_TheAllocatorCannotHonour_IsIgnored(POOL_EXTENDED_PARAMETER_TYPE type)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Optn", [Parameter(type, optional: true), Priority(HighPoolPriority)], 2);

        Assert.NotEqual(0, p);
        ExFreePool(p);
    }

    [Fact]
    public void OptionalPriority_WithAnUndefinedValue_IsIgnored()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Optn", [Priority((EX_POOL_PRIORITY)5, optional: true)], 1);

        Assert.NotEqual(0, p);
        ExFreePool(p);
    }

    [Fact]
    public void NumaNode_OnNonPagedPool_IsSatisfiedByTheOneNode()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Numa", [Parameter(PoolExtendedParameterNumaNode)], 1);

        Assert.NotEqual(0, p);
        ExFreePool(p);
    }

    [Theory]
    [InlineData(POOL_FLAG_PAGED)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE)]
    public void RequiredNumaNode_OnAnotherPool_FailsTheCall_OptionalIsIgnored(POOL_FLAGS pool)
    {
        using var machine = new TestMachine();

        Assert.Equal(0, ExAllocatePool3(pool, 64, "Numa", [Parameter(PoolExtendedParameterNumaNode)], 1));
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool3(pool | POOL_FLAG_RAISE_ON_FAILURE, 64, "Numa", [Parameter(PoolExtendedParameterNumaNode)], 1));
        Assert.Contains("a NUMA node applies to POOL_FLAG_NON_PAGED pool only", raised.Message, StringComparison.Ordinal);

        nint p = ExAllocatePool3(pool, 64, "Numa", [Parameter(PoolExtendedParameterNumaNode, optional: true)], 1);
        Assert.NotEqual(0, p);
        ExFreePool(p);
    }

    [Fact]
    public void InvalidFlags_FailBeforeTheParametersAreRead()
    {
        using var machine = new TestMachine();

        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool3((POOL_FLAGS)512 | POOL_FLAG_RAISE_ON_FAILURE, 64, "Parm", null, 4));

        Assert.Contains("POOL_FLAGS 0x220", raised.Message, StringComparison.Ordinal);
    }
}
