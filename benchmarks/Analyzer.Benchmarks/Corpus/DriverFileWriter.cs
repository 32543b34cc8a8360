using System;
using System.Globalization;
using System.Text;

namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>
/// Writes one driver-style source file: a device object that uses pool allocation (the modern
/// routine and the down-level helpers), lookaside lists, spin locks (ordinary and in-stack queued), a DPC and explicit IRQL changes the
/// way WDK C code does, a shared helper the previous file's device calls under its lock (calls
/// across files, for the IRQL engine's caller search), followed by ordinary C#. Each file carries
/// a rotating subset of the device routines, with pool flags and types, sizes and tags varied per file;
/// <see cref="SeededFinding"/> adds one deliberate mistake.
/// </summary>
internal static class DriverFileWriter
{
    private const int RoutinesPerFile = 2;
    private const int OrdinaryMembersPerFile = 1;
    private const string TagAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";

    // Allocation calls with {0} the size and {1} the tag: the modern routine with POOL_FLAGS, and the
    // down-level helpers with POOL_TYPE, so the rules evaluate both kinds of constant.
    private static readonly string[] NonPagedAllocations =
    [
        "ExAllocatePool2(POOL_FLAG_NON_PAGED, {0}, {1})",
        "ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, {0}, {1})",
        "ExAllocatePoolUninitialized(NonPagedPoolNx, {0}, {1})",
        "ExAllocatePoolZero(NonPagedPool | POOL_NX_ALLOCATION, {0}, {1})",
    ];

    private static readonly string[] PagedAllocations =
    [
        "ExAllocatePool2(POOL_FLAG_PAGED, {0}, {1})",
        "ExAllocatePoolZero(PagedPool | POOL_COLD_ALLOCATION, {0}, {1})",
        "ExAllocatePoolUninitialized(PagedPoolCacheAligned, {0}, {1})",
    ];

    private static readonly string[] QuotaAllocations =
    [
        "ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, {0}, {1})",
        "ExAllocatePoolQuotaUninitialized(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, {0}, {1})",
    ];

    private static readonly Func<Shape, string>[] Routines =
    [
        Initialize,
        QueueRequest,
        NormalizeName,
        CycleRequests,
        SpareBuffers,
        Grow,
        Shutdown,
        DeferredWork,
        Send,
    ];

    public static string Write(int index, SeededFinding finding)
    {
        var random = new Random(index);
        var shape = new Shape(
            DeviceTag: "D" + index.ToString("D3", CultureInfo.InvariantCulture)[^3..],
            RequestTag: RandomTag(random, "Rq"),
            NameTag: RandomTag(random, "Nm"),
            ScratchTag: RandomTag(random, "Sc"),
            NonPaged: NonPagedAllocations[random.Next(NonPagedAllocations.Length)],
            Paged: PagedAllocations[random.Next(PagedAllocations.Length)],
            Quota: QuotaAllocations[random.Next(QuotaAllocations.Length)],
            RequestSize: 8 * random.Next(4, 64),
            NameSize: 16 * random.Next(2, 32),
            Header: 8 * random.Next(1, 4),
            Depth: random.Next(0, 64));
        string suffix = index.ToString("D4", CultureInfo.InvariantCulture);
        string previous = Math.Max(index - 1, 0).ToString("D4", CultureInfo.InvariantCulture);

        var source = new StringBuilder(4 * 1024);
        source.Append(CultureInfo.InvariantCulture, $$"""
            using System;
            using System.Collections.Generic;
            using System.Globalization;
            using System.Linq;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;
            using PoolAnalyzers.Runtime;
            using static PoolAnalyzers.Runtime.Ex;
            using static PoolAnalyzers.Runtime.Ke;
            using static PoolAnalyzers.Runtime.KIRQL;
            using static PoolAnalyzers.Runtime.POOL_FLAGS;
            using static PoolAnalyzers.Runtime.POOL_TYPE;

            namespace Driver.Module{{suffix}};

            internal static class Shared{{suffix}}
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public static nint Reserve(nuint length) => ExAllocatePool2(POOL_FLAG_NON_PAGED, length + {{8 * random.Next(1, 8)}}, "Sh{{suffix[^2..]}}");
            }

            internal sealed class Device{{suffix}}
            {
                private const string DeviceTag = "{{shape.DeviceTag}}";
                private const uint ReserveTag = 0x{{TagValue(RandomTag(random, "Rs")):X8}}u;
                private const uint BlockSize = {{16 * random.Next(2, 16)}};
                private const uint ReserveSize = BlockSize * {{random.Next(8, 64)}};

                private readonly KSPIN_LOCK _lock = new();
                private readonly NPAGED_LOOKASIDE_LIST _requests = new();
                private readonly PAGED_LOOKASIDE_LIST _names = new();
                private readonly KSPIN_LOCK _spareLock = new();
                private readonly Stack<nint> _spares = new();
                private readonly Dictionary<int, nint> _buffers = new();

                private nint Reserve { get; set; }

                public override string ToString() => string.Create(
                    CultureInfo.InvariantCulture,
                    $"{DeviceTag}: {_buffers.Count} buffers, {_requests.TotalAllocates} requests, {_names.TotalAllocates} names, {_spares.Count} spares, lock {_lock}");

            """);
        for (int i = 0; i < RoutinesPerFile; i++)
        {
            source.Append('\n').Append(Routines[((index * RoutinesPerFile) + i) % Routines.Length](shape with { Previous = previous }));
        }

        string? mistake = Finding(finding);
        if (mistake is not null)
        {
            source.Append('\n').Append(mistake);
        }

        source.Append("}\n");
        OrdinaryCodeWriter.Write(source, suffix, random, index * OrdinaryMembersPerFile, OrdinaryMembersPerFile);
        return source.ToString();
    }

