using System.Collections.Immutable;

namespace PoolAnalyzers.Test.Meta;

/// <summary>
/// Representative driver-style sources: ported WDK code with and without the mistakes the rules
/// catch. They feed the equivalence-key and robustness meta-tests, and must compile.
/// </summary>
internal static class DriverCorpus
{
    public const string Usings = """
        using System;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.Ke;
        using static PoolAnalyzers.Runtime.KIRQL;
        using static PoolAnalyzers.Runtime.POOL_TYPE;

        """;

    public static ImmutableArray<(string Name, string Source)> Sources { get; } =
    [
        ("LegacyAllocations.cs", Usings + """
            internal static class LegacyAllocations
            {
                private const nuint HeaderSize = 32;

                public static nint AllocateHeader() => ExAllocatePool(NonPagedPool, HeaderSize);

                public static nint AllocateCharged(nuint bytes) => ExAllocatePoolWithQuota(PagedPool, bytes);

                public static nint AllocateQualified() => Ex.ExAllocatePool(POOL_TYPE.NonPagedPoolNx, 64);

                public static void Release(nint block) => ExFreePool(block);
            }
            """),
        ("TaggedAllocations.cs", Usings + """
            internal sealed class DeviceExtension
            {
                private static readonly PoolTag BufferTag = "DevB";
                private const uint NumericTag = 0x42766544;

                public nint Buffer;

                public void Start(nuint size)
                {
                    Buffer = ExAllocatePoolWithTag(NonPagedPoolNx, size, BufferTag);
                    nint scratch = ExAllocatePoolWithTag(PagedPool, 128, "Scr");
                    nint empty = ExAllocatePoolWithTag(NonPagedPoolNx, 0, "Zero");
                    nint badTag = ExAllocatePoolWithTag(NonPagedPoolNx, 16, "TooLong");
                    nint noTag = ExAllocatePoolWithQuotaTag(PagedPool, 16, 0u);
                    nint numeric = ExAllocatePoolWithTag(NonPagedPoolNx, 16, NumericTag);
                    ExFreePoolWithTag(scratch, "Scr");
                    ExFreePoolWithTag(empty, "Zero");
                    ExFreePoolWithTag(badTag, "TooL");
                    ExFreePoolWithTag(noTag, default);
                    ExFreePoolWithTag(numeric, NumericTag);
                }

                public void Stop() => ExFreePoolWithTag(Buffer, BufferTag);
            }
            """),
        ("DispatchRoutines.cs", Usings + """
            internal sealed class DpcWork
            {
                private readonly KSPIN_LOCK _lock = new();
                private readonly PAGED_LOOKASIDE_LIST _paged = new();
                private readonly NPAGED_LOOKASIDE_LIST _nonPaged = new();

                public DpcWork()
                {
                    KeInitializeSpinLock(_lock);
                    ExInitializePagedLookasideList(_paged, null, null, 0, 64, "PgLk", 0);
                    ExInitializeNPagedLookasideList(_nonPaged, null, null, 0, 64, "NpLk", 0);
                }

                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public nint OnDpc()
                {
                    nint paged = ExAllocatePoolWithTag(PagedPool, 64, "DpcP");
                    nint cold = ExAllocatePoolWithTag(PagedPool | POOL_COLD_ALLOCATION, 64, "DpcC");
                    nint entry = ExAllocateFromPagedLookasideList(_paged);
                    ExFreeToPagedLookasideList(_paged, entry);
                    ExFreePoolWithTag(cold, "DpcC");
                    return paged;
                }

                [IrqlRequires(DISPATCH_LEVEL)]
                public void AtDispatch()
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_nonPaged);
                    ExFreeToNPagedLookasideList(_nonPaged, entry);
                }

                [IrqlRequiresMax(APC_LEVEL)]
                public nint AtPassive() => ExAllocatePoolWithTag(PagedPool, 64, "Pasv");

                public void UnderLock()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    Func<nint> later = [IrqlRequiresMax(HIGH_LEVEL)] () => ExAllocatePool(PagedPoolCacheAligned, 8);
                    KeReleaseSpinLock(_lock, old);
                    _ = later;
                }
            }
            """),
        ("Zones.cs", Usings + """
            internal static class Zones
            {
                public static unsafe NTSTATUS Create(ZONE_HEADER zone, KSPIN_LOCK lockObject)
                {
                    nint segment = ExAllocatePoolWithTag(NonPagedPoolNx, 4096, "Zone");
                    NTSTATUS status = ExInitializeZone(zone, 64, segment, 4096);
                    if (!Nt.NT_SUCCESS(status))
                    {
                        return status;
                    }

                    nint block = ExInterlockedAllocateFromZone(zone, lockObject);
                    _ = ExInterlockedFreeToZone(zone, block, lockObject);
                    return ExIsFullZone(zone) ? NTSTATUS.STATUS_INSUFFICIENT_RESOURCES : status;
                }
            }
            """),
        ("ErrorPaths.cs", Usings + """
            internal sealed class RequestQueue
            {
                private const string RequestTag = "Rq01";
                private readonly NPAGED_LOOKASIDE_LIST _requests = new();
                private nint _header;

                public unsafe NTSTATUS Queue(int length)
                {
                    nint request = ExAllocateFromNPagedLookasideList(_requests);
                    *(int*)request = length;
                    nint copy = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)length, RequestTag);
                    if (copy == 0)
                    {
                        ExFreeToNPagedLookasideList(_requests, request);
                        return NTSTATUS.STATUS_INSUFFICIENT_RESOURCES;
                    }

                    if (length > 4096)
                    {
                        ExFreeToNPagedLookasideList(_requests, request);
                        return NTSTATUS.STATUS_INVALID_PARAMETER;
                    }

                    ExFreePoolWithTag(copy, "Rq02");
                    ExFreePool(request);
                    return NTSTATUS.STATUS_SUCCESS;
                }

                public void Start() => _header = ExAllocatePoolWithTag(NonPagedPoolNx, 64, RequestTag);

                public void Stop() => ExFreePoolWithTag(_header, "Hdr1");
            }
            """),
    ];
}
