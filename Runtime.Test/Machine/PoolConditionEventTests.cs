using System;
using System.Reflection;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Machine;

public sealed class PoolConditionEventTests
{
    [Fact]
    public void ConditionEvent_OffersUsersNoWayToCloseIt()
    {
        Type type = typeof(PoolConditionEvent);

        Assert.False(typeof(IDisposable).IsAssignableFrom(type));
        Assert.Null(type.GetMethod("Dispose", BindingFlags.Public | BindingFlags.Instance));
        Assert.Null(type.GetMethod("Close", BindingFlags.Public | BindingFlags.Instance));
    }

    [Fact]
    public void ConditionEvents_KeepFollowingThresholdCrossings_ThroughEveryPublicMember()
    {
        // 3 MiB nonpaged: low threshold 1 MiB, high threshold 1.5 MiB of free pool.
        using var machine = new KernelSystem(new SystemConfiguration { NonPagedPoolSize = 3 << 20 });
        using KernelSystem.Scope scope = machine.Enter();
        PoolConditionEvent low = machine.LowNonPagedPoolCondition;
        PoolConditionEvent high = machine.HighNonPagedPoolCondition;
        Assert.True(high.Wait(TimeSpan.Zero));
        Assert.False(low.Wait(TimeSpan.Zero));
        Assert.Equal("LowNonPagedPoolCondition: not signaled", low.ToString());

        for (int crossing = 0; crossing < 3; crossing++)
        {
            nint big = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(2.5 * (1 << 20)), "Cond");
            Assert.True(low.IsSignaled);
            Assert.False(high.IsSignaled);

            ExFreePoolWithTag(big, "Cond");
            Assert.False(low.IsSignaled);
            Assert.True(high.IsSignaled);
        }
    }

    [Fact]
    public void ConditionEvent_AfterItsMachineIsDisposed_RefusesWaits()
    {
        var machine = new KernelSystem();
        PoolConditionEvent high = machine.HighPagedPoolCondition;

        machine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => high.Wait(TimeSpan.Zero));
    }
}
