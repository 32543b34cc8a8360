using System.Collections.Generic;
using System.Globalization;

namespace PoolAnalyzers;

/// <summary>What makes a constant <c>POOL_FLAGS</c> invalid (KERNEL-FACTS §9): the allocation then always fails.</summary>
internal enum PoolFlagsProblem
{
    None,

    /// <summary>None of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE.</summary>
    NoPool,

    /// <summary>More than one of them.</summary>
    SeveralPools,

    /// <summary>A required bit the WDK reserves for system use (POOL_FLAG_RESERVED1–3).</summary>
    Reserved,

    /// <summary>A required bit (the low 32) the WDK does not define.</summary>
    UndefinedRequired,
}

/// <summary>
/// <c>POOL_FLAGS</c> values (KERNEL-FACTS §9): the WDK flags, the rules a value must follow, and the
/// names that write it. The low 32 bits are required (unknown ones fail the call), the high 32
/// optional (unknown ones are ignored). <c>PoolValueContractTests</c> checks the names and values
/// against the runtime's enum.
/// </summary>
internal static class PoolFlagsValue
{
    public const ulong UseQuota = 0x1;
    public const ulong Uninitialized = 0x2;
    public const ulong Session = 0x4;
    public const ulong CacheAligned = 0x8;
    public const ulong Reserved1 = 0x10;
    public const ulong RaiseOnFailure = 0x20;
    public const ulong NonPaged = 0x40;
    public const ulong NonPagedExecute = 0x80;
    public const ulong Paged = 0x100;
    public const ulong Reserved2 = 0x200;
    public const ulong Reserved3 = 0x400;
    public const ulong SpecialPool = 0x100000000;

    /// <summary>The three flags of which exactly one names the pool.</summary>
    public const ulong PoolMask = Paged | NonPaged | NonPagedExecute;

    public const ulong RequiredMask = 0xFFFF_FFFF;

    public const ulong ReservedMask = Reserved1 | Reserved2 | Reserved3;

    /// <summary>The required flags a driver may set.</summary>
    public const ulong KnownRequired = PoolMask | UseQuota | Uninitialized | Session | CacheAligned | RaiseOnFailure;

    /// <summary>Every named flag, in the order a fix writes them: the pool first.</summary>
    public static IReadOnlyList<(ulong Value, string Name)> Members { get; } =
    [
        (Paged, "POOL_FLAG_PAGED"),
        (NonPaged, "POOL_FLAG_NON_PAGED"),
        (NonPagedExecute, "POOL_FLAG_NON_PAGED_EXECUTE"),
        (CacheAligned, "POOL_FLAG_CACHE_ALIGNED"),
        (Session, "POOL_FLAG_SESSION"),
        (UseQuota, "POOL_FLAG_USE_QUOTA"),
        (Uninitialized, "POOL_FLAG_UNINITIALIZED"),
        (RaiseOnFailure, "POOL_FLAG_RAISE_ON_FAILURE"),
        (SpecialPool, "POOL_FLAG_SPECIAL_POOL"),
        (Reserved1, "POOL_FLAG_RESERVED1"),
        (Reserved2, "POOL_FLAG_RESERVED2"),
        (Reserved3, "POOL_FLAG_RESERVED3"),
    ];

    /// <summary>Why <paramref name="flags"/> fail every allocation, with the bits at fault; <see cref="PoolFlagsProblem.None"/> for a valid value.</summary>
    public static PoolFlagsProblem Validate(ulong flags, out ulong offending)
    {
        ulong pools = flags & PoolMask;
        if (pools == 0)
        {
            offending = 0;
            return PoolFlagsProblem.NoPool;
        }

        if ((pools & (pools - 1)) != 0)
        {
            offending = pools;
            return PoolFlagsProblem.SeveralPools;
        }

        offending = flags & ReservedMask;
        if (offending != 0)
        {
            return PoolFlagsProblem.Reserved;
        }

        offending = flags & RequiredMask & ~KnownRequired;
        return offending != 0 ? PoolFlagsProblem.UndefinedRequired : PoolFlagsProblem.None;
    }

    /// <summary>True when <paramref name="flags"/> has a reserved or undefined required bit: wrong in any flags, whatever else is set.</summary>
    public static bool HasBitsNeverValid(ulong flags) => (flags & (ReservedMask | (RequiredMask & ~KnownRequired))) != 0;

    /// <summary>The member names that write <paramref name="flags"/>, pool first; null when a bit has no member.</summary>
    public static List<string>? Names(ulong flags)
    {
        var names = new List<string>(4);
        ulong rest = flags;
        foreach ((ulong bit, string name) in Members)
        {
            if ((rest & bit) != 0)
            {
                names.Add(name);
                rest &= ~bit;
            }
        }

        return rest == 0 ? names : null;
    }

    /// <summary>The value as code writes it, unnamed bits in hex (<c>POOL_FLAG_NON_PAGED | 0x800</c>); <c>0</c> for no flag.</summary>
    public static string Display(ulong flags)
    {
        if (flags == 0)
        {
            return "0";
        }

        var parts = new List<string>(4);
        ulong rest = flags;
        foreach ((ulong bit, string name) in Members)
        {
            if ((rest & bit) != 0)
            {
                parts.Add(name);
                rest &= ~bit;
            }
        }

        if (rest != 0)
        {
            parts.Add(Hex(rest));
        }

        return string.Join(" | ", parts);
    }

    /// <summary>What is wrong, for a message: "sets none of POOL_FLAG_PAGED, …".</summary>
    public static string Describe(PoolFlagsProblem problem, ulong offending) => problem switch
    {
        PoolFlagsProblem.NoPool => "names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE",
        PoolFlagsProblem.SeveralPools => "names more than one pool (" + Display(offending) + ")",
        PoolFlagsProblem.Reserved => "sets " + Display(offending) + ", reserved for system use",
        PoolFlagsProblem.UndefinedRequired => "sets the undefined required bit(s) " + Hex(offending),
        _ => "is valid",
    };

    /// <summary>What to write instead, for a message.</summary>
    public static string Remedy(PoolFlagsProblem problem) => problem switch
    {
        PoolFlagsProblem.NoPool => "add exactly one of them (POOL_FLAG_NON_PAGED for no-execute nonpaged pool)",
        PoolFlagsProblem.SeveralPools => "keep exactly one",
        PoolFlagsProblem.Reserved => "remove it",
        PoolFlagsProblem.UndefinedRequired => "remove it; only the high 32 bits may carry flags the allocator does not know",
        _ => string.Empty,
    };

    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);
}
