using System.Collections.Generic;
using PoolAnalyzers.Runtime;

namespace LegacyDriver;

/// <summary>The driver's per-device state, what <c>DEVICE_OBJECT.DeviceExtension</c> points to in C.</summary>
internal sealed class DeviceExtension(DriverParameters parameters, PoolSizing sizing)
{
    /// <summary>Bytes in one zone block: a message buffer.</summary>
    public const uint MessageBlockSize = 256;

    /// <summary>How long the first write of a batch waits for more before the completion DPC runs: 1 ms, relative (negative, in 100 ns units).</summary>
    public const long CompletionDelay = -10_000;

    public static readonly PoolTag PacketTag = "LgPk";
    public static readonly PoolTag ContextTag = "LgCx";
    public static readonly PoolTag ZoneSegmentTag = "LgZn";
    public static readonly PoolTag TraceTag = "LgTr";

    /// <summary>Every tag the driver allocates with, for pool tracking and the unload check.</summary>
    public static readonly PoolTag[] AllTags = [PacketTag, ContextTag, ZoneSegmentTag, TraceTag];

    public DriverParameters Parameters { get; } = parameters;

    public PoolSizing Sizing { get; } = sizing;

    /// <summary>Request packets: allocated at PASSIVE_LEVEL, freed by the DPC at DISPATCH_LEVEL, so nonpaged.</summary>
    public NPAGED_LOOKASIDE_LIST PacketLookaside { get; } = new();

    /// <summary>Per-open contexts: created and closed at PASSIVE_LEVEL only, so paged.</summary>
    public PAGED_LOOKASIDE_LIST ContextLookaside { get; } = new();

    /// <summary>Message buffers, the driver's original fixed-size allocator.</summary>
    public ZONE_HEADER MessageZone { get; } = new();

    public KSPIN_LOCK ZoneLock { get; } = new();

    /// <summary>Guards <see cref="PendingHead"/> and <see cref="PendingTail"/>; always taken as an in-stack queued spin lock.</summary>
    public KSPIN_LOCK QueueLock { get; } = new();

    /// <summary>Set by the first write of a batch; at expiry it queues <see cref="CompletionDpcObject"/>.</summary>
    public KTIMER CompletionTimer { get; } = new();

    /// <summary>Runs <see cref="Completion.CompletionDpc"/> at DISPATCH_LEVEL on one of the machine's processors.</summary>
    public KDPC CompletionDpcObject { get; } = new();

    /// <summary>Every zone segment, first one included: a zone never gives its memory back, the driver frees it at unload.</summary>
    public List<nint> ZoneSegments { get; } = [];

    /// <summary>Trace copies kept while <see cref="DriverParameters.TraceCompletions"/> is on.</summary>
    public List<nint> TraceRecords { get; } = [];

    /// <summary>The first release's statistics block; only allocated on the legacy path.</summary>
    public nint LegacyStatistics { get; set; }

    public nint PendingHead { get; set; }

    public nint PendingTail { get; set; }

    public uint NextSequence { get; set; }

    public uint NextOpenId { get; set; }

    public int RequestsCompleted { get; set; }

    public ulong BytesCompleted { get; set; }

    public int ChecksumFailures { get; set; }
}
