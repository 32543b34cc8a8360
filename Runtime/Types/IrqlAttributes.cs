using System;

namespace PoolAnalyzers.Runtime;

// The C# form of the SAL _IRQL_*_ annotations. The analyzers read them by full name from
// metadata (in any assembly), so a project may declare its own copies with the same names.
// Targets follow SAL: the requirement and effect annotations describe a routine (method,
// constructor, or a callback type declared as a delegate); _IRQL_saves_ and _IRQL_restores_
// describe the value that carries the IRQL (a parameter, and for saves also a return value, as
// in KeRaiseIrqlToDpcLevel).

/// <summary><c>_IRQL_requires_max_</c>: callers must run at or below <see cref="Irql"/>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Delegate, Inherited = false)]
public sealed class IrqlRequiresMaxAttribute(KIRQL irql) : Attribute
{
    /// <summary>The highest IRQL a caller may run at.</summary>
    public KIRQL Irql { get; } = irql;
}

/// <summary><c>_IRQL_requires_min_</c>: callers must run at or above <see cref="Irql"/>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Delegate, Inherited = false)]
public sealed class IrqlRequiresMinAttribute(KIRQL irql) : Attribute
{
    /// <summary>The lowest IRQL a caller may run at.</summary>
    public KIRQL Irql { get; } = irql;
}

/// <summary><c>_IRQL_requires_</c>: callers must run at exactly <see cref="Irql"/>.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Delegate, Inherited = false)]
public sealed class IrqlRequiresAttribute(KIRQL irql) : Attribute
{
    /// <summary>The IRQL a caller must run at.</summary>
    public KIRQL Irql { get; } = irql;
}

/// <summary><c>_IRQL_raises_</c>: the routine returns at <see cref="Irql"/>, higher than it was called at.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Delegate, Inherited = false)]
public sealed class IrqlRaisesAttribute(KIRQL irql) : Attribute
{
    /// <summary>The IRQL the routine leaves the caller at.</summary>
    public KIRQL Irql { get; } = irql;
}

/// <summary><c>_IRQL_requires_same_</c>: the routine returns at the IRQL it was called at.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Delegate, Inherited = false)]
public sealed class IrqlRequiresSameAttribute : Attribute
{
}

/// <summary><c>_IRQL_saves_</c>: the parameter (or the return value) receives the IRQL current at the call.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue, Inherited = false)]
public sealed class IrqlSavesAttribute : Attribute
{
}

/// <summary><c>_IRQL_restores_</c>: the routine sets the IRQL to the value of this parameter.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class IrqlRestoresAttribute : Attribute
{
}
