using System;
using System.Reflection;
using Xunit;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Types;

// The analyzers read IRQL requirements from metadata: each routine carries its WDK annotation.
public sealed class ModernRoutineIrqlAttributeTests
{
    [Theory]
    [InlineData(nameof(Ex.ExAllocatePool2))]
    [InlineData(nameof(Ex.ExAllocatePool3))]
    [InlineData(nameof(Ex.ExAllocatePoolWithTagPriority))]
    [InlineData(nameof(Ex.ExFreePool2))]
    [InlineData(nameof(Ex.ExAllocatePoolZero))]
    [InlineData(nameof(Ex.ExAllocatePoolUninitialized))]
    [InlineData(nameof(Ex.ExAllocatePoolQuotaZero))]
    [InlineData(nameof(Ex.ExAllocatePoolQuotaUninitialized))]
    [InlineData(nameof(Ex.ExAllocatePoolPriorityZero))]
    [InlineData(nameof(Ex.ExAllocatePoolPriorityUninitialized))]
    public void PoolRoutine_RequiresDispatchOrBelow(string routine)
    {
        MethodInfo method = typeof(Ex).GetMethod(routine, BindingFlags.Public | BindingFlags.Static)!;

        Assert.Equal(DISPATCH_LEVEL, method.GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
    }

    [Fact]
    public void ExInitializeDriverRuntime_RequiresPassiveLevel()
    {
        MethodInfo method = typeof(Ex).GetMethod(nameof(Ex.ExInitializeDriverRuntime))!;

        Assert.Equal(PASSIVE_LEVEL, method.GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
    }

    [Fact]
    public void ExDefaultNonPagedPoolType_IsReadableAtAnyIrql_AndHasNoPublicSetter()
    {
        PropertyInfo property = typeof(Ex).GetProperty(nameof(Ex.ExDefaultNonPagedPoolType))!;

        Assert.Equal(HIGH_LEVEL, property.GetMethod!.GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
        Assert.Null(property.SetMethod);
    }

    [Fact]
    public void EveryRtlRoutine_RunsAtAnyIrql()
    {
        MethodInfo[] routines = typeof(Rtl).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly);

        Assert.Equal(5, routines.Length);
        foreach (MethodInfo routine in routines)
        {
            Assert.True(routine.GetCustomAttribute<IrqlRequiresMaxAttribute>()?.Irql == HIGH_LEVEL, $"{routine.Name} is not [IrqlRequiresMax(HIGH_LEVEL)]");
        }
    }

    [Fact]
    public void EveryPublicExRoutine_CarriesAnIrqlRequirement()
    {
        foreach (MethodInfo method in typeof(Ex).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            bool annotated = method.IsDefined(typeof(IrqlRequiresMaxAttribute))
                || method.IsDefined(typeof(IrqlRequiresMinAttribute))
                || method.IsDefined(typeof(IrqlRequiresAttribute));
            Assert.True(annotated, $"{method.Name} carries no IrqlRequires* attribute");
        }
    }

    [Fact]
    public void NewSignatures_FollowTheDesign()
    {
        Assert.Equal(
            [typeof(POOL_FLAGS), typeof(nuint), typeof(PoolTag), typeof(POOL_EXTENDED_PARAMETER[]), typeof(uint)],
            Array.ConvertAll(typeof(Ex).GetMethod(nameof(Ex.ExAllocatePool3))!.GetParameters(), p => p.ParameterType));
        Assert.Equal(
            [typeof(nint), typeof(PoolTag), typeof(POOL_EXTENDED_PARAMETER[]), typeof(uint)],
            Array.ConvertAll(typeof(Ex).GetMethod(nameof(Ex.ExFreePool2))!.GetParameters(), p => p.ParameterType));
        Assert.Equal(typeof(nuint), typeof(Rtl).GetMethod(nameof(Rtl.RtlCompareMemory))!.ReturnType);
    }
}
