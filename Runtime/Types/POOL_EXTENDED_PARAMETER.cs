namespace PoolAnalyzers.Runtime;

/// <summary>
/// The WDK <c>POOL_EXTENDED_PARAMETER</c>: one extended parameter of <c>ExAllocatePool3</c>, e.g.
/// <c>new POOL_EXTENDED_PARAMETER { Type = PoolExtendedParameterPriority, Priority = LowPoolPriority }</c>.
/// </summary>
/// <remarks>
/// <see cref="Optional"/> follows the WDK bit: a required parameter (false, the default) the allocator
/// cannot recognise or satisfy fails the call; an optional one is then ignored. The C union's other
/// members (the secure-pool parameters and the NUMA node) have no counterpart here: this runtime has
/// no secure pools and one NUMA node.
/// </remarks>
public struct POOL_EXTENDED_PARAMETER
{
    /// <summary>What the parameter carries.</summary>
    public POOL_EXTENDED_PARAMETER_TYPE Type { get; set; }

    /// <summary>True when the allocator may ignore the parameter if it cannot honour it.</summary>
    public bool Optional { get; set; }

    /// <summary>The request's priority, when <see cref="Type"/> is <see cref="POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority"/>.</summary>
    public EX_POOL_PRIORITY Priority { get; set; }
}
