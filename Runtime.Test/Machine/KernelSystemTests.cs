using System;
using System.Threading.Tasks;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Machine;

public sealed class KernelSystemTests
{
    [Fact]
    public void Enter_MakesTheMachineCurrentUntilTheScopeEnds()
    {
        using var machine = new KernelSystem();
        using (machine.Enter())
        {
            Assert.Same(machine, KernelSystem.Current);
        }

        Assert.Same(KernelSystem.Default, KernelSystem.Current);
    }

    [Fact]
    public async Task EnteredMachine_FlowsIntoTasks()
    {
        using var machine = new KernelSystem();
        using (machine.Enter())
        {
            nint p = await Task.Run(() => ExAllocatePoolWithTag(PagedPool, 16, "Flow"));
            Assert.Equal(1, machine.QueryPoolTag("Flow", paged: true).Diff);
            ExFreePool(p);
        }
    }

    [Fact]
    public void Dispose_ReleasesMemoryAndRefusesFurtherAllocation()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            ExAllocatePoolWithTag(PagedPool, 64, "Disp");
            ExAllocatePoolWithTag(PagedPool, 64 * 1024, "Disp");
            machine.Dispose();
            ObjectDisposedException error = Assert.Throws<ObjectDisposedException>(() => ExAllocatePoolWithTag(PagedPool, 64, "Disp"));
            Assert.Contains("disposed", error.Message, StringComparison.Ordinal);
        }

        machine.Dispose();
    }

    [Fact]
    public void DefaultMachine_CannotBeDisposed()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => KernelSystem.Default.Dispose());
        Assert.Contains("cannot be disposed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_IsKeptAsGiven()
    {
        var configuration = new SystemConfiguration { PagedPoolSize = 1 << 20, NonPagedPoolSize = 1 << 19, Verifier = new VerifierOptions { FlagZeroSizeRequests = true } };
        using var machine = new KernelSystem(configuration);
        Assert.Same(configuration, machine.Configuration);
        Assert.Same(configuration.Verifier, machine.Verifier.Options);
    }

    [Fact]
    public void NullVerifierOptions_AreRejectedWithExplanation()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new KernelSystem(new SystemConfiguration { Verifier = null! }));
        Assert.Contains("Verifier", error.Message, StringComparison.Ordinal);
    }
}
