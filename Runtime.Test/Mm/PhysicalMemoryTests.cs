using System;
using System.IO;
using Xunit;

// Not "…Test.Mm": a namespace of that name would hide the Mm class from every test in PoolAnalyzers.Runtime.Test.
namespace PoolAnalyzers.Runtime.Test.MemoryManager;

public sealed class PhysicalMemoryTests
{
    [Fact]
    public void DefaultPhysicalMemory_IsPositive_AndTheSameForEveryConfiguration()
    {
        ulong memory = new SystemConfiguration().PhysicalMemoryBytes;

        Assert.True(memory > 0);
        Assert.Equal(memory, new SystemConfiguration().PhysicalMemoryBytes);
        Assert.Equal(memory, HostMemory.PhysicalMemoryBytes);
    }

    [Fact]
    public void DefaultPhysicalMemory_IsTheMachinesRam_NotTheProcessLimit()
    {
        ulong memory = new SystemConfiguration().PhysicalMemoryBytes;

        // The GC figure is capped by container and heap limits, so it never exceeds the RAM.
        Assert.True(memory >= (ulong)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(MemTotalFromProc(), memory);
        }
    }

    [Fact]
    public void ConfiguredPhysicalMemory_WinsOverTheDefault()
    {
        ulong configured = new SystemConfiguration().PhysicalMemoryBytes == 12UL << 20 ? 13UL << 20 : 12UL << 20;
        using var machine = new KernelSystem(new SystemConfiguration { PhysicalMemoryBytes = configured });
        using KernelSystem.Scope scope = machine.Enter();

        Assert.Equal(configured, machine.Configuration.PhysicalMemoryBytes);
        Assert.Equal(MM_SYSTEMSIZE.MmSmallSystem, Mm.MmQuerySystemSize());
    }

    [Theory]
    [InlineData("MemTotal:       24683548 kB\nMemFree:        23980308 kB\n", 24683548UL * 1024)]
    [InlineData("MemFree:  10 kB\nMemTotal: 2048 kB\n", 2048UL * 1024)]
    [InlineData("MemTotal:\t1 kB", 1024UL)]
    [InlineData("MemFree:  10 kB\n", 0UL)]
    [InlineData("MemTotal: 2048 MB\n", 0UL)]
    [InlineData("MemTotal: lots kB\n", 0UL)]
    [InlineData("MemTotal: 18446744073709551615 kB\n", 0UL)]
    [InlineData("", 0UL)]
    public void MemTotalParser_ReadsKibibytes_AndRejectsAnythingElse(string meminfo, ulong expected)
    {
        Assert.Equal(expected, HostMemory.ParseMemTotal(meminfo));
    }

    // Independent of the runtime's parser: the first number on the MemTotal line, in kB.
    private static ulong MemTotalFromProc()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                string digits = line["MemTotal:".Length..].Trim().Split(' ')[0];
                return ulong.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/meminfo has no MemTotal line");
    }
}
