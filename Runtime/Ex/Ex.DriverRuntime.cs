using System;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// NX opt-in: what a driver built with POOL_NX_OPTIN gets. wdm.h then turns its NonPagedPool into the
// variable ExDefaultNonPagedPoolType, which ExInitializeDriverRuntime(DrvRtPoolNxOptIn) switches to
// NonPagedPoolNx. Here the variable belongs to the current KernelSystem, so every test machine starts
// opted out and one test's opt-in never leaks into another's.
public static partial class Ex
{
    /// <summary>The <see cref="ExInitializeDriverRuntime"/> flag that opts the driver in to no-execute nonpaged pool.</summary>
    public const uint DrvRtPoolNxOptIn = 1;

    /// <summary>
    /// The nonpaged pool type of the current machine's driver: <see cref="POOL_TYPE.NonPagedPool"/> until
    /// <see cref="ExInitializeDriverRuntime"/> is called with <see cref="DrvRtPoolNxOptIn"/>, then
    /// <see cref="POOL_TYPE.NonPagedPoolNx"/>. Pass it where a POOL_NX_OPTIN driver writes NonPagedPool.
    /// </summary>
    /// <remarks>Readable at any IRQL (a global variable in C). Only the runtime sets it.</remarks>
    public static POOL_TYPE ExDefaultNonPagedPoolType
    {
        [IrqlRequiresMax(HIGH_LEVEL)]
        get => KernelSystem.Current.DefaultNonPagedPoolType;
    }

    /// <summary>
    /// Initializes the driver runtime: with <see cref="DrvRtPoolNxOptIn"/>, <see cref="ExDefaultNonPagedPoolType"/>
    /// becomes <see cref="POOL_TYPE.NonPagedPoolNx"/> on the current machine (for good: there is no opting out).
    /// Call it once from DriverEntry.
    /// </summary>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above PASSIVE_LEVEL.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="RuntimeFlags"/> has a bit other than <see cref="DrvRtPoolNxOptIn"/>.</exception>
    [IrqlRequiresMax(PASSIVE_LEVEL)]
    public static void ExInitializeDriverRuntime(uint RuntimeFlags)
    {
        RoutineIrql.RequireMax(PASSIVE_LEVEL, nameof(ExInitializeDriverRuntime));
        if ((RuntimeFlags & ~DrvRtPoolNxOptIn) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RuntimeFlags), RuntimeFlags,
                $"RuntimeFlags 0x{RuntimeFlags:X} has bits 0x{RuntimeFlags & ~DrvRtPoolNxOptIn:X} the driver runtime does not define; the only flag is DrvRtPoolNxOptIn (1).");
        }

        if ((RuntimeFlags & DrvRtPoolNxOptIn) != 0)
        {
            KernelSystem.Current.OptInToNxPool();
        }
    }
}