    private static string Initialize(Shape shape) => $$"""
            [IrqlRequiresMax(PASSIVE_LEVEL)]
            public NTSTATUS Initialize()
            {
                KeInitializeSpinLock(_lock);
                KeInitializeSpinLock(_spareLock);
                ExInitializeNPagedLookasideList(_requests, null, null, (uint)POOL_NX_ALLOCATION, {{shape.RequestSize}}, "{{shape.RequestTag}}", {{shape.Depth}});
                ExInitializePagedLookasideList(_names, null, null, 0, {{shape.NameSize}}, "{{shape.NameTag}}", {{shape.Depth}});
                Reserve = {{Call(shape.NonPaged, "ReserveSize", "ReserveTag")}};
                return Reserve == 0 ? NTSTATUS.STATUS_INSUFFICIENT_RESOURCES : NTSTATUS.STATUS_SUCCESS;
            }

        """;

    private static string QueueRequest(Shape shape) => $$"""
            [IrqlRequiresMax(DISPATCH_LEVEL)]
            public bool QueueRequest(int id, int length)
            {
                KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                try
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_requests);
                    if (entry == 0)
                    {
                        return false;
                    }

                    nint copy = {{Call(shape.NonPaged, $"(nuint)length + {shape.Header}", "DeviceTag")}};
                    ExFreeToNPagedLookasideList(_requests, entry);
                    _buffers[id] = copy;
                    return copy != 0;
                }
                finally
                {
                    KeReleaseSpinLock(_lock, oldIrql);
                }
            }

        """;

    private static string NormalizeName(Shape shape) => $$"""
            [IrqlRequiresMax(APC_LEVEL)]
            public string NormalizeName(string name)
            {
                nint cached = ExAllocateFromPagedLookasideList(_names);
                nint scratch = {{Call(shape.Paged, "(nuint)(name.Length * 2 + 2)", $"\"{shape.ScratchTag}\"")}};
                var builder = new StringBuilder(name.Length);
                foreach (char c in name)
                {
                    builder.Append(char.IsLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
                }

                ExFreePoolWithTag(scratch, "{{shape.ScratchTag}}");
                ExFreeToPagedLookasideList(_names, cached);
                return builder.ToString();
            }

        """;

    private static string CycleRequests(Shape shape) => """
            public int CycleRequests(int count)
            {
                KeRaiseIrql(DISPATCH_LEVEL, out KIRQL oldIrql);
                int cycled = 0;
                for (int i = 0; i < count; i++)
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_requests);
                    if (entry == 0)
                    {
                        break;
                    }

                    ExFreeToNPagedLookasideList(_requests, entry);
                    cycled++;
                }

                KeLowerIrql(oldIrql);
                return cycled;
            }

        """;

