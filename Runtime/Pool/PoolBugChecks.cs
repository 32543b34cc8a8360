using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Every bug check the pool raises, with the documented parameters. Each method builds the exception
/// the kernel's KeBugCheckEx call would raise (or checks and throws it); callers throw it, so the hot
/// paths stay small.
/// </summary>
/// <remarks>
/// With any verifier switch on the machine runs verified: like Driver Verifier's pool thunks, it
/// reports IRQL and free violations as DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) subcodes before the
/// kernel's own BAD_POOL_CALLER (0xC2) check would fire (the <c>verified</c> parameters). Tag checks
/// and corruption stay 0xC2 and 0x19 either way.
/// </remarks>
internal static class PoolBugChecks
{
    // BAD_POOL_CALLER (0xC2) subcodes.
    private const uint CorruptPoolHeader = 0x01;
    private const uint FreedAlready = 0x07;
    private const uint IrqlTooHighAllocate = 0x08;
    private const uint IrqlTooHighFree = 0x09;
    private const uint TagMismatch = 0x0A;
    private const uint BadQuotaProcess = 0x0D;
    private const uint NeverInAnyPool = 0x42;
    private const uint InvalidPoolAddress = 0x46;
    private const uint MustSucceedRequest = 0x9A;
    public const uint ZeroTag = 0x9B;
    public const uint BigTag = 0x9C;
    public const uint TagWithoutLetterOrDigit = 0x9D;

    // BAD_POOL_HEADER (0x19) subcodes.
    private const uint FreeListEntryCorrupt = 0x3;
    private const uint AdjacentHeadersContradict = 0x5;
    private const uint BlockSizeCorrupt = 0x7;
    private const uint FreedHeaderChanged = 0xD;

    // DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) subcodes.
    private const uint VerifierZeroSize = 0x00;
    private const uint VerifierPagedAllocateIrql = 0x01;
    private const uint VerifierNonPagedAllocateIrql = 0x02;
    private const uint VerifierBadAddress = 0x10;
    private const uint VerifierPagedFreeIrql = 0x11;
    private const uint VerifierNonPagedFreeIrql = 0x12;
    private const uint VerifierDoubleFree = 0x13;

    // SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION (0xC1) subcodes (Parameter 4).
    private const uint BytesBeforeBlockCorrupted = 0x23;
    private const uint BytesAfterBlockCorrupted = 0x24;

    private static readonly uint s_bigTag = PoolTag.FromString("BIG ").Value;

    /// <summary>0 for a tag allocations may use, else the BAD_POOL_CALLER subcode that refuses it (0x9B, 0x9C or 0x9D).</summary>
    public static uint TagProblem(PoolTag tag)
    {
        uint bare = tag.Value & ~PoolTag.PROTECTED_POOL;
        return bare == 0 ? ZeroTag
            : bare == s_bigTag ? BigTag
            : !tag.HasLetterOrDigit ? TagWithoutLetterOrDigit
            : 0;
    }

