using System;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// The modern pool API (Windows 10 2004 and later): POOL_FLAGS instead of a POOL_TYPE, zeroed memory by
// default, and failures reported as NULL (or a raise) rather than bug checks.
public static partial class Ex
{
    /// <summary>
    /// Allocates <paramref name="NumberOfBytes"/> of the pool <paramref name="Flags"/> names, tagged
    /// <paramref name="Tag"/>, zeroed unless <see cref="POOL_FLAGS.POOL_FLAG_UNINITIALIZED"/>.
    /// </summary>
    /// <remarks>
    /// <para>Flags: exactly one of <see cref="POOL_FLAGS.POOL_FLAG_PAGED"/>,
    /// <see cref="POOL_FLAGS.POOL_FLAG_NON_PAGED"/> (no-execute) and
    /// <see cref="POOL_FLAGS.POOL_FLAG_NON_PAGED_EXECUTE"/>; <see cref="POOL_FLAGS.POOL_FLAG_CACHE_ALIGNED"/>
    /// aligns the block to 64 bytes; <see cref="POOL_FLAGS.POOL_FLAG_SESSION"/> takes session pool
    /// (accounted with its base pool); <see cref="POOL_FLAGS.POOL_FLAG_USE_QUOTA"/> charges sub-page
    /// blocks to the current process as <see cref="ExAllocatePoolWithQuotaTag"/> does, but over quota
    /// returns NULL like every other failure. An unknown or reserved required bit (the low 32) fails the
    /// call; unknown optional bits (the high 32) are ignored, and
    /// <see cref="POOL_FLAGS.POOL_FLAG_SPECIAL_POOL"/> takes special pool, for any tag, when Driver
    /// Verifier's special pool is on.</para>
    /// <para>Failures never bug-check: insufficient pool, tag 0, a tag <c>"BIG "</c> or without a
    /// letter or digit, and invalid flags all return NULL, or with
    /// <see cref="POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE"/> raise STATUS_QUOTA_EXCEEDED (over quota) or
    /// STATUS_INSUFFICIENT_RESOURCES (everything else). The checks run in this order: flags, IRQL, tag,
    /// size. IRQL, size and Driver Verifier rules are the older routines': ≤ DISPATCH_LEVEL, paged pool
    /// ≤ APC_LEVEL (BAD_POOL_CALLER 0xC2/0x08, or 0xC4/0x01–0x02 when verified, P3 the POOL_TYPE the
    /// flags translate to), and a zero-byte request is 0xC4/0x00 when the verifier flags them.</para>
    /// </remarks>
    /// <returns>The block, or NULL (0).</returns>
    /// <exception cref="BugCheckException">Too high an IRQL, or a zero-byte request under the verifier.</exception>
    /// <exception cref="NtStatusException">A failure with <see cref="POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePool2(POOL_FLAGS Flags, nuint NumberOfBytes, PoolTag Tag)
        => PoolAllocator.Allocate(Flags, NumberOfBytes, Tag);

    /// <summary>
    /// <see cref="ExAllocatePool2"/> with extended parameters: a <see cref="POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority"/>
    /// parameter gives the request the <see cref="EX_POOL_PRIORITY"/> rules of <see cref="ExAllocatePoolWithTagPriority"/>.
    /// </summary>
    /// <remarks>
    /// <para>A malformed parameter array fails the call like invalid flags do (NULL, or
    /// STATUS_INSUFFICIENT_RESOURCES raised with <see cref="POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE"/>):
    /// the DDI reports an invalid POOL_EXTENDED_PARAMETER through the return value, so a count that
    /// does not match the array is reported the same way rather than as an exception. Malformed means:
    /// a null array with a nonzero count; a count other than the array's length; a parameter type given
    /// twice; a required parameter (<see cref="POOL_EXTENDED_PARAMETER.Optional"/> false) whose type is
    /// invalid or unknown, whose priority is not an <see cref="EX_POOL_PRIORITY"/> value, that asks for a
    /// secure pool (this runtime has none), or that names a NUMA node for a pool other than
    /// <see cref="POOL_FLAGS.POOL_FLAG_NON_PAGED"/>. An optional parameter the allocator cannot honour is
    /// ignored. The emulated machine has one NUMA node, so a NUMA-node parameter on nonpaged pool is
    /// always satisfied.</para>
    /// <para>A null array with count 0 is <see cref="ExAllocatePool2"/>.</para>
    /// </remarks>
    /// <returns>The block, or NULL (0).</returns>
    /// <exception cref="BugCheckException">As <see cref="ExAllocatePool2"/>.</exception>
    /// <exception cref="NtStatusException">A failure with <see cref="POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocatePool3(POOL_FLAGS Flags, nuint NumberOfBytes, PoolTag Tag, POOL_EXTENDED_PARAMETER[]? ExtendedParameters, uint ExtendedParametersCount)
        => PoolAllocator.Allocate(Flags, NumberOfBytes, Tag, ExtendedParameters, ExtendedParametersCount);

    /// <summary>Frees a block like <see cref="ExFreePoolWithTag"/> (tag 0 skips the tag check).</summary>
    /// <remarks>
    /// The extended parameters of the WDK routine identify the secure pool (<c>ExCreatePool</c>) a block
    /// came from; this runtime has no secure pools, so every block is freed with none: a null or empty
    /// array and a count of 0. Anything else is refused before the block is touched.
    /// </remarks>
    /// <exception cref="ArgumentException">Extended parameters were passed, or the count does not match the array.</exception>
    /// <exception cref="BugCheckException">As <see cref="ExFreePoolWithTag"/>.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void ExFreePool2(nint P, PoolTag Tag, POOL_EXTENDED_PARAMETER[]? ExtendedParameters, uint ExtendedParametersCount)
    {
        if (ExtendedParametersCount != 0 || ExtendedParameters?.Length > 0)
        {
            throw FreeParametersRefused(ExtendedParameters, ExtendedParametersCount);
        }

        PoolAllocator.Free(P, Tag);
    }

    // Named as the public parameters they describe, so the exception names ExtendedParameters.
    private static ArgumentException FreeParametersRefused(POOL_EXTENDED_PARAMETER[]? ExtendedParameters, uint count)
    {
        int length = ExtendedParameters?.Length ?? 0;
        return new ArgumentException(
            length != count
                ? $"ExtendedParametersCount is {count} but the array holds {length} parameters."
                : $"ExFreePool2 got {count} extended parameter(s); they identify a secure pool, which this runtime does not have. Pass null and 0.",
            nameof(ExtendedParameters));
    }
}
