using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>
/// One allocate + free pair through the pool (tag accounting and IRQL checks on) against the same
/// pair through <see cref="NativeMemory"/>, the baseline of each category, single-threaded and on two
/// threads at once (the benchmark thread and a <see cref="TwoWorkerThreads"/> partner, both on the
/// benchmark's machine). Ratios are printed per size and category.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public unsafe class PoolAllocationBenchmarks
{
    private const int PairsPerInvoke = 4096;
    private static readonly PoolTag Tag = "Bnch";

    private KernelSystem _system = null!;
    private KernelSystem.Scope _scope;
    private TwoWorkerThreads _workers = null!;

    /// <summary>Bytes per request: a small block, a large small block and a big-page request.</summary>
    [Params(64, 1024, 8192)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _system = new KernelSystem();
        _scope = _system.Enter();

        // Created on BenchmarkDotNet's thread after entering the machine: the partner takes this
        // thread's priority and enters the same machine, so both threads use the machine the
        // one-thread rows use.
        _workers = new TwoWorkerThreads(_system);
        _workers.AssertBothOn(_system);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _workers.Dispose();
        _scope.Dispose();
        _system.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerInvoke)]
    [BenchmarkCategory("1 thread")]
    public void NativeMemoryPair() => NativeLoop((nuint)Size);

    [Benchmark(OperationsPerInvoke = PairsPerInvoke)]
    [BenchmarkCategory("1 thread")]
    public void PoolPair() => PoolLoop((nuint)Size);

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * PairsPerInvoke)]
    [BenchmarkCategory("2 threads")]
    public void NativeMemoryPairTwoThreads()
    {
        nuint size = (nuint)Size;
        _workers.Run(() => NativeLoop(size));
    }

    [Benchmark(OperationsPerInvoke = 2 * PairsPerInvoke)]
    [BenchmarkCategory("2 threads")]
    public void PoolPairTwoThreads()
    {
        nuint size = (nuint)Size;
        _workers.Run(() => PoolLoop(size));
    }

    private static void NativeLoop(nuint size)
    {
        for (int i = 0; i < PairsPerInvoke; i++)
        {
            void* p = NativeMemory.Alloc(size);
            *(byte*)p = 1;
            NativeMemory.Free(p);
        }
    }

    private static void PoolLoop(nuint size)
    {
        for (int i = 0; i < PairsPerInvoke; i++)
        {
            nint p = ExAllocatePoolWithTag(NonPagedPoolNx, size, Tag);
            *(byte*)p = 1;
            ExFreePoolWithTag(p, Tag);
        }
    }
}
