using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

// ExAllocatePool2/3: the flags and extended parameters become a pool type and allocation options,
// then the request takes the same paths as the older routines, IRQL and verifier checks included.
// A request its flags, parameters or tag make invalid fails (NULL, or STATUS_INSUFFICIENT_RESOURCES
// raised with POOL_FLAG_RAISE_ON_FAILURE) instead of bug-checking.
internal sealed unsafe partial class PoolAllocator
{
    /// <summary>The required flags of the common request: one pool and, optionally, no zeroing.</summary>
    private const ulong CommonRequestMask = 0xFFFF_FFFF & ~(ulong)POOL_FLAGS.POOL_FLAG_UNINITIALIZED;

    /// <summary>ExAllocatePool2 (and ExAllocatePool3 without parameters) on the calling thread's current machine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Allocate(POOL_FLAGS flags, nuint numberOfBytes, PoolTag tag)
    {
        KernelThread thread = KernelThread.Current;
        ThreadCache cache = thread.PoolCache ?? CacheOfCurrentMachine(thread);

        // The common request - exactly POOL_FLAG_NON_PAGED or POOL_FLAG_PAGED, zeroed or not, any
        // optional bits - goes straight to the fast path, which translates it with two compares.
        // Optional bits need no decoding here: the only one honoured (special pool) needs the
        // verifier, which keeps the fast path off.
        ulong required = (ulong)flags & CommonRequestMask;
        if (required is (ulong)POOL_FLAGS.POOL_FLAG_NON_PAGED or (ulong)POOL_FLAGS.POOL_FLAG_PAGED)
        {
            POOL_TYPE poolType = required == (ulong)POOL_FLAGS.POOL_FLAG_PAGED ? POOL_TYPE.PagedPool : POOL_TYPE.NonPagedPoolNx;
            if (SmallBlockHeap.TryAllocateFast(thread.Irql, cache, poolType, numberOfBytes, tag, out nint block))
            {
                if ((flags & POOL_FLAGS.POOL_FLAG_UNINITIALIZED) == 0)
                {
                    Clear(block, numberOfBytes);
                }

                return block;
            }
        }

        return cache.Pool.AllocateFlagged(thread, cache, flags, numberOfBytes, tag, null, 0);
    }

    /// <summary>ExAllocatePool3 on the calling thread's current machine.</summary>
    public static nint Allocate(POOL_FLAGS flags, nuint numberOfBytes, PoolTag tag, POOL_EXTENDED_PARAMETER[]? parameters, uint count)
    {
        if (parameters is null && count == 0)
        {
            return Allocate(flags, numberOfBytes, tag);
        }

        KernelThread thread = KernelThread.Current;
        ThreadCache cache = thread.PoolCache ?? CacheOfCurrentMachine(thread);
        return cache.Pool.AllocateFlagged(thread, cache, flags, numberOfBytes, tag, parameters, count);
    }

    private nint AllocateFlagged(KernelThread thread, ThreadCache cache, POOL_FLAGS flags, nuint numberOfBytes, PoolTag tag, POOL_EXTENDED_PARAMETER[]? parameters, uint count)
    {
        ThrowIfDisposed();
        if (!PoolFlagTranslation.TryTranslate(flags, out POOL_TYPE poolType, out AllocationOptions options))
        {
            return (options & AllocationOptions.RaiseOnFailure) == 0
                ? 0
                : throw BugCheck.Status(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, $"allocation of {numberOfBytes} bytes tagged '{tag}' refused: {PoolFlagTranslation.DescribeInvalid(flags)}");
        }

        ExtendedParameterReader.Problem problem = ExtendedParameterReader.Apply(parameters, count, poolType, ref options, out int index);
        if (problem != ExtendedParameterReader.Problem.None)
        {
            return (options & AllocationOptions.RaiseOnFailure) == 0
                ? 0
                : throw BugCheck.Status(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, $"ExAllocatePool3 of {numberOfBytes} bytes tagged '{tag}' refused: {ExtendedParameterReader.Describe(problem, parameters, count, index)}");
        }

        return AllocateWith(thread.Irql, cache, poolType, numberOfBytes, tag, options);
    }
}
