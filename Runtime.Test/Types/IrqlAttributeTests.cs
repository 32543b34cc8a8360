using System;
using System.Reflection;
using Xunit;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Types;

public sealed class IrqlAttributeTests
{
    private const AttributeTargets RoutineTargets = AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Delegate;

    [Theory]
    [InlineData(typeof(IrqlRequiresMaxAttribute), RoutineTargets)]
    [InlineData(typeof(IrqlRequiresMinAttribute), RoutineTargets)]
    [InlineData(typeof(IrqlRequiresAttribute), RoutineTargets)]
    [InlineData(typeof(IrqlRaisesAttribute), RoutineTargets)]
    [InlineData(typeof(IrqlRequiresSameAttribute), RoutineTargets)]
    [InlineData(typeof(IrqlSavesAttribute), AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
    [InlineData(typeof(IrqlRestoresAttribute), AttributeTargets.Parameter)]
    public void Attribute_TargetsWhatItsSalAnnotationDescribes(Type attribute, AttributeTargets targets)
    {
        AttributeUsageAttribute usage = attribute.GetCustomAttribute<AttributeUsageAttribute>()!;

        Assert.Equal(targets, usage.ValidOn);
        Assert.False(usage.AllowMultiple);
        Assert.False(usage.Inherited);
    }

    [Theory]
    [InlineData(nameof(Ke.KeGetCurrentIrql), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeInitializeSpinLock), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeRaiseIrql), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeLowerIrql), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeBugCheckEx), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeRaiseIrqlToDpcLevel), DISPATCH_LEVEL)]
    [InlineData(nameof(Ke.KeAcquireSpinLock), DISPATCH_LEVEL)]
    public void KeRoutine_DeclaresItsIrqlCeiling(string routine, KIRQL ceiling)
    {
        Assert.Equal(ceiling, Routine(routine).GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
    }

    [Theory]
    [InlineData(nameof(Ke.KeAcquireSpinLockAtDpcLevel))]
    [InlineData(nameof(Ke.KeReleaseSpinLockFromDpcLevel))]
    public void DpcLevelSpinLockRoutine_DeclaresDispatchAsItsFloor(string routine)
    {
        Assert.Equal(DISPATCH_LEVEL, Routine(routine).GetCustomAttribute<IrqlRequiresMinAttribute>()!.Irql);
    }

    [Fact]
    public void KeReleaseSpinLock_RequiresDispatch_AndRestoresNewIrql()
    {
        MethodInfo method = Routine(nameof(Ke.KeReleaseSpinLock));

        Assert.Equal(DISPATCH_LEVEL, method.GetCustomAttribute<IrqlRequiresAttribute>()!.Irql);
        Assert.NotNull(method.GetParameters()[1].GetCustomAttribute<IrqlRestoresAttribute>());
    }

    [Fact]
    public void KeRaiseIrqlToDpcLevel_RaisesToDispatch_AndSavesTheOldIrqlInItsReturnValue()
    {
        MethodInfo method = Routine(nameof(Ke.KeRaiseIrqlToDpcLevel));

        Assert.Equal(DISPATCH_LEVEL, method.GetCustomAttribute<IrqlRaisesAttribute>()!.Irql);
        Assert.NotNull(method.ReturnParameter.GetCustomAttribute<IrqlSavesAttribute>());
    }

    [Theory]
    [InlineData(nameof(Ke.KeRaiseIrql))]
    [InlineData(nameof(Ke.KeAcquireSpinLock))]
    public void RoutineWithAnOldIrqlOutParameter_SavesTheIrqlThere(string routine)
    {
        ParameterInfo oldIrql = Routine(routine).GetParameters()[1];

        Assert.True(oldIrql.IsOut);
        Assert.NotNull(oldIrql.GetCustomAttribute<IrqlSavesAttribute>());
    }

    private static MethodInfo Routine(string name) => typeof(Ke).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
}
