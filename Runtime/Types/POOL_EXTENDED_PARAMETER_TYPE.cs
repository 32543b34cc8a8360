namespace PoolAnalyzers.Runtime;

/// <summary>The WDK <c>POOL_EXTENDED_PARAMETER_TYPE</c>: what one <see cref="POOL_EXTENDED_PARAMETER"/> of <c>ExAllocatePool3</c> carries.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1008", Justification = "The WDK names its zero value PoolExtendedParameterInvalidType.")]
public enum POOL_EXTENDED_PARAMETER_TYPE
{
    /// <summary>0: not a valid type. Required, it fails the call; optional, it is ignored.</summary>
    PoolExtendedParameterInvalidType = 0,
    /// <summary>1: <see cref="POOL_EXTENDED_PARAMETER.Priority"/> holds the request's <see cref="EX_POOL_PRIORITY"/>.</summary>
    PoolExtendedParameterPriority = 1,
    /// <summary>2: allocate from a secure pool (<c>ExCreatePool</c>); this runtime has none, so a required one fails the call.</summary>
    PoolExtendedParameterSecurePool = 2,
    /// <summary>3: a preferred NUMA node for nonpaged (<c>POOL_FLAG_NON_PAGED</c>) pool; the emulated machine is one node.</summary>
    PoolExtendedParameterNumaNode = 3,
}
