using System;
using LegacyDriver;
using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Mm;
using static PoolAnalyzers.Runtime.Nt;

// A 48 MB server of the driver's era: MmQuerySystemSize reports a medium system and the driver sizes
// its zone for one. Pool tracking is on for the driver's tags, so unloading with an allocation still
// outstanding bug-checks the way Driver Verifier does. The workload runs the lookaside depth scan
// itself, on a simulated clock, so the background scan is off. The machine's clock is manual too: the
// workload moves it to expire the completion timer, whose DPC runs on one of the two processors.
var clock = new ManualClock();
var configuration = new SystemConfiguration
{
    PhysicalMemoryBytes = 48UL << 20,
    ProductType = NT_PRODUCT_TYPE.NtProductServer,
    ProcessorCount = 2,
    Clock = clock,
    LookasideScanPeriod = TimeSpan.Zero,
    Verifier = new VerifierOptions { PoolTracking = true, FlagZeroSizeRequests = true, PoolTrackingTags = DeviceExtension.AllTags },
};

using var machine = new KernelSystem(configuration);
using KernelSystem.Scope scope = machine.Enter();

Console.WriteLine($"LegacyDriver on a {configuration.PhysicalMemoryBytes >> 20} MB {(MmIsThisAnNtAsSystem() ? "server" : "workstation")}: {MmQuerySystemSize()}");

NTSTATUS status = Driver.DriverEntry(new DriverParameters(), out DeviceExtension? device);
if (!NT_SUCCESS(status) || device is null)
{
    Console.Error.WriteLine($"DriverEntry failed: {status}");
    return 1;
}

const int Requests = 4000;
Workload.Run(device, clock, Requests, opens: 4);
Console.WriteLine($"Completed {device.RequestsCompleted} of {Requests} requests ({device.BytesCompleted} bytes), {device.ChecksumFailures} checksum failures.");
NPAGED_LOOKASIDE_LIST packets = device.PacketLookaside;
Console.WriteLine($"Packet lookaside: {packets.TotalAllocates} allocates, {packets.AllocateMisses} misses, depth {packets.Depth} of {packets.MaximumDepth}.");
Console.WriteLine($"Message zone: {device.ZoneSegments.Count} segments, {device.MessageZone.TotalSegmentSize} bytes.");

Console.WriteLine();
Console.WriteLine("Pool use before unload:");
Console.Write(machine.FormatPoolMonitor());

Driver.DriverUnload(device);
Console.WriteLine();
Console.WriteLine("Pool use after unload:");
Console.Write(machine.FormatPoolMonitor());

// Throws DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4/0x62) naming every block the unload left behind.
machine.Verifier.VerifyDriverUnload("LegacyDriver.sys", [.. DeviceExtension.AllTags]);
Console.WriteLine("Driver Verifier: no pool allocations outstanding at unload.");
return device.ChecksumFailures == 0 && device.RequestsCompleted == Requests ? 0 : 1;
