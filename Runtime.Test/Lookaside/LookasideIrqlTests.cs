using System;
using System.Reflection;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Lookaside;

public sealed class LookasideIrqlTests
{
    private static SystemConfiguration NoScan => new() { LookasideScanPeriod = TimeSpan.Zero };

    [Theory]
    [InlineData(nameof(ExInitializeNPagedLookasideList), DISPATCH_LEVEL)]
    [InlineData(nameof(ExAllocateFromNPagedLookasideList), DISPATCH_LEVEL)]
    [InlineData(nameof(ExFreeToNPagedLookasideList), DISPATCH_LEVEL)]
    [InlineData(nameof(ExDeleteNPagedLookasideList), DISPATCH_LEVEL)]
    [InlineData(nameof(ExInitializePagedLookasideList), APC_LEVEL)]
    [InlineData(nameof(ExAllocateFromPagedLookasideList), APC_LEVEL)]
    [InlineData(nameof(ExFreeToPagedLookasideList), APC_LEVEL)]
    [InlineData(nameof(ExDeletePagedLookasideList), APC_LEVEL)]
    public void EveryRoutine_DeclaresItsIrqlCeilingInMetadata(string routine, KIRQL ceiling)
    {
        MethodInfo method = typeof(Ex).GetMethod(routine, BindingFlags.Public | BindingFlags.Static)!;

        IrqlRequiresMaxAttribute? attribute = method.GetCustomAttribute<IrqlRequiresMaxAttribute>();

        Assert.NotNull(attribute);
        Assert.Equal(ceiling, attribute.Irql);
    }

    [Fact]
    public void NonPagedRoutines_WorkAtDispatchLevel()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();

        using (IrqlScope.At(DISPATCH_LEVEL))
        {
            ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Disp", 0);
            nint entry = ExAllocateFromNPagedLookasideList(list);
            ExFreeToNPagedLookasideList(list, entry);
            ExDeleteNPagedLookasideList(list);
        }

        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void PagedRoutines_WorkAtApcLevel()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();

        using (IrqlScope.At(APC_LEVEL))
        {
            ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Apc ", 0);
            nint entry = ExAllocateFromPagedLookasideList(list);
            ExFreeToPagedLookasideList(list, entry);
            ExDeletePagedLookasideList(list);
        }

        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void PagedRoutines_AtDispatchLevel_BugCheckIrqlNotLessOrEqual()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "High", 0);
        nint entry = ExAllocateFromPagedLookasideList(list);

        using (IrqlScope.At(DISPATCH_LEVEL))
        {
            AssertIrqlBugCheck(() => ExInitializePagedLookasideList(new PAGED_LOOKASIDE_LIST(), null, null, 0, 16, "High", 0), "ExInitializePagedLookasideList");
            AssertIrqlBugCheck(() => ExAllocateFromPagedLookasideList(list), "ExAllocateFromPagedLookasideList");
            AssertIrqlBugCheck(() => ExFreeToPagedLookasideList(list, entry), "ExFreeToPagedLookasideList");
            AssertIrqlBugCheck(() => ExDeletePagedLookasideList(list), "ExDeletePagedLookasideList");
        }

        // Nothing was counted or changed by the refused calls.
        Assert.Equal(1u, list.TotalAllocates);
        Assert.Equal(0u, list.TotalFrees);
        Assert.True(list.IsInitialized);
        ExFreeToPagedLookasideList(list, entry);
        ExDeletePagedLookasideList(list);
    }

    [Fact]
    public void NonPagedRoutines_AboveDispatchLevel_BugCheckIrqlNotLessOrEqual()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "High", 0);
        nint entry = ExAllocateFromNPagedLookasideList(list);

        using (IrqlScope.At((KIRQL)3))
        {
            AssertIrqlBugCheck(() => ExInitializeNPagedLookasideList(new NPAGED_LOOKASIDE_LIST(), null, null, 0, 16, "High", 0), "ExInitializeNPagedLookasideList");
            AssertIrqlBugCheck(() => ExAllocateFromNPagedLookasideList(list), "ExAllocateFromNPagedLookasideList");
            AssertIrqlBugCheck(() => ExFreeToNPagedLookasideList(list, entry), "ExFreeToNPagedLookasideList");
            AssertIrqlBugCheck(() => ExDeleteNPagedLookasideList(list), "ExDeleteNPagedLookasideList");
        }

        ExFreeToNPagedLookasideList(list, entry);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void IrqlBugCheck_CarriesTheIrqlAndTheEntry()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Parm", 0);
        nint entry = ExAllocateFromPagedLookasideList(list);

        BugCheckException error;
        using (IrqlScope.At(DISPATCH_LEVEL))
        {
            error = Assert.Throws<BugCheckException>(() => ExFreeToPagedLookasideList(list, entry));
        }

        Assert.Equal((ulong)entry, error.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, error.Parameter2);
        Assert.Equal(1UL, error.Parameter3);
        ExFreeToPagedLookasideList(list, entry);
        ExDeletePagedLookasideList(list);
    }

    private static void AssertIrqlBugCheck(Action action, string routine)
    {
        BugCheckException error = Assert.Throws<BugCheckException>(action);
        Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, error.BugCheckCode);
        Assert.Equal((ulong)Ke.KeGetCurrentIrql(), error.Parameter2);
        Assert.StartsWith("IRQL_NOT_LESS_OR_EQUAL (0x0A)", error.Message, StringComparison.Ordinal);
        Assert.Contains(routine, error.Message, StringComparison.Ordinal);
    }
}
