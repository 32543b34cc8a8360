using System;
using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace LegacyDriver;

/// <summary>
/// The completion DPC the device's completion timer queues. It runs at DISPATCH_LEVEL on one of the
/// machine's processors: no paged memory may be touched.
/// </summary>
internal static class Completion
{
    /// <summary>Takes every pending packet off the queue, checks its payload and returns packet and message to their allocators.</summary>
    /// <remarks>A <see cref="PKDEFERRED_ROUTINE"/>: <paramref name="deferredContext"/> is the device, set by <c>KeInitializeDpc</c>.</remarks>
    [IrqlRequires(DISPATCH_LEVEL)]
    public static unsafe void CompletionDpc(KDPC dpc, object? deferredContext, object? systemArgument1, object? systemArgument2)
    {
        var device = (DeviceExtension)deferredContext!;
        KeAcquireInStackQueuedSpinLockAtDpcLevel(device.QueueLock, out KLOCK_QUEUE_HANDLE lockHandle);
        nint packet = device.PendingHead;
        device.PendingHead = 0;
        device.PendingTail = 0;
        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref lockHandle);

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
