namespace PoolAnalyzers.Runtime;

// The driver-runtime state ExInitializeDriverRuntime sets (wdm.h keeps it in the driver image; the
// emulated machine holds one driver's worth, so each test machine starts opted out).
public sealed partial class KernelSystem
{
    // Written by ExInitializeDriverRuntime on one thread and read by any: volatile keeps the read current.
    private volatile POOL_TYPE _defaultNonPagedPoolType = POOL_TYPE.NonPagedPool;

    /// <summary>What <see cref="Ex.ExDefaultNonPagedPoolType"/> reads on this machine.</summary>
    internal POOL_TYPE DefaultNonPagedPoolType => _defaultNonPagedPoolType;

    internal void OptInToNxPool() => _defaultNonPagedPoolType = POOL_TYPE.NonPagedPoolNx;
}
