namespace PoolAnalyzers.Runtime;

// The general allocation path: every check of the request, in the kernel's order, then the heap that
// serves it (small blocks, big pages or special pool).
internal sealed partial class PoolAllocator
{
    private nint AllocateChecked(KernelThread thread, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        ThrowIfDisposed();

        // The IRQL first, as the kernel's own entry check does, then the type.
        KIRQL irql = thread.Irql;
        if (irql > PoolTypes.MaxIrql(poolType))
        {
            throw PoolBugChecks.IrqlTooHighToAllocate(_verifier is not null, irql, poolType, numberOfBytes);
        }

        if (PoolTypes.IsMustSucceed(poolType))
        {
            throw PoolBugChecks.MustSucceed(poolType, numberOfBytes, tag);
        }

        uint bareTag = tag.Value & ~PoolTag.PROTECTED_POOL;
        if (tag.Value != cache.LastValidTag)
        {
            uint problem = PoolBugChecks.TagProblem(tag);
            if (problem != 0)
            {
                return (options & AllocationOptions.FailOnBadTag) != 0
                    ? FailBadTag(options, problem, tag, numberOfBytes)
                    : throw PoolBugChecks.BadTag(problem, tag, poolType, numberOfBytes);
            }

            cache.LastValidTag = tag.Value;
        }

        if (numberOfBytes == 0)
        {
            // The kernel treats a zero-byte request as one byte; the verifier can flag it.
            numberOfBytes = _verifier?.Options.FlagZeroSizeRequests == true ? throw PoolBugChecks.ZeroSizeRequest(irql, poolType) : (nuint)1;
        }

        bool tracked = false;
        DriverVerifier? verifier = _verifier;
        if (verifier is not null)
        {
            if (verifier.LowResources?.ShouldFail(bareTag) == true || verifier.Systematic?.ShouldFail(bareTag) == true)
            {
                return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
            }

            tracked = verifier.Tracks(bareTag);

            // A request that asks for special pool gets it whatever the tag filter says, as the kernel's
            // special-pool priorities do; any other request follows the filter.
            if ((options & AllocationOptions.SpecialPool) != 0 ? verifier.SpecialPoolEnabled : verifier.UsesSpecialPool(bareTag))
            {
                return AllocateSpecial(cache, poolType, numberOfBytes, tag, options, tracked);
            }
        }

        if ((options & (AllocationOptions.LowPriority | AllocationOptions.NormalPriority)) != 0 && !PriorityAllows(poolType, numberOfBytes, options))
        {
            return FailPriority(poolType, options, numberOfBytes, tag);
        }

        bool cacheAligned = PoolTypes.IsCacheAligned(poolType);
        nint address = SizeClasses.IsSmall(numberOfBytes, cacheAligned)
            ? AllocateSmall(cache, poolType, numberOfBytes, tag, options, tracked)
            : AllocateBig(cache, poolType, numberOfBytes, tag, options, tracked);
        if (address == 0)
        {
            return 0;
        }

        if (tracked)
        {
            verifier!.Track(new PoolAllocationRecord(address, tag, poolType, numberOfBytes));
        }

        cache.Tags.Allocated(TagCounters.KeyOf(bareTag, PoolTypes.IsPaged(poolType)), (long)numberOfBytes);
        if ((options & AllocationOptions.Zero) != 0)
        {
            Clear(address, numberOfBytes);
        }

        return address;
    }