    private static string SpareBuffers(Shape shape) => """
            [IrqlRequiresMax(DISPATCH_LEVEL)]
            public nint TakeSpare()
            {
                KeAcquireInStackQueuedSpinLock(_spareLock, out KLOCK_QUEUE_HANDLE handle);
                nint spare = _spares.Count == 0 ? 0 : _spares.Pop();
                KeReleaseInStackQueuedSpinLock(ref handle);
                return spare;
            }

            [IrqlRequiresMax(DISPATCH_LEVEL)]
            public void ReturnSpare(nint buffer)
            {
                KeAcquireInStackQueuedSpinLock(_spareLock, out KLOCK_QUEUE_HANDLE handle);
                _spares.Push(buffer);
                KeReleaseInStackQueuedSpinLock(ref handle);
            }

        """;

    private static string Grow(Shape shape) => $$"""
            [IrqlRequiresMax(PASSIVE_LEVEL)]
            public NTSTATUS Grow()
            {
                nint extra = {{Call(shape.Quota, "ReserveSize", "ReserveTag")}};
                if (extra == 0)
                {
                    return NTSTATUS.STATUS_QUOTA_EXCEEDED;
                }

                KeAcquireInStackQueuedSpinLock(_spareLock, out KLOCK_QUEUE_HANDLE handle);
                _spares.Push(extra);
                KeReleaseInStackQueuedSpinLock(ref handle);
                return NTSTATUS.STATUS_SUCCESS;
            }

        """;

    private static string Shutdown(Shape shape) => """
            [IrqlRequiresMax(PASSIVE_LEVEL)]
            public void Shutdown()
            {
                KIRQL irql = KeRaiseIrqlToDpcLevel();
                KeAcquireSpinLockAtDpcLevel(_lock);
                nint[] buffers = _buffers.Values.ToArray();
                nint[] spares = _spares.ToArray();
                _buffers.Clear();
                _spares.Clear();
                KeReleaseSpinLockFromDpcLevel(_lock);
                KeLowerIrql(irql);

                foreach (nint buffer in buffers)
                {
                    ExFreePoolWithTag(buffer, DeviceTag);
                }

                foreach (nint spare in spares)
                {
                    ExFreePool2(spare, ReserveTag, null, 0);
                }

                ExDeleteNPagedLookasideList(_requests);
                ExDeletePagedLookasideList(_names);
                ExFreePoolWithTag(Reserve, ReserveTag);
            }

        """;

    private static string DeferredWork(Shape shape) => """
            [IrqlRequiresMax(DISPATCH_LEVEL)]
            public void StartDeferredWork(KDPC dpc) => KeInitializeDpc(dpc, OnDeferredWork, this);

            private void OnDeferredWork(KDPC dpc, object? context, object? argument1, object? argument2)
            {
                KeAcquireInStackQueuedSpinLockAtDpcLevel(_lock, out KLOCK_QUEUE_HANDLE handle);
                nint entry = ExAllocateFromNPagedLookasideList(_requests);
                KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
                Recycle(entry);
            }

            private void Recycle(nint entry)
            {
                if (entry != 0)
                {
                    ExFreeToNPagedLookasideList(_requests, entry);
                }
            }

        """;

    private static string Send(Shape shape) => $$"""
            [IrqlRequiresMax(DISPATCH_LEVEL)]
            public bool Send(int id, int length)
            {
                KeAcquireInStackQueuedSpinLock(_lock, out KLOCK_QUEUE_HANDLE handle);
                nint buffer = Driver.Module{{shape.Previous}}.Shared{{shape.Previous}}.Reserve((nuint)length);
                if (buffer != 0)
                {
                    _buffers[id] = buffer;
                }

                KeReleaseInStackQueuedSpinLock(ref handle);
                return buffer != 0;
            }

        """;

    private static string? Finding(SeededFinding finding) => finding switch
    {
        SeededFinding.None => null,
        SeededFinding.ObsoleteAllocation => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public void LegacyAllocate()
                {
                    nint legacy = ExAllocatePool(NonPagedPoolNx, 64);
                    ExFreePool(legacy);
                }

            """,
        SeededFinding.InvalidTag => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public nint AllocateWithLongTag() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Buffer");

            """,
        SeededFinding.ZeroSize => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public nint AllocateNothing() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 0, DeviceTag);

