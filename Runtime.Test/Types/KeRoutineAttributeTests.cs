using System.Reflection;
using Xunit;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Types;

/// <summary>The IRQL attributes of the DPC, timer, processor and queued-spin-lock routines: their WDK annotations, which the analyzers read.</summary>
public sealed class KeRoutineAttributeTests
{
    [Theory]
    [InlineData(nameof(Ke.KeInitializeDpc), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeInsertQueueDpc), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeRemoveQueueDpc), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeSetTargetProcessorDpc), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeGetCurrentProcessorNumber), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeQueryActiveProcessorCount), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeQueryActiveProcessors), HIGH_LEVEL)]
    [InlineData(nameof(Ke.KeFlushQueuedDpcs), PASSIVE_LEVEL)]
    [InlineData(nameof(Ke.KeInitializeTimer), DISPATCH_LEVEL)]
    [InlineData(nameof(Ke.KeSetTimer), DISPATCH_LEVEL)]
    [InlineData(nameof(Ke.KeSetTimerEx), DISPATCH_LEVEL)]
    [InlineData(nameof(Ke.KeCancelTimer), DISPATCH_LEVEL)]
    [InlineData(nameof(Ke.KeReadStateTimer), DISPATCH_LEVEL)]
    [InlineData(nameof(Ke.KeAcquireInStackQueuedSpinLock), DISPATCH_LEVEL)]
    public void Routine_DeclaresItsIrqlCeiling(string routine, KIRQL ceiling)
    {
        Assert.Equal(ceiling, Routine(routine).GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
    }

    [Fact]
    public void KeAcquireInStackQueuedSpinLock_RaisesToDispatch_AndSavesTheIrqlInTheHandle()
    {
        MethodInfo method = Routine(nameof(Ke.KeAcquireInStackQueuedSpinLock));
        ParameterInfo handle = method.GetParameters()[1];

        Assert.Equal(DISPATCH_LEVEL, method.GetCustomAttribute<IrqlRaisesAttribute>()!.Irql);
        Assert.True(handle.IsOut);
        Assert.Equal(typeof(KLOCK_QUEUE_HANDLE), handle.ParameterType.GetElementType());
        Assert.NotNull(handle.GetCustomAttribute<IrqlSavesAttribute>());
    }

    [Fact]
    public void KeReleaseInStackQueuedSpinLock_RequiresDispatch_AndRestoresFromTheHandle()
    {
        MethodInfo method = Routine(nameof(Ke.KeReleaseInStackQueuedSpinLock));
        ParameterInfo handle = method.GetParameters()[0];

        Assert.Equal(DISPATCH_LEVEL, method.GetCustomAttribute<IrqlRequiresAttribute>()!.Irql);
        Assert.True(handle.ParameterType.IsByRef && !handle.IsOut);
        Assert.NotNull(handle.GetCustomAttribute<IrqlRestoresAttribute>());
    }

    [Theory]
    [InlineData(nameof(Ke.KeAcquireInStackQueuedSpinLockAtDpcLevel))]
    [InlineData(nameof(Ke.KeReleaseInStackQueuedSpinLockFromDpcLevel))]
    public void DpcLevelQueuedSpinLockRoutine_RequiresDispatch_AndLeavesTheIrqlAlone(string routine)
    {
        MethodInfo method = Routine(routine);

        Assert.Equal(DISPATCH_LEVEL, method.GetCustomAttribute<IrqlRequiresMinAttribute>()!.Irql);
        Assert.Null(method.GetCustomAttribute<IrqlRaisesAttribute>());
        Assert.All(method.GetParameters(), parameter => Assert.Null(parameter.GetCustomAttribute<IrqlSavesAttribute>()));
    }

    [Fact]
    public void DeferredRoutine_RequiresDispatch_AndReturnsAtTheSameIrql()
    {
        Assert.Equal(DISPATCH_LEVEL, typeof(PKDEFERRED_ROUTINE).GetCustomAttribute<IrqlRequiresAttribute>()!.Irql);
        Assert.NotNull(typeof(PKDEFERRED_ROUTINE).GetCustomAttribute<IrqlRequiresSameAttribute>());
    }

    private static MethodInfo Routine(string name) => typeof(Ke).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
}
