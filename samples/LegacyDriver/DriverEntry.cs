using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.Mm;
using static PoolAnalyzers.Runtime.Nt;
using static PoolAnalyzers.Runtime.NTSTATUS;
using static PoolAnalyzers.Runtime.POOL_FLAGS;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace LegacyDriver;

/// <summary>Load and unload: everything the driver allocates for its lifetime is set up here and torn down in <see cref="DriverUnload"/>.</summary>
internal static class Driver
{
    /// <summary>Sizes the driver's pools from the machine, then initializes the lookaside lists, the zone and the locks.</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static unsafe NTSTATUS DriverEntry(DriverParameters parameters, out DeviceExtension? device)
    {
        device = null;
        var extension = new DeviceExtension(parameters, PoolSizing.For(MmQuerySystemSize()));

        KeInitializeSpinLock(extension.ZoneLock);
        KeInitializeSpinLock(extension.QueueLock);
        KeInitializeDpc(extension.CompletionDpcObject, Completion.CompletionDpc, extension);
        KeInitializeTimer(extension.CompletionTimer);

        // The Depth argument is reserved (the kernel tunes depth itself); nothing is preallocated.
        ExInitializeNPagedLookasideList(extension.PacketLookaside, null, null, (uint)POOL_NX_ALLOCATION,
            (nuint)sizeof(REQUEST_PACKET), DeviceExtension.PacketTag, 0);
        ExInitializePagedLookasideList(extension.ContextLookaside, null, null, 0,
            (nuint)sizeof(FILE_CONTEXT), DeviceExtension.ContextTag, 0);

        uint segmentSize = ZoneSegmentSize(extension.Sizing.InitialZoneBlocks);
        nint segment = ExAllocatePool2(POOL_FLAG_NON_PAGED, segmentSize, DeviceExtension.ZoneSegmentTag);
        if (segment == 0)
        {
            DeleteLookasideLists(extension);
            return STATUS_INSUFFICIENT_RESOURCES;
        }

        NTSTATUS status = ExInitializeZone(extension.MessageZone, DeviceExtension.MessageBlockSize, segment, segmentSize);
        if (!NT_SUCCESS(status))
        {
            ExFreePoolWithTag(segment, DeviceExtension.ZoneSegmentTag);
            DeleteLookasideLists(extension);
            return status;
        }

        extension.ZoneSegments.Add(segment);
        if (parameters.UseLegacyAllocator)
        {
            extension.LegacyStatistics = LegacyAllocator.AllocateStatistics();
        }

        device = extension;
        return STATUS_SUCCESS;
    }

    /// <summary>Gives back everything <see cref="DriverEntry"/> and the zone extensions took. Nothing may be pending.</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static void DriverUnload(DeviceExtension device)
    {
        // A completion still due or queued would run after its packets' memory is gone.
        KeCancelTimer(device.CompletionTimer);
        KeFlushQueuedDpcs();

        foreach (nint record in device.TraceRecords)
        {
            ExFreePoolWithTag(record, DeviceExtension.TraceTag);
        }

        device.TraceRecords.Clear();
        if (device.LegacyStatistics != 0)
        {
            LegacyAllocator.FreeStatistics(device.LegacyStatistics);
            device.LegacyStatistics = 0;
        }

        DeleteLookasideLists(device);

        foreach (nint segment in device.ZoneSegments)
        {
            ExFreePoolWithTag(segment, DeviceExtension.ZoneSegmentTag);
        }

        device.ZoneSegments.Clear();
    }

    /// <summary>A zone segment starts with its 16-byte header, then the blocks.</summary>
    public static uint ZoneSegmentSize(uint blocks) => ZONE_HEADER.SegmentHeaderSize + (blocks * DeviceExtension.MessageBlockSize);

    private static void DeleteLookasideLists(DeviceExtension device)
    {
        ExDeleteNPagedLookasideList(device.PacketLookaside);
        ExDeletePagedLookasideList(device.ContextLookaside);
    }
}
