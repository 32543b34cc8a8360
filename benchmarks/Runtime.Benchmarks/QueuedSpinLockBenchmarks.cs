using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>
/// One acquire + release of an in-stack queued spin lock (IRQL raise and restore included) against
/// <see cref="Lock.Enter()"/> + <see cref="Lock.Exit()"/>, around a one-increment critical section:
/// on one thread (uncontended), and on two threads hammering one lock (time per pair per thread,
/// so a collapse shows as a ratio far above the one-thread row; see <see cref="TwoWorkerThreads"/>
/// for why the second thread is a dedicated one). The ordinary spin lock runs alongside for reference.
/// </summary>
[CategoriesColumn]
[MedianColumn]
[MinColumn]
[MaxColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class QueuedSpinLockBenchmarks
{
    private const int Pairs = 4096;
    private const int PairsPerThread = 200_000;

    private readonly Lock _lock = new();
    private readonly KSPIN_LOCK _spinLock = new();
    private long _counter;
    private TwoWorkerThreads _workers = null!;

    // Created on BenchmarkDotNet's thread, so the partner takes that thread's priority.
    [GlobalSetup]
    public void Setup() => _workers = new TwoWorkerThreads();

    [GlobalCleanup]
    public void Cleanup() => _workers.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs, Description = "Lock Enter+Exit")]
    [BenchmarkCategory("1 thread")]
    public void LockPair() => LockLoop(Pairs);

    [Benchmark(OperationsPerInvoke = Pairs, Description = "In-stack queued spin lock acquire+release")]
    [BenchmarkCategory("1 thread")]
    public void QueuedPair() => QueuedLoop(Pairs);

    [Benchmark(OperationsPerInvoke = Pairs, Description = "Spin lock acquire+release")]
    [BenchmarkCategory("1 thread")]
    public void SpinLockPair() => SpinLockLoop(Pairs);

    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerThread, Description = "Lock x2 threads")]
    [BenchmarkCategory("2 threads")]
    public void LockPairTwoThreads() => _workers.Run(() => LockLoop(PairsPerThread));

    [Benchmark(OperationsPerInvoke = PairsPerThread, Description = "In-stack queued spin lock x2 threads")]
    [BenchmarkCategory("2 threads")]
    public void QueuedPairTwoThreads() => _workers.Run(() => QueuedLoop(PairsPerThread));

    [Benchmark(OperationsPerInvoke = PairsPerThread, Description = "Spin lock x2 threads")]
    [BenchmarkCategory("2 threads")]
    public void SpinLockPairTwoThreads() => _workers.Run(() => SpinLockLoop(PairsPerThread));

    private void LockLoop(int pairs)
    {
        for (int i = 0; i < pairs; i++)
        {
            _lock.Enter();
            _counter++;
            _lock.Exit();
        }
    }

    private void QueuedLoop(int pairs)
    {
        for (int i = 0; i < pairs; i++)
        {
            KeAcquireInStackQueuedSpinLock(_spinLock, out KLOCK_QUEUE_HANDLE handle);
            _counter++;
            KeReleaseInStackQueuedSpinLock(ref handle);
        }
    }

    private void SpinLockLoop(int pairs)
    {
        for (int i = 0; i < pairs; i++)
        {
            KeAcquireSpinLock(_spinLock, out KIRQL old);
            _counter++;
            KeReleaseSpinLock(_spinLock, old);
        }
    }
}
