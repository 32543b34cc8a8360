using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.Ke;

namespace LegacyDriver;

/// <summary>
/// Per-open accounting added in the second release for a "requests pending per open" counter that a
/// diagnostics tool queries. No supported configuration calls it.
/// </summary>
internal static class IrqlHelpers
{
    /// <summary>How many queued packets belong to the open <paramref name="openId"/>: walks the pending queue under its lock.</summary>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static unsafe int PendingForOpen(DeviceExtension device, uint openId)
    {
        KeAcquireSpinLock(device.QueueLock, out KIRQL oldIrql);
        int pending = 0;
        for (nint packet = device.PendingHead; packet != 0; packet = ((REQUEST_PACKET*)packet)->Next)
        {
            if (SnapshotOpenId(device, ((REQUEST_PACKET*)packet)->FileContext) == openId)
            {
                pending++;
            }
        }

        KeReleaseSpinLock(device.QueueLock, oldIrql);
        return pending;
    }

    // Written first for the create path at PASSIVE_LEVEL, where a scratch FILE_CONTEXT from the paged
    // context lookaside list is fine. PendingForOpen later called it under the queue lock, at
    // DISPATCH_LEVEL, where paged pool must not be touched: the mistake the port kept. POOL004 reports
    // both lookaside calls here, naming PendingForOpen and where it took the lock.
    private static unsafe uint SnapshotOpenId(DeviceExtension device, nint context)
    {
        nint scratch = ExAllocateFromPagedLookasideList(device.ContextLookaside);
        if (scratch == 0)
        {
            return 0;
        }

        *(FILE_CONTEXT*)scratch = *(FILE_CONTEXT*)context;
        uint openId = ((FILE_CONTEXT*)scratch)->OpenId;
        ExFreeToPagedLookasideList(device.ContextLookaside, scratch);
        return openId;
    }
}
