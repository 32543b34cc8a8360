using System;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>Raises the thread's IRQL and restores it when disposed, even when the test body throws.</summary>
internal readonly struct IrqlScope : IDisposable
{
    private readonly KIRQL _old;

    private IrqlScope(KIRQL old) => _old = old;

    public static IrqlScope Raise(KIRQL irql)
    {
        Ke.KeRaiseIrql(irql, out KIRQL old);
        return new IrqlScope(old);
    }

    public void Dispose() => Ke.KeLowerIrql(_old);
}
