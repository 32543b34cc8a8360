using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The memory manager queries a driver may make about the machine, answered from
/// <see cref="KernelSystem.Current"/>'s <see cref="SystemConfiguration"/>.
/// </summary>
public static class Mm
{
    /// <summary>At or below this much physical memory the system is small (19 MB).</summary>
    internal const ulong SmallSystemLimit = 19UL << 20;

    /// <summary>At or below this much physical memory a workstation is medium (32 MB).</summary>
    internal const ulong MediumWorkstationLimit = 32UL << 20;

    /// <summary>At or below this much physical memory a server is medium (64 MB).</summary>
    internal const ulong MediumServerLimit = 64UL << 20;

    /// <summary>
    /// Returns the size class of the machine: small up to 19 MB of physical memory, medium up to
    /// 32 MB (workstation) or 64 MB (server), large above. Every real machine today is large;
    /// configure <see cref="SystemConfiguration.PhysicalMemoryBytes"/> to see the other classes.
    /// </summary>
    /// <remarks>Callable at any IRQL.</remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static MM_SYSTEMSIZE MmQuerySystemSize()
    {
        SystemConfiguration configuration = KernelSystem.Current.Configuration;
        ulong memory = configuration.PhysicalMemoryBytes;
        if (memory <= SmallSystemLimit)
        {
            return MM_SYSTEMSIZE.MmSmallSystem;
        }

        ulong mediumLimit = IsServer(configuration.ProductType) ? MediumServerLimit : MediumWorkstationLimit;
        return memory <= mediumLimit ? MM_SYSTEMSIZE.MmMediumSystem : MM_SYSTEMSIZE.MmLargeSystem;
    }

    /// <summary>
    /// True when the machine runs a server product (<see cref="NT_PRODUCT_TYPE.NtProductServer"/> or
    /// <see cref="NT_PRODUCT_TYPE.NtProductLanManNt"/>), false on a workstation.
    /// </summary>
    /// <remarks>
    /// Obsolete in the kernel since Windows XP: new code should ask <c>RtlGetVersion</c> for the
    /// product type. It stays callable here without warnings so ported code keeps building.
    /// Callable at any IRQL.
    /// </remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static bool MmIsThisAnNtAsSystem() => IsServer(KernelSystem.Current.Configuration.ProductType);

    private static bool IsServer(NT_PRODUCT_TYPE productType)
        => productType is NT_PRODUCT_TYPE.NtProductServer or NT_PRODUCT_TYPE.NtProductLanManNt;
}
