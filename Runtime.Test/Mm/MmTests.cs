using System;
using System.Reflection;
using Xunit;
using static PoolAnalyzers.Runtime.MM_SYSTEMSIZE;
using static PoolAnalyzers.Runtime.NT_PRODUCT_TYPE;

// Not "…Test.Mm": a namespace of that name would hide the Mm class from every test in PoolAnalyzers.Runtime.Test.
namespace PoolAnalyzers.Runtime.Test.MemoryManager;

public sealed class MmTests
{
    private const ulong MB = 1UL << 20;

    [Theory]
    [InlineData(0UL, NtProductWinNt, MmSmallSystem)]
    [InlineData(16 * MB, NtProductWinNt, MmSmallSystem)]
    [InlineData(19 * MB, NtProductWinNt, MmSmallSystem)]
    [InlineData((19 * MB) + 1, NtProductWinNt, MmMediumSystem)]
    [InlineData(32 * MB, NtProductWinNt, MmMediumSystem)]
    [InlineData((32 * MB) + 1, NtProductWinNt, MmLargeSystem)]
    [InlineData(64 * MB, NtProductWinNt, MmLargeSystem)]
    [InlineData(19 * MB, NtProductServer, MmSmallSystem)]
    [InlineData((19 * MB) + 1, NtProductServer, MmMediumSystem)]
    [InlineData((32 * MB) + 1, NtProductServer, MmMediumSystem)]
    [InlineData(64 * MB, NtProductServer, MmMediumSystem)]
    [InlineData((64 * MB) + 1, NtProductServer, MmLargeSystem)]
    [InlineData(64 * MB, NtProductLanManNt, MmMediumSystem)]
    [InlineData((64 * MB) + 1, NtProductLanManNt, MmLargeSystem)]
    [InlineData(16UL << 30, NtProductWinNt, MmLargeSystem)]
    public void MmQuerySystemSize_UsesTheKernelThresholds(ulong memory, NT_PRODUCT_TYPE product, MM_SYSTEMSIZE expected)
    {
        using var machine = new KernelSystem(new SystemConfiguration { PhysicalMemoryBytes = memory, ProductType = product });
        using KernelSystem.Scope scope = machine.Enter();

        Assert.Equal(expected, Mm.MmQuerySystemSize());
    }

    [Fact]
    public void MmQuerySystemSize_OnTheDefaultConfiguration_IsLarge()
    {
        using var machine = new KernelSystem();
        using KernelSystem.Scope scope = machine.Enter();

        Assert.Equal(MmLargeSystem, Mm.MmQuerySystemSize());
    }

    [Fact]
    public void MmQuerySystemSize_WorksAtHighLevel()
    {
        using var machine = new KernelSystem(new SystemConfiguration { PhysicalMemoryBytes = 8 * MB });
        using KernelSystem.Scope scope = machine.Enter();
        Ke.KeRaiseIrql(KIRQL.HIGH_LEVEL, out KIRQL old);
        try
        {
            Assert.Equal(MmSmallSystem, Mm.MmQuerySystemSize());
            Assert.False(Mm.MmIsThisAnNtAsSystem());
        }
        finally
        {
            Ke.KeLowerIrql(old);
        }
    }

    [Theory]
    [InlineData(NtProductWinNt, false)]
    [InlineData(NtProductLanManNt, true)]
    [InlineData(NtProductServer, true)]
    public void MmIsThisAnNtAsSystem_IsTrueOnServerProducts(NT_PRODUCT_TYPE product, bool expected)
    {
        using var machine = new KernelSystem(new SystemConfiguration { ProductType = product });
        using KernelSystem.Scope scope = machine.Enter();

        Assert.Equal(expected, Mm.MmIsThisAnNtAsSystem());
    }

    [Fact]
    public void Queries_FollowTheCurrentMachine()
    {
        using var server = new KernelSystem(new SystemConfiguration { ProductType = NtProductServer, PhysicalMemoryBytes = 48 * MB });
        using var workstation = new KernelSystem(new SystemConfiguration { ProductType = NtProductWinNt, PhysicalMemoryBytes = 48 * MB });

        using (server.Enter())
        {
            Assert.True(Mm.MmIsThisAnNtAsSystem());
            Assert.Equal(MmMediumSystem, Mm.MmQuerySystemSize());
        }

        using (workstation.Enter())
        {
            Assert.False(Mm.MmIsThisAnNtAsSystem());
            Assert.Equal(MmLargeSystem, Mm.MmQuerySystemSize());
        }
    }

    [Theory]
    [InlineData(nameof(Mm.MmQuerySystemSize))]
    [InlineData(nameof(Mm.MmIsThisAnNtAsSystem))]
    public void Queries_DeclareAnyIrqlInMetadata_AndAreNotObsolete(string routine)
    {
        MethodInfo method = typeof(Mm).GetMethod(routine, BindingFlags.Public | BindingFlags.Static)!;

        Assert.Equal(KIRQL.HIGH_LEVEL, method.GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
        Assert.Null(method.GetCustomAttribute<ObsoleteAttribute>());
    }
}
