using System;
using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace LegacyDriver;

/// <summary>The completion DPC the device's interrupt queues. It runs at DISPATCH_LEVEL: no paged memory may be touched.</summary>
internal static class Completion
{
    /// <summary>Takes every pending packet off the queue, checks its payload and returns packet and message to their allocators.</summary>
    [IrqlRequires(DISPATCH_LEVEL)]
    public static unsafe void CompletionDpc(DeviceExtension device)
    {
        KeAcquireSpinLockAtDpcLevel(device.QueueLock);
        nint packet = device.PendingHead;
        device.PendingHead = 0;
        device.PendingTail = 0;
        KeReleaseSpinLockFromDpcLevel(device.QueueLock);

        while (packet != 0)
        {
            var request = (REQUEST_PACKET*)packet;
            nint next = request->Next;
            var payload = new ReadOnlySpan<byte>((void*)request->Message, (int)request->Length);
            if (Checksum.Of(payload) == request->Checksum)
            {
                device.RequestsCompleted++;
                device.BytesCompleted += request->Length;
            }
            else
            {
                device.ChecksumFailures++;
            }

            if (device.Parameters.TraceCompletions)
            {
                // Added for a support case and only ever run with tracing on in a debugger.
                nint record = ExAllocatePoolWithTag(PagedPool, DeviceExtension.MessageBlockSize, DeviceExtension.TraceTag);
                if (record != 0)
                {
                    payload.CopyTo(new Span<byte>((void*)record, payload.Length));
                    device.TraceRecords.Add(record);
                }
            }

            if (device.Parameters.UseLegacyAllocator)
            {
                LegacyAllocator.FreeMessage(request->Message);
                LegacyAllocator.FreePacket(packet);
            }
            else
            {
                ExInterlockedFreeToZone(device.MessageZone, request->Message, device.ZoneLock);
                ExFreeToNPagedLookasideList(device.PacketLookaside, packet);
            }

            packet = next;
        }
    }
}