    /// <summary>The bug check the older routines raise for a tag <see cref="TagProblem"/> refused.</summary>
    public static BugCheckException BadTag(uint problem, PoolTag tag, POOL_TYPE poolType, nuint numberOfBytes) => problem switch
    {
        ZeroTag => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, ZeroTag, (ulong)poolType, numberOfBytes, 0,
            $"allocation of {numberOfBytes} bytes ({poolType}) with tag 0; every allocation needs a tag"),
        BigTag => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, BigTag, (ulong)poolType, numberOfBytes, 0,
            $"allocation of {numberOfBytes} bytes ({poolType}) with tag 'BIG ', which the big-page tracker reserves"),
        _ => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, TagWithoutLetterOrDigit, tag.Value, (ulong)poolType, 0,
            $"allocation with tag '{tag}' (0x{tag.Value:X8}), which has no letter or digit"),
    };

    /// <summary>Why ExAllocatePool2/3 refuse a tag, for the status they raise with POOL_FLAG_RAISE_ON_FAILURE.</summary>
    public static string DescribeBadTag(uint problem, PoolTag tag) => problem switch
    {
        ZeroTag => "tag 0; every allocation needs a tag",
        BigTag => "tag 'BIG ', which the big-page tracker reserves",
        _ => $"tag '{tag}' (0x{tag.Value:X8}), which has no letter or digit",
    };

    public static BugCheckException MustSucceed(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, MustSucceedRequest, (ulong)poolType, numberOfBytes, tag.Value,
            $"{poolType} requested ({numberOfBytes} bytes, tag '{tag}'); must-succeed pool no longer exists, use NonPagedPoolNx and handle NULL");

    public static BugCheckException ZeroSizeRequest(KIRQL irql, POOL_TYPE poolType)
        => BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierZeroSize, (ulong)irql, (ulong)poolType, 0,
            $"zero-byte pool allocation ({poolType})");

    public static BugCheckException IrqlTooHighToAllocate(bool verified, KIRQL irql, POOL_TYPE poolType, nuint numberOfBytes)
    {
        string why = $"allocation of {numberOfBytes} bytes of {poolType} at {Ke.Describe(irql)}; {Pool(poolType)} pool requires IRQL <= {Ke.Describe(PoolTypes.MaxIrql(poolType))}";
        return verified
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, PoolTypes.IsPaged(poolType) ? VerifierPagedAllocateIrql : VerifierNonPagedAllocateIrql, (ulong)irql, (ulong)poolType, numberOfBytes, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, IrqlTooHighAllocate, (ulong)irql, (ulong)poolType, numberOfBytes, why);
    }

    /// <summary>Throws when <paramref name="irql"/> is too high to free a block of <paramref name="poolType"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckFreeIrql(bool verified, KIRQL irql, POOL_TYPE poolType, nint address)
    {
        if (irql > PoolTypes.MaxIrql(poolType))
        {
            throw IrqlTooHighToFree(verified, irql, poolType, address);
        }
    }

    /// <summary>Tag 0 skips the comparison unless the block's tag is protected, which demands its own tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckFreeTag(nint address, uint allocatedTag, PoolTag tag)
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

    /// <summary>A second free. <paramref name="header"/> is the block's pool header (the block itself for a page-granular block, which has none).</summary>
    public static BugCheckException DoubleFree(bool verified, nint address, nint header, ulong headerContents)
    {
        string why = $"block 0x{(ulong)address:X} freed twice";
        return verified
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierDoubleFree, 0, (ulong)header, headerContents, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, FreedAlready, 0, headerContents, (ulong)address, why);
    }

    public static BugCheckException NeverAllocated(bool verified, nint address)
    {
        string why = $"free of 0x{(ulong)address:X}, an address that was never in any pool";
        return verified
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierBadAddress, (ulong)address, 0, 0, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, NeverInAnyPool, (ulong)address, 0, 0, why);
    }

    /// <summary>A free of an address inside pool memory that no allocation returned; <paramref name="inside"/> names the live block it points into, when there is one.</summary>
    public static BugCheckException InvalidAddress(bool verified, nint address, string? inside)
    {
        string why = inside is null
            ? $"free of 0x{(ulong)address:X}, which is inside pool memory but not an address an allocation returned"
            : $"free of 0x{(ulong)address:X}, which is {inside}, not an address an allocation returned";
        return verified
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierBadAddress, (ulong)address, 0, 0, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, InvalidPoolAddress, (ulong)address, 0, 0, why);
    }

    /// <summary>BAD_POOL_CALLER 0x01: a freed block's header holds no valid allocated state, size or tag (P2 the header, P3 its first 8 bytes).</summary>
    public static unsafe BugCheckException CorruptHeader(PoolHeader* header)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, CorruptPoolHeader, (ulong)header, header->Packed, 0,
            $"the pool header at 0x{(ulong)header:X} of the block being freed was overwritten (it reads 0x{header->Packed:X16}, requested size {header->RequestedBytes}); the block is not freed");

    /// <summary>BAD_POOL_CALLER 0x0D: the quota owner in a block's header names no process that paid for it (P2 the block, P3 its tag, P4 the value found).</summary>
    public static BugCheckException BadQuotaOwner(nint address, uint tag, uint owner)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, BadQuotaProcess, (ulong)address, tag, owner,
            $"the quota owner in the header of block 0x{(ulong)address:X} tagged '{new PoolTag(tag)}' was overwritten (0x{owner:X8} names no process that paid for it); no quota is returned and the block is not freed");

    /// <summary>BAD_POOL_HEADER 0x3: a free block's list entry was overwritten (P2 the entry, P3/P4 its read-back Flink and Blink; a healthy entry reads back itself).</summary>
    public static BugCheckException FreeListCorrupt(nint entry, nint flink, nint blink)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_HEADER, FreeListEntryCorrupt, (ulong)entry, (ulong)flink, (ulong)blink,
            $"the free list entry of block 0x{(ulong)entry:X} reads back Flink 0x{(ulong)flink:X} and Blink 0x{(ulong)blink:X} instead of itself: the block was written after it was freed; it is taken out of the pool, not handed out");

    /// <summary>BAD_POOL_HEADER 0xD: a free block's header changed after the free (P2 the header, P3 its contents, P4 what a free header of its class holds).</summary>
    public static BugCheckException FreedHeaderModified(nint header, ulong contents, uint expected)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_HEADER, FreedHeaderChanged, (ulong)header, contents, expected,
            $"the pool header at 0x{(ulong)header:X} of a free block was modified after the free (it reads 0x{contents:X16}); usually the block before it was overrun. The block is taken out of the pool, not handed out");

    /// <summary>BAD_POOL_HEADER 0x7: a header's block size is not its page's (P4 the header).</summary>
    public static BugCheckException HeaderSizeCorrupt(nint header, int found, int expected)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_HEADER, BlockSizeCorrupt, 0, (ulong)found, (ulong)header,
            $"the pool header at 0x{(ulong)header:X} gives a block size of {found} units, but its page holds blocks of {expected} units; the block is not freed");

    /// <summary>BAD_POOL_HEADER 0x5: the next header in the page disagrees on the block size (P2 this header, P4 the next).</summary>
    public static BugCheckException NeighbourContradicts(nint header, nint next, int expected, int found)
        => BugCheck.Raise(BugCheckNames.BAD_POOL_HEADER, AdjacentHeadersContradict, (ulong)header, (ulong)found, (ulong)next,
            $"the pool header at 0x{(ulong)next:X}, next to the block being freed (0x{(ulong)header:X}), gives a block size of {found} units where its page holds {expected}: the block being freed was probably overrun; it is not freed");

    /// <summary>PAGE_FAULT_IN_FREED_SPECIAL_POOL (0xCC): a freed special-pool block was written (P1 the address, P2 1: a write).</summary>
    public static BugCheckException FreedSpecialPoolTouched(nint written, nint block, nuint bytes, PoolTag tag)
        => BugCheck.Raise(BugCheckNames.PAGE_FAULT_IN_FREED_SPECIAL_POOL, (ulong)written, 1, 0, 0,
            $"write to 0x{(ulong)written:X}, {(long)(written - block)} bytes into the freed {bytes}-byte special-pool block 0x{(ulong)block:X} tagged '{tag}'");

    /// <summary>PAGE_FAULT_BEYOND_END_OF_ALLOCATION (0xCD): a special-pool guard page was written (P1 the address, P2 1).</summary>
    public static BugCheckException GuardPageTouched(nint written, string where, nuint bytes, nint block, PoolTag tag)
        => BugCheck.Raise(BugCheckNames.PAGE_FAULT_BEYOND_END_OF_ALLOCATION, (ulong)written, 1, 0, 0,
            $"write to 0x{(ulong)written:X}, {where} of the {bytes}-byte block 0x{(ulong)block:X} tagged '{tag}'");

    /// <summary>SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0xC1/0x24: bytes after a special-pool block, in its last page, were written.</summary>
    public static BugCheckException SlackAfterBlockCorrupted(nint block, nint corrupted, nuint bytes, PoolTag tag)
        => BugCheck.Raise(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ulong)block, (ulong)corrupted, 0, BytesAfterBlockCorrupted,
            $"block 0x{(ulong)block:X} tagged '{tag}' freed with bytes after its end ({bytes} bytes) overwritten at 0x{(ulong)corrupted:X}");

    /// <summary>SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION 0xC1/0x23: bytes before a special-pool block in its page (its header included) were written.</summary>
    public static BugCheckException BytesBeforeBlockCorruptedAt(nint block, nint corrupted, bool inHeader, PoolTag tag)
        => BugCheck.Raise(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ulong)block, (ulong)corrupted, 0, BytesBeforeBlockCorrupted,
            $"block 0x{(ulong)block:X} tagged '{tag}' freed with bytes before it {(inHeader ? "(its pool header)" : "in its page")} overwritten at 0x{(ulong)corrupted:X}");

    private static BugCheckException IrqlTooHighToFree(bool verified, KIRQL irql, POOL_TYPE poolType, nint address)
    {
        string why = $"free of {poolType} block 0x{(ulong)address:X} at {Ke.Describe(irql)}; {Pool(poolType)} pool requires IRQL <= {Ke.Describe(PoolTypes.MaxIrql(poolType))}";
        return verified
            ? BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, PoolTypes.IsPaged(poolType) ? VerifierPagedFreeIrql : VerifierNonPagedFreeIrql, (ulong)irql, (ulong)poolType, (ulong)address, why)
            : BugCheck.Raise(BugCheckNames.BAD_POOL_CALLER, IrqlTooHighFree, (ulong)irql, (ulong)poolType, (ulong)address, why);
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
}
