using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Turns the request of ExAllocatePool2/3 into what the older routines say with a <see cref="POOL_TYPE"/>:
/// the pool type the flags name and the <see cref="AllocationOptions"/> the flags and priority add.
/// </summary>
internal static class PoolFlagTranslation
{
    private const ulong PoolTypeFlags = (ulong)(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE);

    /// <summary>The required flags a driver may set. The reserved bits and every undefined required bit fail the call.</summary>
    private const ulong KnownRequired = PoolTypeFlags
        | (ulong)(POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE);

    private const ulong RequiredBits = 0xFFFF_FFFF;

    private const int CacheAlignedBit = 4;
    private const int SessionBit = 32;

    /// <summary>
    /// The pool type and options of a valid request; false (with the failure mode still in
    /// <paramref name="options"/>) when the required flags are unknown, reserved, or name no single pool.
    /// Unknown optional flags (the high 32 bits) are ignored.
    /// </summary>
    public static bool TryTranslate(POOL_FLAGS flags, out POOL_TYPE poolType, out AllocationOptions options)
    {
        ulong bits = (ulong)flags;

        // Known whatever else is wrong: it decides how a refused request fails.
        options = (bits & (ulong)POOL_FLAG_RAISE_ON_FAILURE) != 0 ? AllocationOptions.RaiseOnFailure : AllocationOptions.None;
        switch (bits & PoolTypeFlags)
        {
            case (ulong)POOL_FLAG_PAGED:
                poolType = POOL_TYPE.PagedPool;
                break;
            case (ulong)POOL_FLAG_NON_PAGED:
                poolType = POOL_TYPE.NonPagedPoolNx;
                break;
            case (ulong)POOL_FLAG_NON_PAGED_EXECUTE:
                poolType = POOL_TYPE.NonPagedPool;
                break;
            default:
                poolType = default;
                return false;
        }

        if ((bits & RequiredBits & ~KnownRequired) != 0)
        {
            return false;
        }

        if ((bits & (ulong)POOL_FLAG_CACHE_ALIGNED) != 0)
        {
            poolType |= (POOL_TYPE)CacheAlignedBit;
        }

        if ((bits & (ulong)POOL_FLAG_SESSION) != 0)
        {
            poolType |= (POOL_TYPE)SessionBit;
        }

        options |= AllocationOptions.FailOnBadTag;
        if ((bits & (ulong)POOL_FLAG_UNINITIALIZED) == 0)
        {
            options |= AllocationOptions.Zero;
        }

        if ((bits & (ulong)POOL_FLAG_USE_QUOTA) != 0)
        {
            options |= AllocationOptions.ChargeQuota;
        }

        if ((bits & (ulong)POOL_FLAG_SPECIAL_POOL) != 0)
        {
            options |= AllocationOptions.SpecialPool;
        }

        return true;
    }

    /// <summary>Why <see cref="TryTranslate(POOL_FLAGS, out POOL_TYPE, out AllocationOptions)"/> refused <paramref name="flags"/>, for the raised status's message.</summary>
    public static string DescribeInvalid(POOL_FLAGS flags)
    {
        ulong bits = (ulong)flags;
        ulong pools = bits & PoolTypeFlags;
        if (pools == 0)
        {
            // The shipped bug: a POOL_TYPE passed as POOL_FLAGS (NonPagedPoolNx = 512 = POOL_FLAG_RESERVED2).
            // (Ignoring the raise flag, which a caller may have added to make the failure visible.)
            ulong typeLike = bits & ~(ulong)POOL_FLAG_RAISE_ON_FAILURE;
            string hint = typeLike <= 0x3FF ? $"; 0x{typeLike:X} reads like the POOL_TYPE {(POOL_TYPE)typeLike}, which is not a POOL_FLAGS value" : string.Empty;
            return $"POOL_FLAGS 0x{bits:X} set none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE{hint}";
        }

        if ((pools & (pools - 1)) != 0)
        {
            return $"POOL_FLAGS 0x{bits:X} set more than one of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE";
        }

        return $"POOL_FLAGS 0x{bits:X} set required bits 0x{bits & RequiredBits & ~KnownRequired:X} that are reserved or undefined";
    }

    /// <summary>
    /// The options an <see cref="EX_POOL_PRIORITY"/> adds: the low/normal refusal rule and the special-pool
    /// layout. False for a value the enumeration does not define.
    /// </summary>
    public static bool TryTranslate(EX_POOL_PRIORITY priority, out AllocationOptions options)
    {
        const int SpecialPoolBit = 8;
        const int UnderrunBit = 1;
        int value = (int)priority;
        switch (value & ~(SpecialPoolBit | UnderrunBit))
        {
            case (int)EX_POOL_PRIORITY.LowPoolPriority:
                options = AllocationOptions.LowPriority;
                break;
            case (int)EX_POOL_PRIORITY.NormalPoolPriority:
                options = AllocationOptions.NormalPriority;
                break;
            case (int)EX_POOL_PRIORITY.HighPoolPriority:
                options = AllocationOptions.None;
                break;
            default:
                options = AllocationOptions.None;
                return false;
        }

        // The underrun bit means something only with the special-pool bit (9, 25, 41).
        if ((value & (SpecialPoolBit | UnderrunBit)) == UnderrunBit)
        {
            options = AllocationOptions.None;
            return false;
        }

        if ((value & SpecialPoolBit) != 0)
        {
            options |= AllocationOptions.SpecialPool;
        }

        if ((value & UnderrunBit) != 0)
        {
            options |= AllocationOptions.SpecialPoolUnderrun;
        }

        return true;
    }
}
