using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Dpc;

public sealed class DpcMisuseTests
{
    private static readonly PKDEFERRED_ROUTINE Nothing = (_, _, _, _) => { };

    [Fact]
    public void NullArguments_ThrowArgumentNullException()
    {
        using var machine = new TestMachine();
        Assert.Equal("Dpc", Assert.Throws<ArgumentNullException>(() => KeInitializeDpc(null!, Nothing, null)).ParamName);
        Assert.Equal("DeferredRoutine", Assert.Throws<ArgumentNullException>(() => KeInitializeDpc(new KDPC(), null!, null)).ParamName);
        Assert.Equal("Dpc", Assert.Throws<ArgumentNullException>(() => KeInsertQueueDpc(null!, null, null)).ParamName);
        Assert.Equal("Dpc", Assert.Throws<ArgumentNullException>(() => KeRemoveQueueDpc(null!)).ParamName);
        Assert.Equal("Dpc", Assert.Throws<ArgumentNullException>(() => KeSetTargetProcessorDpc(null!, 0)).ParamName);
    }

    [Fact]
    public void DpcNeverInitialized_IsRejectedByEveryRoutine()
    {
        using var machine = new TestMachine();
        var dpc = new KDPC();

        AssertNotInitialized(() => KeInsertQueueDpc(dpc, null, null), nameof(KeInsertQueueDpc));
        AssertNotInitialized(() => KeRemoveQueueDpc(dpc), nameof(KeRemoveQueueDpc));
        AssertNotInitialized(() => KeSetTargetProcessorDpc(dpc, 0), nameof(KeSetTargetProcessorDpc));
        Assert.False(dpc.IsQueued);
        Assert.Null(dpc.DeferredRoutine);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 255)]
    [InlineData(64, 64)]
    public void TargetProcessorOutOfRange_ThrowsArgumentOutOfRange_AndKeepsTheOldTarget(int count, byte number)
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = count });
        var recorder = new DpcRecorder();
        KeSetTargetProcessorDpc(recorder.Dpc, 1);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => KeSetTargetProcessorDpc(recorder.Dpc, number));

        Assert.Equal("Number", error.ParamName);
        KeInsertQueueDpc(recorder.Dpc, null, null);
        KeFlushQueuedDpcs();
        Assert.Equal(1u, Assert.Single(recorder.Runs).Processor);
    }

    [Fact]
    public void InitializingAQueuedDpc_BugChecks0xC7_AndLeavesTheQueueIntact()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 1 });
        var recorder = new DpcRecorder("original");
        using (var gate = ProcessorGate.Close(0))
        {
            KeInsertQueueDpc(recorder.Dpc, null, null);

            BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.TIMER_OR_DPC_INVALID, 1, () => KeInitializeDpc(recorder.Dpc, Nothing, "replacement"));

            Assert.Equal(0UL, bugCheck.Parameter2);
            Assert.True(recorder.Dpc.IsQueued);
            gate.Open();
        }

        KeFlushQueuedDpcs();
        Assert.Equal("original", Assert.Single(recorder.Runs).Context);
        Assert.Null(machine.System.Crash);
    }

    [Theory]
    [InlineData(APC_LEVEL)]
    [InlineData(DISPATCH_LEVEL)]
    [InlineData(HIGH_LEVEL)]
    public void FlushAbovePassive_BugChecks0x0A_WithTheIrql(KIRQL irql)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(irql);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, 0, KeFlushQueuedDpcs);

        Assert.Equal((ulong)irql, bugCheck.Parameter2);
    }

    [Fact]
    public void InsertRemoveAndTarget_WorkAtAnyIrql()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 2 });
        var recorder = new DpcRecorder();
        using (var gate = ProcessorGate.Close(1))
        {
            using (IrqlScope.Raise(HIGH_LEVEL))
            {
                KeInitializeDpc(recorder.Dpc, recorder.Dpc.DeferredRoutine!, null);
                KeSetTargetProcessorDpc(recorder.Dpc, 1);
                Assert.True(KeInsertQueueDpc(recorder.Dpc, null, null));
                Assert.True(KeRemoveQueueDpc(recorder.Dpc));
                Assert.True(KeInsertQueueDpc(recorder.Dpc, null, null));
                Assert.True(KeGetCurrentProcessorNumber() < KeQueryActiveProcessorCount());
            }

            gate.Open();
        }

        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);
    }

    private static void AssertNotInitialized(Action call, string routine)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(call);
        Assert.Equal("Dpc", error.ParamName);
        Assert.StartsWith($"{routine}: the KDPC was never initialized", error.Message, StringComparison.Ordinal);
    }
}