            """,
        SeededFinding.PagedAtDispatch => """
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public nint AllocatePagedUnderLock()
                {
                    KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                    nint buffer = ExAllocatePoolZero(PagedPool, 128, DeviceTag);
                    KeReleaseSpinLock(_lock, oldIrql);
                    return buffer;
                }

            """,
        SeededFinding.DefaultTag => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public nint AllocateWithDefaultTag() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Wdm ");

            """,
        SeededFinding.ExecutablePool => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public nint AllocateExecutable() => ExAllocatePoolZero(NonPagedPool, 64, DeviceTag);

            """,
        SeededFinding.DeprecatedAllocation => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public nint AllocateTheOldWay() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, DeviceTag);

            """,
        SeededFinding.FlagsConfusion => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public nint AllocateWithPoolTypeAsFlags() => ExAllocatePool2((POOL_FLAGS)NonPagedPoolNx, 64, DeviceTag);

            """,
        SeededFinding.ObsoleteRoutine => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public uint ReserveBlocks() => Mm.MmIsThisAnNtAsSystem() ? 64u : 16u;

            """,
        SeededFinding.PagedInHelperUnderLock => """
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public void RefreshUnderLock()
                {
                    KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                    nint option = ReadOption();
                    KeReleaseSpinLock(_lock, oldIrql);
                    ExFreePoolWithTag(option, DeviceTag);
                }

                private nint ReadOption() => ExAllocatePool2(POOL_FLAG_PAGED, 64, DeviceTag);

            """,
        SeededFinding.ForbiddenIrqlCall => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                private void Reconfigure() => ExInitializeDriverRuntime(DrvRtPoolNxOptIn);

                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public void ReconfigureUnderLock()
                {
                    KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                    Reconfigure();
                    KeReleaseSpinLock(_lock, oldIrql);
                }

            """,
        SeededFinding.LockLeftHeld => """
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public bool TryReserve(int count)
                {
                    KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                    if (count > 8)
                    {
                        return false;
                    }

                    KeReleaseSpinLock(_lock, oldIrql);
                    return true;
                }

            """,
        SeededFinding.UncheckedResult => """
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public int ClearRequest(int id)
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_requests);
                    Rtl.RtlZeroMemory(entry, 8);
                    ExFreeToNPagedLookasideList(_requests, entry);
                    return id;
                }

            """,
        SeededFinding.LeakOnErrorPath => """
                [IrqlRequiresMax(PASSIVE_LEVEL)]
                public NTSTATUS CopyName(string name)
                {
                    nint copy = ExAllocatePool2(POOL_FLAG_NON_PAGED, (nuint)(name.Length * 2), DeviceTag);
                    if (copy == 0)
                    {
                        return NTSTATUS.STATUS_INSUFFICIENT_RESOURCES;
                    }

                    if (name.Length > 128)
                    {
                        return NTSTATUS.STATUS_INVALID_PARAMETER;
                    }

                    ExFreePoolWithTag(copy, DeviceTag);
                    return NTSTATUS.STATUS_SUCCESS;
                }

            """,
        SeededFinding.MismatchedFree => """
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                public void ReturnToPool()
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_requests);
                    if (entry != 0)
                    {
                        ExFreePool(entry);
                    }
                }

            """,
        _ => throw new ArgumentOutOfRangeException(nameof(finding), finding, "Unknown seeded finding."),
    };

    /// <summary>An allocation call: <paramref name="format"/> (one of the allocation lists above) with its size and tag.</summary>
    private static string Call(string format, string size, string tag) => string.Format(CultureInfo.InvariantCulture, format, size, tag);

    private static string RandomTag(Random random, string prefix) =>
        string.Concat(prefix, TagAlphabet[random.Next(TagAlphabet.Length)].ToString(), TagAlphabet[random.Next(TagAlphabet.Length)].ToString());

    /// <summary>The ULONG value of a text tag: the first character goes in the lowest byte.</summary>
    private static uint TagValue(string tag)
    {
        uint value = 0;
        for (int i = tag.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | tag[i];
        }

        return value;
    }

    /// <summary>The per-file choices the routines are written with.</summary>
    private sealed record Shape(
        string DeviceTag,
        string RequestTag,
        string NameTag,
        string ScratchTag,
        string NonPaged,
        string Paged,
        string Quota,
        int RequestSize,
        int NameSize,
        int Header,
        int Depth,
        string Previous = "0000");
}
