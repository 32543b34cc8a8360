using System;
using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.Nt;
using static PoolAnalyzers.Runtime.NTSTATUS;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace LegacyDriver;

/// <summary>The driver's dispatch routines. They run at PASSIVE_LEVEL in the requesting thread.</summary>
internal static class Dispatch
{
    /// <summary>IRP_MJ_CREATE: a per-open context from the paged lookaside list.</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static unsafe nint DispatchCreate(DeviceExtension device)
    {
        nint context = ExAllocateFromPagedLookasideList(device.ContextLookaside);
        if (context != 0)
        {
            *(FILE_CONTEXT*)context = new FILE_CONTEXT { OpenId = ++device.NextOpenId };
        }

        return context;
    }

    /// <summary>IRP_MJ_CLOSE: the context goes back to its lookaside list.</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static void DispatchClose(DeviceExtension device, nint context)
        => ExFreeToPagedLookasideList(device.ContextLookaside, context);

    /// <summary>
    /// IRP_MJ_WRITE: copies the payload into a zone message buffer, wraps it in a request packet
    /// and queues the packet for <see cref="Completion.CompletionDpc"/>, which the completion timer runs.
    /// </summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static unsafe NTSTATUS DispatchWrite(DeviceExtension device, nint context, ReadOnlySpan<byte> payload)
    {
        bool legacy = device.Parameters.UseLegacyAllocator;
        if (!legacy && payload.Length > DeviceExtension.MessageBlockSize)
        {
            return STATUS_INVALID_PARAMETER;
        }

        nint message = legacy ? LegacyAllocator.AllocateMessage((uint)payload.Length) : AllocateMessage(device);
        if (message == 0)
        {
            return STATUS_INSUFFICIENT_RESOURCES;
        }

        nint packet = legacy ? LegacyAllocator.AllocatePacket() : ExAllocateFromNPagedLookasideList(device.PacketLookaside);
        if (packet == 0)
        {
            if (legacy)
            {
                LegacyAllocator.FreeMessage(message);
            }
            else
            {
                ExInterlockedFreeToZone(device.MessageZone, message, device.ZoneLock);
            }

            return STATUS_INSUFFICIENT_RESOURCES;
        }

        payload.CopyTo(new Span<byte>((void*)message, payload.Length));
        var file = (FILE_CONTEXT*)context;
        file->RequestsWritten++;
        file->BytesWritten += (ulong)payload.Length;

        *(REQUEST_PACKET*)packet = new REQUEST_PACKET
        {
            Message = message,
            FileContext = context,
            Sequence = ++device.NextSequence,
            Length = (uint)payload.Length,
            Checksum = Checksum.Of(payload),
        };

        KeAcquireInStackQueuedSpinLock(device.QueueLock, out KLOCK_QUEUE_HANDLE lockHandle);
        if (device.PendingTail == 0)
        {
            // The first write of a batch starts the completion timer; later ones ride along.
            device.PendingHead = packet;
            KeSetTimer(device.CompletionTimer, DeviceExtension.CompletionDelay, device.CompletionDpcObject);
        }
        else
        {
            ((REQUEST_PACKET*)device.PendingTail)->Next = packet;
        }

        device.PendingTail = packet;
        KeReleaseInStackQueuedSpinLock(ref lockHandle);
        return STATUS_SUCCESS;
    }

    /// <summary>A message buffer from the zone; when the zone is exhausted it grows by one more segment.</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    private static nint AllocateMessage(DeviceExtension device)
    {
        nint message = ExInterlockedAllocateFromZone(device.MessageZone, device.ZoneLock);
        if (message != 0)
        {
            return message;
        }

        uint segmentSize = Driver.ZoneSegmentSize(device.Sizing.ExtensionZoneBlocks);
        nint segment = ExAllocatePool2(POOL_FLAG_NON_PAGED, segmentSize, DeviceExtension.ZoneSegmentTag);
        if (segment == 0)
        {
            return 0;
        }

        NTSTATUS status = ExInterlockedExtendZone(device.MessageZone, segment, segmentSize, device.ZoneLock);
        if (!NT_SUCCESS(status))
        {
            ExFreePoolWithTag(segment, DeviceExtension.ZoneSegmentTag);
            return 0;
        }

        device.ZoneSegments.Add(segment);
        return ExInterlockedAllocateFromZone(device.MessageZone, device.ZoneLock);
    }
}
