namespace PoolAnalyzers.Runtime;

/// <summary>
/// The WDK <c>EX_POOL_PRIORITY</c>: how much a request may be refused when pool runs low, and (the
/// SpecialPool variants) where special pool places the block when Driver Verifier's special pool is on.
/// </summary>
/// <remarks>
/// Bit 3 (8) asks for special pool; bit 0 (1) with it asks for the underrun layout (the block at the
/// start of its page, the guard page before it) instead of the overrun layout (the block at the end,
/// the guard page after it).
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1008", Justification = "LowPoolPriority is the zero value, as in the WDK.")]
public enum EX_POOL_PRIORITY
{
    /// <summary>0: the request may fail when the system is low on pool.</summary>
    LowPoolPriority = 0,
    /// <summary>8: <see cref="LowPoolPriority"/>, from special pool with the guard page after the block.</summary>
    LowPoolPrioritySpecialPoolOverrun = 8,
    /// <summary>9: <see cref="LowPoolPriority"/>, from special pool with the guard page before the block.</summary>
    LowPoolPrioritySpecialPoolUnderrun = 9,
    /// <summary>16: the request may fail when the system is very low on pool. Most drivers use this.</summary>
    NormalPoolPriority = 16,
    /// <summary>24: <see cref="NormalPoolPriority"/>, from special pool with the guard page after the block.</summary>
    NormalPoolPrioritySpecialPoolOverrun = 24,
    /// <summary>25: <see cref="NormalPoolPriority"/>, from special pool with the guard page before the block.</summary>
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    /// <summary>32: the request fails only when the pool is exhausted.</summary>
    HighPoolPriority = 32,
    /// <summary>40: <see cref="HighPoolPriority"/>, from special pool with the guard page after the block.</summary>
    HighPoolPrioritySpecialPoolOverrun = 40,
    /// <summary>41: <see cref="HighPoolPriority"/>, from special pool with the guard page before the block.</summary>
    HighPoolPrioritySpecialPoolUnderrun = 41,
}
