using System.Runtime.InteropServices;

namespace LegacyDriver;

/// <summary>
/// One write request in flight, in nonpaged memory from the packet lookaside list. Pending packets
/// are chained through <see cref="Next"/> so queueing never allocates.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct REQUEST_PACKET
{
    public nint Next;
    public nint Message;
    public nint FileContext;
    public uint Sequence;
    public uint Length;
    public uint Checksum;
}

/// <summary>Per-open state, in paged memory from the context lookaside list: touched only at PASSIVE_LEVEL.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FILE_CONTEXT
{
    public uint OpenId;
    public uint RequestsWritten;
    public ulong BytesWritten;
}
