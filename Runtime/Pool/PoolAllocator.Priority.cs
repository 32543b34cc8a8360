namespace PoolAnalyzers.Runtime;

// EX_POOL_PRIORITY: a low- or normal-priority request is refused while the pool is low, so what is
// left serves the requests that cannot fail. "Low" is the pool-condition threshold that signals
// Low…PoolCondition, "very low" a quarter of it; a request is judged by the free pool it would leave
// behind, as the kernel's own check adds the request to its reserve. HighPoolPriority fails only
// when the pool is exhausted, like every other request. The check reads the free amount once without
// a lock: a race with other threads moves the outcome by at most their concurrent requests, as in the
// kernel, which checks before it allocates.
internal sealed partial class PoolAllocator
{
    private bool PriorityAllows(POOL_TYPE poolType, nuint numberOfBytes, AllocationOptions options)
    {
        PoolCapacity capacity = PoolTypes.IsPaged(poolType) ? Paged : NonPaged;
        long reserve = (options & AllocationOptions.LowPriority) != 0 ? capacity.LowThreshold : capacity.VeryLowThreshold;
        return (ulong)numberOfBytes <= (ulong)capacity.Size && (long)numberOfBytes + reserve <= capacity.Size - CommittedBytes(PoolTypes.IsPaged(poolType));
    }

    private nint FailPriority(POOL_TYPE poolType, AllocationOptions options, nuint numberOfBytes, PoolTag tag)
    {
        if ((options & AllocationOptions.RaiseOnFailure) == 0)
        {
            return 0;
        }

        bool low = (options & AllocationOptions.LowPriority) != 0;
        PoolCapacity capacity = PoolTypes.IsPaged(poolType) ? Paged : NonPaged;
        throw BugCheck.Status(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES,
            $"{(low ? "LowPoolPriority" : "NormalPoolPriority")} request for {numberOfBytes} bytes tagged '{tag}' refused: " +
            $"{(PoolTypes.IsPaged(poolType) ? "paged" : "nonpaged")} pool has {capacity.Size - CommittedBytes(PoolTypes.IsPaged(poolType))} bytes free and keeps the last {(low ? capacity.LowThreshold : capacity.VeryLowThreshold)} " +
            $"for {(low ? "normal- and high" : "high")}-priority requests");
    }
}
