using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>
/// DPCs against the .NET thread pool, the closest thing a C# developer has to "run this soon on
/// another thread": <see cref="ThreadPool.UnsafeQueueUserWorkItem(IThreadPoolWorkItem, bool)"/>
/// with a preallocated work item, so neither side allocates.
/// <list type="bullet">
/// <item>Latency: queue one item and spin until it has run; one round trip per operation.</item>
/// <item>Throughput: queue a batch, then wait until all of it has run; time per item.</item>
/// </list>
/// </summary>
[CategoriesColumn]
[MedianColumn]
[MinColumn]
[MaxColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class DpcBenchmarks
{
    private const int Batch = 1024;

    private KernelSystem _machine = null!;
    private KernelSystem.Scope _scope;
    private KDPC _latencyDpc = null!;
    private KDPC[] _batchDpcs = null!;
    private KDPC[] _spreadDpcs = null!;
    private SignalItem _latencyItem = null!;
    private CountItem[] _batchItems = null!;

    // Written by the DPC routine or work item, read by the benchmark thread.
    private int _signal;
    private int _remaining;

    [GlobalSetup]
    public void Setup()
    {
        _machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.Zero });
        _scope = _machine.Enter();

        _latencyDpc = new KDPC();
        KeInitializeDpc(_latencyDpc, (_, _, _, _) => Volatile.Write(ref _signal, 1), null);
        _latencyItem = new SignalItem(this);

        PKDEFERRED_ROUTINE count = (_, _, _, _) => Interlocked.Decrement(ref _remaining);
        _batchDpcs = new KDPC[Batch];
        _spreadDpcs = new KDPC[Batch];
        _batchItems = new CountItem[Batch];
        uint processors = KeQueryActiveProcessorCount();
        for (int i = 0; i < Batch; i++)
        {
            _batchDpcs[i] = new KDPC();
            KeInitializeDpc(_batchDpcs[i], count, null);
            _spreadDpcs[i] = new KDPC();
            KeInitializeDpc(_spreadDpcs[i], count, null);
            KeSetTargetProcessorDpc(_spreadDpcs[i], (byte)(i % processors));
            _batchItems[i] = new CountItem(this);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _machine.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ThreadPool work item: queue-to-run latency")]
    [BenchmarkCategory("Latency")]
    public void ThreadPoolLatency()
    {
        Volatile.Write(ref _signal, 0);
        ThreadPool.UnsafeQueueUserWorkItem(_latencyItem, preferLocal: false);
        WaitForSignal();
    }

    [Benchmark(Description = "DPC: insert-to-run latency")]
    [BenchmarkCategory("Latency")]
    public void DpcLatency()
    {
        Volatile.Write(ref _signal, 0);
        KeInsertQueueDpc(_latencyDpc, null, null);
        WaitForSignal();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "ThreadPool work items: throughput")]
    [BenchmarkCategory("Throughput")]
    public void ThreadPoolThroughput()
    {
        Volatile.Write(ref _remaining, Batch);
        foreach (CountItem item in _batchItems)
        {
            ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        }

        WaitForBatch();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "DPCs on the inserting processor: throughput")]
    [BenchmarkCategory("Throughput")]
    public void DpcThroughput()
    {
        Volatile.Write(ref _remaining, Batch);
        foreach (KDPC dpc in _batchDpcs)
        {
            KeInsertQueueDpc(dpc, null, null);
        }

        WaitForBatch();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "DPCs spread over every processor: throughput")]
    [BenchmarkCategory("Throughput")]
    public void DpcSpreadThroughput()
    {
        Volatile.Write(ref _remaining, Batch);
        foreach (KDPC dpc in _spreadDpcs)
        {
            KeInsertQueueDpc(dpc, null, null);
        }

        WaitForBatch();
    }

    // Both waits spin, then yield: a waiter that never yields can starve the very thread it waits
    // for when the two share a core (the machine the numbers come from is shared and busy).
    private void WaitForSignal()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _signal) == 0)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void WaitForBatch()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _remaining) != 0)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private sealed class SignalItem(DpcBenchmarks owner) : IThreadPoolWorkItem
    {
        public void Execute() => Volatile.Write(ref owner._signal, 1);
    }

    private sealed class CountItem(DpcBenchmarks owner) : IThreadPoolWorkItem
    {
        public void Execute() => Interlocked.Decrement(ref owner._remaining);
    }
}
