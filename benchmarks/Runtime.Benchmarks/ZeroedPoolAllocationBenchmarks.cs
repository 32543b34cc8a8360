using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>
/// One zeroed allocate + free pair: <c>ExAllocatePool2</c> (which zeroes by default) +
/// <c>ExFreePoolWithTag</c> against <see cref="NativeMemory.AllocZeroed(nuint)"/> +
/// <see cref="NativeMemory.Free"/>, the baseline of each category, single-threaded and on two threads
/// at once (the benchmark thread and a <see cref="TwoWorkerThreads"/> partner, both on the
/// benchmark's machine). Ratios are printed per size and category.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public unsafe class ZeroedPoolAllocationBenchmarks
{
    private const int PairsPerInvoke = 4096;
    private static readonly PoolTag Tag = "Bnch";

    private KernelSystem _system = null!;
    private KernelSystem.Scope _scope;
    private TwoWorkerThreads _workers = null!;

    /// <summary>Bytes per request: a small block and a large small block.</summary>
    [Params(64, 1024)]
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
    public void NativeMemoryZeroedPair() => NativeZeroedLoop((nuint)Size);

    [Benchmark(OperationsPerInvoke = PairsPerInvoke)]
    [BenchmarkCategory("1 thread")]
    public void ExAllocatePool2Pair() => Pool2Loop((nuint)Size);

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * PairsPerInvoke)]
    [BenchmarkCategory("2 threads")]
    public void NativeMemoryZeroedPairTwoThreads()
    {
        nuint size = (nuint)Size;
        _workers.Run(() => NativeZeroedLoop(size));
    }

    [Benchmark(OperationsPerInvoke = 2 * PairsPerInvoke)]
    [BenchmarkCategory("2 threads")]
    public void ExAllocatePool2PairTwoThreads()
    {
        nuint size = (nuint)Size;
        _workers.Run(() => Pool2Loop(size));
    }

    private static void NativeZeroedLoop(nuint size)
    {
        for (int i = 0; i < PairsPerInvoke; i++)
        {
            void* p = NativeMemory.AllocZeroed(size);
            *(byte*)p = 1;
            NativeMemory.Free(p);
        }
    }

    private static void Pool2Loop(nuint size)
    {
        for (int i = 0; i < PairsPerInvoke; i++)
        {
            nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, Tag);
            *(byte*)p = 1;
            ExFreePoolWithTag(p, Tag);
        }
    }
}
