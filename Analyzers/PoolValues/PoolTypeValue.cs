using System.Collections.Generic;
using System.Globalization;

namespace PoolAnalyzers;

/// <summary>
/// <c>POOL_TYPE</c> values as the kernel decodes them (KERNEL-FACTS §1): bit tests, never enum
/// equality, and the WDK names that write a value, for messages and fixes.
/// <c>PoolValueContractTests</c> checks every name and value here against the runtime's enum.
/// </summary>
internal static class PoolTypeValue
{
    public const long Paged = 1;
    public const long MustSucceed = 2;
    public const long CacheAligned = 4;
    public const long QuotaFailInsteadOfRaise = 8;
    public const long RaiseIfAllocationFailure = 16;
    public const long Session = 32;
    public const long ColdAllocation = 256;
    public const long NoExecute = 512;

    /// <summary>The bits that make up a base type (paged, must succeed, cache aligned, session); the rest are modifiers.</summary>
    public const long BaseTypeMask = Paged | MustSucceed | CacheAligned | Session;

    /// <summary>Every bit a <c>POOL_TYPE</c> can carry; any other bit means the value is not a pool type.</summary>
    public const long KnownBits = BaseTypeMask | QuotaFailInsteadOfRaise | RaiseIfAllocationFailure | ColdAllocation | NoExecute;

    /// <summary>The modifier members, in the order a fix writes them.</summary>
    public static IReadOnlyList<(long Value, string Name)> Modifiers { get; } =
    [
        (QuotaFailInsteadOfRaise, "POOL_QUOTA_FAIL_INSTEAD_OF_RAISE"),
        (RaiseIfAllocationFailure, "POOL_RAISE_IF_ALLOCATION_FAILURE"),
        (ColdAllocation, "POOL_COLD_ALLOCATION"),
        (NoExecute, "POOL_NX_ALLOCATION"),
    ];

    /// <summary>True when every bit of <paramref name="value"/> means something in a <c>POOL_TYPE</c>.</summary>
    public static bool IsKnown(long value) => value >= 0 && (value & ~KnownBits) == 0;

    /// <summary>
    /// Executable nonpaged pool: a known type without the paged, must-succeed and NX bits
    /// (<c>NonPagedPool</c>, <c>NonPagedPoolCacheAligned</c>, the nonpaged session types, with any of the
    /// other modifiers). Must-succeed types are left to the runtime, which bug-checks on them.
    /// </summary>
    public static bool IsExecutableNonPaged(long value) => IsKnown(value) && (value & (Paged | MustSucceed | NoExecute)) == 0;

    /// <summary>The first-declared member of a base type (aliases such as <c>NonPagedPoolExecute</c> share its value).</summary>
    public static string? BaseName(long baseType) => baseType switch
    {
        0 => "NonPagedPool",
        1 => "PagedPool",
        2 => "NonPagedPoolMustSucceed",
        3 => "DontUseThisType",
        4 => "NonPagedPoolCacheAligned",
        5 => "PagedPoolCacheAligned",
        6 => "NonPagedPoolCacheAlignedMustS",
        7 => "MaxPoolType",
        32 => "NonPagedPoolSession",
        33 => "PagedPoolSession",
        34 => "NonPagedPoolMustSucceedSession",
        35 => "DontUseThisTypeSession",
        36 => "NonPagedPoolCacheAlignedSession",
        37 => "PagedPoolCacheAlignedSession",
        38 => "NonPagedPoolCacheAlignedMustSSession",
        _ => null,
    };

    /// <summary>The member that names a nonpaged base type with the NX bit, where the WDK has one.</summary>
    public static string? NoExecuteName(long baseType) => baseType switch
    {
        0 => "NonPagedPoolNx",
        CacheAligned => "NonPagedPoolNxCacheAligned",
        Session => "NonPagedPoolSessionNx",
        _ => null,
    };

    /// <summary>
    /// The members that write <paramref name="value"/>, base type first: <c>512</c> → NonPagedPoolNx,
    /// <c>0x111</c> → PagedPool, POOL_RAISE_IF_ALLOCATION_FAILURE, POOL_COLD_ALLOCATION. Null when a bit has no member.
    /// </summary>
    public static List<string>? Names(long value)
    {
        if (!IsKnown(value))
        {
            return null;
        }

        long baseType = value & BaseTypeMask;
        long modifiers = value & ~BaseTypeMask;
        var names = new List<string>(4);
        if ((modifiers & NoExecute) != 0 && NoExecuteName(baseType) is { } noExecute)
        {
            names.Add(noExecute);
            modifiers &= ~NoExecute;
        }
        else
        {
            names.Add(BaseName(baseType)!);
        }

        foreach ((long bit, string name) in Modifiers)
        {
            if ((modifiers & bit) != 0)
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The value as code writes it (<c>PagedPool | POOL_COLD_ALLOCATION</c>), or in hex when a bit has no member.</summary>
    public static string Display(long value)
        => Names(value) is { } names ? string.Join(" | ", names) : "0x" + value.ToString("X", CultureInfo.InvariantCulture);
}