    /// <summary>A small block: from the thread's cache (refilled as needed), quota charged by its size class.</summary>
    private nint AllocateSmall(ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options, bool tracked)
    {
        bool paged = PoolTypes.IsPaged(poolType);
        int index = SizeClasses.IndexOf(SizeClasses.Group(paged, PoolTypes.IsCacheAligned(poolType)), numberOfBytes);
        nint header = _small.Take(cache, index);
        if (header == 0 && ReclaimCachedMemory(cache, paged))
        {
            header = _small.Take(cache, index);
        }

        if (header == 0)
        {
            return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
        }

        uint quotaOwner = 0;
        if ((options & AllocationOptions.ChargeQuota) != 0)
        {
            uint id = _quota.Charge(paged, SizeClasses.All[index]!.Stride, out bool charged);
            if (!charged)
            {
                _small.PutBack(cache, index, header);
                return Fail(poolType, options, NTSTATUS.STATUS_QUOTA_EXCEEDED, numberOfBytes, tag);
            }

            quotaOwner = _quota.Encode(id, header);
        }

        return SmallBlockHeap.HandOut(header, index, poolType, tag, numberOfBytes, quotaOwner, tracked);
    }

    /// <summary>Whole pages; page-sized and larger blocks are never charged to quota.</summary>
    private nint AllocateBig(ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options, bool tracked)
    {
        bool zero = (options & AllocationOptions.Zero) != 0;
        nint address = _bigPages.Allocate(cache, poolType, numberOfBytes, tag, zero, tracked);
        if (address == 0 && CouldFit(poolType, numberOfBytes) && ReclaimCachedMemory(cache, PoolTypes.IsPaged(poolType)))
        {
            address = _bigPages.Allocate(cache, poolType, numberOfBytes, tag, zero, tracked);
        }

        return address != 0 ? address : Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
    }

    private nint AllocateSpecial(ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options, bool tracked)
    {
        nint address = _specialPool.Allocate(poolType, numberOfBytes, tag, options, tracked, out bool overQuota);
        if (address == 0 && !overQuota && CouldFit(poolType, numberOfBytes) && ReclaimCachedMemory(cache, PoolTypes.IsPaged(poolType)))
        {
            address = _specialPool.Allocate(poolType, numberOfBytes, tag, options, tracked, out overQuota);
        }

        if (address == 0)
        {
            return Fail(poolType, options, overQuota ? NTSTATUS.STATUS_QUOTA_EXCEEDED : NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
        }

        if (tracked)
        {
            _verifier!.Track(new PoolAllocationRecord(address, tag, poolType, numberOfBytes));
        }

        cache.Tags.Allocated(TagCounters.KeyOf(tag.Value, PoolTypes.IsPaged(poolType)), (long)numberOfBytes);
        return address;
    }

    /// <summary>A request no larger than the whole pool: worth reclaiming cached memory for.</summary>
    private bool CouldFit(POOL_TYPE poolType, nuint numberOfBytes)
        => (ulong)numberOfBytes <= (ulong)(PoolTypes.IsPaged(poolType) ? Paged : NonPaged).Size;

    private static nint Fail(POOL_TYPE poolType, AllocationOptions options, NTSTATUS status, nuint numberOfBytes, PoolTag tag)
    {
        if ((options & AllocationOptions.RaiseOnFailure) == 0)
        {
            return 0;
        }

        string pool = PoolTypes.IsPaged(poolType) ? "paged" : "nonpaged";
        string why = status == NTSTATUS.STATUS_QUOTA_EXCEEDED
            ? $"the current process's {pool} pool quota cannot cover {numberOfBytes} bytes tagged '{tag}'"
            : $"{pool} pool cannot satisfy {numberOfBytes} bytes tagged '{tag}' ({poolType})";
        throw BugCheck.Status(status, why);
    }

    /// <summary>ExAllocatePool2/3's answer to a refused tag: NULL, or STATUS_INSUFFICIENT_RESOURCES raised with POOL_FLAG_RAISE_ON_FAILURE.</summary>
    private static nint FailBadTag(AllocationOptions options, uint problem, PoolTag tag, nuint numberOfBytes)
        => (options & AllocationOptions.RaiseOnFailure) == 0
            ? 0
            : throw BugCheck.Status(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, $"allocation of {numberOfBytes} bytes refused: {PoolBugChecks.DescribeBadTag(problem, tag)}");
}
