using System.Collections.Generic;

namespace PoolAnalyzers.Runtime;

// The pool side of the machine: capacity, condition events, quota processes, accounting, verifier.
public sealed partial class KernelSystem
{
    /// <summary>Driver Verifier: its switches and the pool-tracking leak checks.</summary>
    public DriverVerifier Verifier { get; }

    /// <summary>The System process: allocations made while no process is attached run here and are never charged quota.</summary>
    public KernelProcess SystemProcess => Pool.SystemProcess;

    /// <summary>The process the calling thread is attached to in this machine, or <see cref="SystemProcess"/>.</summary>
    public KernelProcess CurrentProcess => Pool.CurrentProcess;

    /// <summary>Paged pool bytes taken from the pool's capacity (in 64 KiB chunks for small blocks, whole pages for big ones).</summary>
    public long PagedPoolCommittedBytes => Pool.CommittedBytes(paged: true);

    /// <summary>Nonpaged pool bytes taken from the pool's capacity.</summary>
    public long NonPagedPoolCommittedBytes => Pool.CommittedBytes(paged: false);

    /// <summary>Signaled while free paged pool is below min(30 MB, size/5).</summary>
    public PoolConditionEvent LowPagedPoolCondition => Pool.Paged.Low;

    /// <summary>Signaled while free paged pool is above min(60 MB, 2·size/5).</summary>
    public PoolConditionEvent HighPagedPoolCondition => Pool.Paged.High;

    /// <summary>Signaled while free nonpaged pool is below min(8 MB, size/3).</summary>
    public PoolConditionEvent LowNonPagedPoolCondition => Pool.NonPaged.Low;

    /// <summary>Signaled while free nonpaged pool is above min(20 MB, size/2).</summary>
    public PoolConditionEvent HighNonPagedPoolCondition => Pool.NonPaged.High;

    /// <summary>Creates a process whose quota allocations are charged against the given limits (bytes).</summary>
    public KernelProcess CreateProcess(string name, ulong pagedPoolQuotaLimit, ulong nonPagedPoolQuotaLimit)
    {
        System.ArgumentException.ThrowIfNullOrEmpty(name);
        return Pool.CreateProcess(name, pagedPoolQuotaLimit, nonPagedPoolQuotaLimit);
    }

    /// <summary>
    /// Per-tag accounting summed over every thread: one row per (tag, pool) ever used. Exact once the
    /// threads that allocate and free are quiescent.
    /// </summary>
    public IReadOnlyList<PoolTagStatistics> QueryPoolTags() => Pool.QueryTags();

    /// <summary>The accounting of <paramref name="tag"/> in paged or nonpaged pool (all zero when unused).</summary>
    public PoolTagStatistics QueryPoolTag(PoolTag tag, bool paged)
    {
        PoolTag bare = tag.Unprotected;
        foreach (PoolTagStatistics row in Pool.QueryTags())
        {
            if (row.Tag == bare && row.IsPaged == paged)
            {
                return row;
            }
        }

        return new PoolTagStatistics(bare, paged, 0, 0, 0);
    }

    /// <summary>The accounting printed as a poolmon table (Tag, Type, Allocs, Frees, Diff, Bytes, Per Alloc).</summary>
    public string FormatPoolMonitor() => PoolMonitor.Format(Pool.QueryTags());
}
