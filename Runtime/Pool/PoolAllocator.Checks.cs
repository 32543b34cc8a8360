using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

// The bug checks of the pool routines. Each builds the exception the kernel's KeBugCheckEx call
// would raise, with the documented parameters; callers throw it so the hot path stays small.
internal sealed partial class PoolAllocator
{
    private const uint FreedAlready = 0x07;
    private const uint IrqlTooHighAllocate = 0x08;
    private const uint IrqlTooHighFree = 0x09;
    private const uint TagMismatch = 0x0A;
    private const uint NeverInAnyPool = 0x42;
    private const uint InvalidPoolAddress = 0x46;
    private const uint MustSucceedRequest = 0x9A;
    private const uint ZeroTag = 0x9B;
    private const uint BigTag = 0x9C;
    private const uint TagWithoutLetterOrDigit = 0x9D;

    /// <summary>0 for a tag allocations may use, else the BAD_POOL_CALLER subcode that refuses it (0x9B, 0x9C or 0x9D).</summary>
    private static uint TagProblem(PoolTag tag)
    {
        uint bare = tag.Value & ~PoolTag.PROTECTED_POOL;
        return bare == 0 ? ZeroTag
            : bare == s_bigTag ? BigTag
            : !tag.HasLetterOrDigit ? TagWithoutLetterOrDigit
            : 0;
    }

