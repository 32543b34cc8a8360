using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Dpc;

public sealed class DpcQueueTests
{
    [Fact]
    public void InsertedDpc_RunsOnce_AtDispatchLevel_OnAProcessorThread_WithItsContextAndArguments()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 2 });
        object context = new();
        var recorder = new DpcRecorder(context);

        Assert.True(KeInsertQueueDpc(recorder.Dpc, "first", 42));
        KeFlushQueuedDpcs();

        DpcRun run = Assert.Single(recorder.Runs);
        Assert.Same(recorder.Dpc, run.Dpc);
        Assert.Same(context, run.Context);
        Assert.Equal("first", run.Argument1);
        Assert.Equal(42, run.Argument2);
        Assert.Equal(DISPATCH_LEVEL, run.Irql);
        Assert.NotSame(Thread.CurrentThread, run.Thread);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
        Assert.False(recorder.Dpc.IsQueued);
        Assert.Same(context, recorder.Dpc.DeferredContext);
    }

    [Fact]
    public void InsertingADpcAlreadyQueued_ReturnsFalse_AndItRunsOnceWithTheFirstArguments()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 1 });
        var recorder = new DpcRecorder();
        using (var gate = ProcessorGate.Close(0))
        {
            Assert.True(KeInsertQueueDpc(recorder.Dpc, 1, null));
            Assert.True(recorder.Dpc.IsQueued);
            Assert.False(KeInsertQueueDpc(recorder.Dpc, 2, null));
            gate.Open();
        }

        KeFlushQueuedDpcs();

        Assert.Equal(1, Assert.Single(recorder.Runs).Argument1);
    }

    [Fact]
    public void DpcsOnOneProcessor_RunInTheOrderTheyWereQueued()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 2 });
        var order = new ConcurrentQueue<int>();
        var dpcs = new KDPC[200];
        for (int i = 0; i < dpcs.Length; i++)
        {
            dpcs[i] = new KDPC();
            KeInitializeDpc(dpcs[i], (_, context, _, _) => order.Enqueue((int)context!), i);
            KeSetTargetProcessorDpc(dpcs[i], 1);
        }

        using (var gate = ProcessorGate.Close(1))
        {
            foreach (KDPC dpc in dpcs)
            {
                Assert.True(KeInsertQueueDpc(dpc, null, null));
            }

            gate.Open();
        }

        KeFlushQueuedDpcs();

        Assert.Equal(Enumerable.Range(0, dpcs.Length), order);
    }

    [Fact]
    public void RemovingAQueuedDpc_ReturnsTrue_AndItNeverRuns()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 1 });
        var removed = new DpcRecorder();
        var kept = new DpcRecorder();
        using (var gate = ProcessorGate.Close(0))
        {
            KeInsertQueueDpc(removed.Dpc, null, null);
            KeInsertQueueDpc(kept.Dpc, null, null);

            Assert.True(KeRemoveQueueDpc(removed.Dpc));
            Assert.False(removed.Dpc.IsQueued);
            Assert.False(KeRemoveQueueDpc(removed.Dpc));
            gate.Open();
        }

        KeFlushQueuedDpcs();

        Assert.Equal(0, removed.Count);
        Assert.Equal(1, kept.Count);
    }

    [Fact]
    public void RemovingADpcThatNeverQueuedOrAlreadyRan_ReturnsFalse()
    {
        using var machine = new TestMachine();
        var recorder = new DpcRecorder();
        Assert.False(KeRemoveQueueDpc(recorder.Dpc));

        KeInsertQueueDpc(recorder.Dpc, null, null);
        KeFlushQueuedDpcs();

        Assert.False(KeRemoveQueueDpc(recorder.Dpc));
        Assert.Equal(1, recorder.Count);
    }

    [Fact]
    public void RemovingTheRunningDpc_ReturnsFalse_AndARemovedDpcCanBeQueuedAgain()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 1 });
        var recorder = new DpcRecorder();
        using (var gate = ProcessorGate.Close(0))
        {
            Assert.False(KeRemoveQueueDpc(gate.Dpc));
            KeInsertQueueDpc(recorder.Dpc, "removed", null);
            Assert.True(KeRemoveQueueDpc(recorder.Dpc));
            Assert.True(KeInsertQueueDpc(recorder.Dpc, "again", null));
            gate.Open();
        }

        KeFlushQueuedDpcs();

        Assert.Equal("again", Assert.Single(recorder.Runs).Argument1);
    }

    [Fact]
    public void Flush_ReturnsOnlyAfterEveryDpcQueuedBeforeIt_OnEveryProcessor_HasRun()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 4 });
        var recorders = new DpcRecorder[64];
        for (int i = 0; i < recorders.Length; i++)
        {
            recorders[i] = new DpcRecorder();
            KeSetTargetProcessorDpc(recorders[i].Dpc, (byte)(i % 4));
            KeInsertQueueDpc(recorders[i].Dpc, null, null);
        }

        KeFlushQueuedDpcs();

        Assert.All(recorders, recorder => Assert.Equal(1, recorder.Count));
    }

    [Fact]
    public void Flush_DoesNotWaitForDpcsQueuedAfterItStarted()
    {
        // A DPC that queues itself again from its routine never leaves the queue empty: a flush that
        // waited for DPCs queued during the call would never return.
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 1 });
        int runs = 0;
        bool stop = false;
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (self, _, _, _) =>
        {
            Interlocked.Increment(ref runs);
            if (!Volatile.Read(ref stop))
            {
                Assert.True(KeInsertQueueDpc(self, null, null));
            }
        }, null);

        KeInsertQueueDpc(dpc, null, null);
        KeFlushQueuedDpcs();
        Assert.True(Volatile.Read(ref runs) >= 1);

        Volatile.Write(ref stop, true);
        KeFlushQueuedDpcs();
        KeFlushQueuedDpcs();
        int settled = Volatile.Read(ref runs);
        KeFlushQueuedDpcs();
        Assert.Equal(settled, Volatile.Read(ref runs));
    }

    [Fact]
    public void Flush_WithNothingEverQueued_ReturnsAtOnce()
    {
        using var machine = new TestMachine();
        KeFlushQueuedDpcs();
    }

    [Fact]
    public void TargetedDpc_RunsOnThatProcessor()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 4 });
        var recorders = new DpcRecorder[4];
        for (byte processor = 0; processor < 4; processor++)
        {
            recorders[processor] = new DpcRecorder();
            KeSetTargetProcessorDpc(recorders[processor].Dpc, processor);
            KeInsertQueueDpc(recorders[processor].Dpc, null, null);
        }

        KeFlushQueuedDpcs();

        for (uint processor = 0; processor < 4; processor++)
        {
            Assert.Equal(processor, Assert.Single(recorders[processor].Runs).Processor);
        }

        Assert.Equal(4, recorders.Select(recorder => recorder.Runs[0].Thread).Distinct().Count());
    }

    [Fact]
    public void UntargetedDpc_RunsOnTheInsertingThreadsProcessor()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 3 });
        uint mine = KeGetCurrentProcessorNumber();
        var recorder = new DpcRecorder();

        KeInsertQueueDpc(recorder.Dpc, null, null);
        KeFlushQueuedDpcs();

        Assert.Equal(mine, Assert.Single(recorder.Runs).Processor);
    }

    [Fact]
    public void KeInitializeDpc_ClearsTheTargetProcessor()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 4 });
        uint mine = KeGetCurrentProcessorNumber();
        var recorder = new DpcRecorder();
        KeSetTargetProcessorDpc(recorder.Dpc, (byte)((mine + 1) % 4));

        KeInitializeDpc(recorder.Dpc, recorder.Dpc.DeferredRoutine!, null);
        KeInsertQueueDpc(recorder.Dpc, null, null);
        KeFlushQueuedDpcs();

        Assert.Equal(mine, Assert.Single(recorder.Runs).Processor);
    }

    [Fact]
    public void DpcRoutine_CanQueueAnotherDpc_UseNonPagedPool_AndTakeASpinLockAtDpcLevel()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 2 });
        var spinLock = new KSPIN_LOCK();
        var second = new DpcRecorder();
        var first = new KDPC();
        KeInitializeDpc(first, (_, _, _, _) =>
        {
            nint block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Dpc1");
            KeAcquireSpinLockAtDpcLevel(spinLock);
            KeAcquireInStackQueuedSpinLockAtDpcLevel(new KSPIN_LOCK(), out KLOCK_QUEUE_HANDLE handle);
            KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
            KeReleaseSpinLockFromDpcLevel(spinLock);
            ExFreePoolWithTag(block, "Dpc1");
            KeInsertQueueDpc(second.Dpc, "from a DPC", null);
        }, null);

        KeInsertQueueDpc(first, null, null);
        KeFlushQueuedDpcs();
        KeFlushQueuedDpcs();

        Assert.Equal("from a DPC", Assert.Single(second.Runs).Argument1);
        Assert.Null(machine.System.Crash);
        Assert.Equal(0, machine.System.QueryPoolTag("Dpc1", paged: false).Bytes);
    }

    [Fact]
    public void DpcInitializedOnOneMachine_RunsOnItsProcessors_WhicheverMachineIsCurrent()
    {
        using var owner = new KernelSystem(new SystemConfiguration { ProcessorCount = 1 });
        DpcRecorder recorder;
        using (owner.Enter())
        {
            recorder = new DpcRecorder();
        }

        using (var other = new TestMachine())
        {
            KeInsertQueueDpc(recorder.Dpc, null, null);
        }

        using (owner.Enter())
        {
            KeFlushQueuedDpcs();
        }

        Assert.Equal(1, recorder.Count);
    }

    [Fact]
    public void DpcThreads_EnterTheirMachine_SoExRoutinesInARoutineUseIt()
    {
        using var machine = new TestMachine();
        KernelSystem? seen = null;
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) => seen = KernelSystem.Current, null);

        KeInsertQueueDpc(dpc, null, null);
        KeFlushQueuedDpcs();

        Assert.Same(machine.System, seen);
    }
}
