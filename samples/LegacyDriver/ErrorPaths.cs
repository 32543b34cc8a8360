using System;
using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.NTSTATUS;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace LegacyDriver;

/// <summary>
/// A private IOCTL that hands the diagnostics tool a snapshot of the device's counters. Added in the
/// second release; the tool that sent it was never shipped, so no supported configuration calls it.
/// </summary>
internal static class ErrorPaths
{
    public static readonly PoolTag SnapshotTag = "LgSn";

    private const uint SnapshotBytes = 32;

    /// <summary>Copies a counter snapshot into <paramref name="output"/>; STATUS_INVALID_PARAMETER when it does not fit.</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static unsafe NTSTATUS QueryStatistics(DeviceExtension device, Span<byte> output)
    {
        nint snapshot = ExAllocatePool2(POOL_FLAG_PAGED, SnapshotBytes, SnapshotTag);
        if (snapshot == 0)
        {
            return STATUS_INSUFFICIENT_RESOURCES;
        }

        ulong* counters = (ulong*)snapshot;
        counters[0] = (ulong)device.RequestsCompleted;
        counters[1] = device.BytesCompleted;
        counters[2] = (ulong)device.ChecksumFailures;
        counters[3] = device.NextSequence;

        // The size check was added after a support case; its early return forgot the snapshot (POOL010).
        if (output.Length < SnapshotBytes)
        {
            return STATUS_INVALID_PARAMETER;
        }

        new ReadOnlySpan<byte>((void*)snapshot, (int)SnapshotBytes).CopyTo(output);
        ExFreePoolWithTag(snapshot, SnapshotTag);
        return STATUS_SUCCESS;
    }
}