    /// <summary>The bug check the older routines raise for a tag <see cref="TagProblem"/> refused.</summary>
    private static BugCheckException BadTag(uint problem, PoolTag tag, POOL_TYPE poolType, nuint numberOfBytes) => problem switch
    {
        ZeroTag => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, ZeroTag, (ulong)poolType, numberOfBytes, 0,
            $"allocation of {numberOfBytes} bytes ({poolType}) with tag 0; every allocation needs a tag"),
        BigTag => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, BigTag, (ulong)poolType, numberOfBytes, 0,
            $"allocation of {numberOfBytes} bytes ({poolType}) with tag 'BIG ', which the big-page tracker reserves"),
        _ => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, TagWithoutLetterOrDigit, tag.Value, (ulong)poolType, 0,
            $"allocation with tag '{tag}' (0x{tag.Value:X8}), which has no letter or digit"),
    };

    /// <summary>ExAllocatePool2/3's answer to a refused tag: NULL, or STATUS_INSUFFICIENT_RESOURCES raised with POOL_FLAG_RAISE_ON_FAILURE.</summary>
    private static nint FailBadTag(AllocationOptions options, uint problem, PoolTag tag, nuint numberOfBytes)
    {
        if ((options & AllocationOptions.RaiseOnFailure) == 0)
        {
            return 0;
        }

        string why = problem switch
        {
            ZeroTag => "tag 0; every allocation needs a tag",
            BigTag => "tag 'BIG ', which the big-page tracker reserves",
            _ => $"tag '{tag}' (0x{tag.Value:X8}), which has no letter or digit",
        };
        throw BugCheck.Status(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, $"allocation of {numberOfBytes} bytes refused: {why}");
    }

    private static BugCheckException MustSucceed(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, MustSucceedRequest, (ulong)poolType, numberOfBytes, tag.Value,
            $"{poolType} requested ({numberOfBytes} bytes, tag '{tag}'); must-succeed pool no longer exists, use NonPagedPoolNx and handle NULL");

    // With any verifier switch on the machine runs verified: like Driver Verifier's pool thunks, it
    // reports IRQL and free violations as DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) subcodes, with
    // the documented parameters, before the kernel's own BAD_POOL_CALLER check would fire.
    private const uint VerifierPagedAllocateIrql = 0x01;
    private const uint VerifierNonPagedAllocateIrql = 0x02;
    private const uint VerifierBadAddress = 0x10;
    private const uint VerifierPagedFreeIrql = 0x11;
    private const uint VerifierNonPagedFreeIrql = 0x12;
    private const uint VerifierDoubleFree = 0x13;

    private BugCheckException IrqlTooHighToAllocate(KIRQL irql, POOL_TYPE poolType, nuint numberOfBytes)
    {
        string why = $"allocation of {numberOfBytes} bytes of {poolType} at {Ke.Describe(irql)}; {Pool(poolType)} pool requires IRQL <= {Ke.Describe(PoolTypes.MaxIrql(poolType))}";
        return _verifierOn
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, PoolTypes.IsPaged(poolType) ? VerifierPagedAllocateIrql : VerifierNonPagedAllocateIrql, (ulong)irql, (ulong)poolType, numberOfBytes, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, IrqlTooHighAllocate, (ulong)irql, (ulong)poolType, numberOfBytes, why);
    }

    private BugCheckException IrqlTooHighToFree(KIRQL irql, POOL_TYPE poolType, nint address)
    {
        string why = $"free of {poolType} block 0x{(ulong)address:X} at {Ke.Describe(irql)}; {Pool(poolType)} pool requires IRQL <= {Ke.Describe(PoolTypes.MaxIrql(poolType))}";
        return _verifierOn
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, PoolTypes.IsPaged(poolType) ? VerifierPagedFreeIrql : VerifierNonPagedFreeIrql, (ulong)irql, (ulong)poolType, (ulong)address, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, IrqlTooHighFree, (ulong)irql, (ulong)poolType, (ulong)address, why);
    }

    /// <summary>A second free. <paramref name="header"/> is the block's pool header (the block itself for a big-page block, which has none).</summary>
    private BugCheckException DoubleFree(nint address, nint header, ulong headerContents)
    {
        string why = $"block 0x{(ulong)address:X} freed twice";
        return _verifierOn
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierDoubleFree, 0, (ulong)header, headerContents, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, FreedAlready, 0, headerContents, (ulong)address, why);
    }

    private BugCheckException NeverAllocated(nint address)
    {
        string why = $"free of 0x{(ulong)address:X}, an address that was never in any pool";
        return _verifierOn
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierBadAddress, (ulong)address, 0, 0, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, NeverInAnyPool, (ulong)address, 0, 0, why);
    }

    private BugCheckException InvalidAddress(nint address)
    {
        string why = $"free of 0x{(ulong)address:X}, which is inside pool memory but not an address an allocation returned";
        return _verifierOn
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierBadAddress, (ulong)address, 0, 0, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, InvalidPoolAddress, (ulong)address, 0, 0, why);
    }

    /// <summary>Tag 0 skips the comparison unless the block's tag is protected, which demands its own tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckFreeTag(nint address, uint allocatedTag, PoolTag tag)
    {
        if (tag.Value == 0 && (allocatedTag & PoolTag.PROTECTED_POOL) == 0)
        {
            return;
        }

        if (((tag.Value ^ allocatedTag) & ~PoolTag.PROTECTED_POOL) != 0)
        {
            throw TagMismatchOnFree(address, allocatedTag, tag);
        }
    }

    private static BugCheckException TagMismatchOnFree(nint address, uint allocatedTag, PoolTag tag)
    {
        PoolTag allocated = new(allocatedTag);
        string explanation = tag.Value == 0
            ? $"freed without a tag, allocated with the protected tag '{allocated}'; free it with ExFreePoolWithTag and that tag"
            : $"freed with tag '{tag}', allocated with '{allocated}'";
        return BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, TagMismatch, (ulong)address, allocatedTag, tag.Value, explanation);
    }

    private static string Pool(POOL_TYPE poolType) => PoolTypes.IsPaged(poolType) ? "paged" : "nonpaged";

    private nuint ZeroSizeRequest(KIRQL irql, POOL_TYPE poolType)
    {
        if (_verifier?.Options.FlagZeroSizeRequests == true)
        {
            throw BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, (ulong)irql, (ulong)poolType, 0,
                $"zero-byte pool allocation ({poolType})");
        }

        // The kernel treats a zero-byte request as one byte.
        return 1;
    }
}
