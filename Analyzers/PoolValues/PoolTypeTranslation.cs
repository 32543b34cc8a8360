namespace PoolAnalyzers;

/// <summary>Why a <c>POOL_TYPE</c> has no exact <c>POOL_FLAGS</c> translation.</summary>
internal enum TranslationProblem
{
    None,

    /// <summary>A must-succeed type: the modern API has no such pool (and the kernel bug-checks on the old one).</summary>
    MustSucceed,

    /// <summary>A bit that means nothing in a <c>POOL_TYPE</c>.</summary>
    UnknownBits,

    /// <summary>A quota routine given both POOL_QUOTA_FAIL_INSTEAD_OF_RAISE and POOL_RAISE_IF_ALLOCATION_FAILURE, which contradict each other.</summary>
    ContradictoryFailureModes,
}

/// <summary>
/// The exact <c>POOL_TYPE</c> → <c>POOL_FLAGS</c> translation of KERNEL-FACTS §9, the one every
/// migration fix writes and every message names: paged → PAGED; nonpaged with the NX bit → NON_PAGED;
/// nonpaged without it → NON_PAGED_EXECUTE (the meaning is kept, POOL006 then asks for NX);
/// cache aligned → CACHE_ALIGNED; session → SESSION; POOL_RAISE_IF_ALLOCATION_FAILURE →
/// RAISE_ON_FAILURE; POOL_COLD_ALLOCATION dropped (advisory). The quota routines add USE_QUOTA and,
/// because they raise by default, RAISE_ON_FAILURE unless POOL_QUOTA_FAIL_INSTEAD_OF_RAISE was set;
/// the other routines ignore that bit, so it is dropped there.
/// </summary>
internal static class PoolTypeTranslation
{
    /// <summary>The flags that mean what <paramref name="poolType"/> means to a routine that charges quota or not.</summary>
    public static TranslationProblem Translate(long poolType, bool quota, out ulong flags)
    {
        flags = 0;
        if (!PoolTypeValue.IsKnown(poolType))
        {
            return TranslationProblem.UnknownBits;
        }

        if ((poolType & PoolTypeValue.MustSucceed) != 0)
        {
            return TranslationProblem.MustSucceed;
        }

        bool failInsteadOfRaise = (poolType & PoolTypeValue.QuotaFailInsteadOfRaise) != 0;
        bool raise = (poolType & PoolTypeValue.RaiseIfAllocationFailure) != 0;
        if (quota && failInsteadOfRaise && raise)
        {
            return TranslationProblem.ContradictoryFailureModes;
        }

        flags = (poolType & PoolTypeValue.Paged) != 0 ? PoolFlagsValue.Paged
            : (poolType & PoolTypeValue.NoExecute) != 0 ? PoolFlagsValue.NonPaged
            : PoolFlagsValue.NonPagedExecute;
        if ((poolType & PoolTypeValue.CacheAligned) != 0)
        {
            flags |= PoolFlagsValue.CacheAligned;
        }

        if ((poolType & PoolTypeValue.Session) != 0)
        {
            flags |= PoolFlagsValue.Session;
        }

        if (quota)
        {
            flags |= PoolFlagsValue.UseQuota;
        }

        if (raise || (quota && !failInsteadOfRaise))
        {
            flags |= PoolFlagsValue.RaiseOnFailure;
        }

        return TranslationProblem.None;
    }

    /// <summary>
    /// The pool type that names the pool <paramref name="flags"/> name, for messages: valid flags with at
    /// most cache alignment, session and raise-on-failure besides the pool (zeroing and optional flags
    /// are ignored); null when they ask for what no pool type says, such as quota.
    /// </summary>
    public static long? TranslateBack(ulong flags)
    {
        const ulong Expressible = PoolFlagsValue.PoolMask | PoolFlagsValue.CacheAligned | PoolFlagsValue.Session | PoolFlagsValue.RaiseOnFailure;
        ulong required = flags & PoolFlagsValue.RequiredMask & ~PoolFlagsValue.Uninitialized;
        if (PoolFlagsValue.Validate(flags, out _) != PoolFlagsProblem.None || (required & ~Expressible) != 0)
        {
            return null;
        }

        long poolType = (flags & PoolFlagsValue.Paged) != 0 ? PoolTypeValue.Paged
            : (flags & PoolFlagsValue.NonPaged) != 0 ? PoolTypeValue.NoExecute
            : 0;
        if ((flags & PoolFlagsValue.CacheAligned) != 0)
        {
            poolType |= PoolTypeValue.CacheAligned;
        }

        if ((flags & PoolFlagsValue.Session) != 0)
        {
            poolType |= PoolTypeValue.Session;
        }

        if ((flags & PoolFlagsValue.RaiseOnFailure) != 0)
        {
            poolType |= PoolTypeValue.RaiseIfAllocationFailure;
        }

        return poolType;
    }

    /// <summary>Why there is no translation, for a message.</summary>
    public static string Describe(TranslationProblem problem) => problem switch
    {
        TranslationProblem.MustSucceed => "must-succeed pool has no POOL_FLAGS counterpart (the kernel bug-checks on it: allocate ordinary pool and handle failure)",
        TranslationProblem.UnknownBits => "the pool type has bits with no POOL_TYPE meaning, so it has no POOL_FLAGS translation",
        TranslationProblem.ContradictoryFailureModes => "the pool type sets both POOL_QUOTA_FAIL_INSTEAD_OF_RAISE and POOL_RAISE_IF_ALLOCATION_FAILURE; choose POOL_FLAG_RAISE_ON_FAILURE or not",
        _ => string.Empty,
    };
}
