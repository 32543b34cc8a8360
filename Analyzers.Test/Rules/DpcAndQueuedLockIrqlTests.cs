using System.Threading.Tasks;
using Xunit;
using Pool004 = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.PagedPoolAtDispatchAnalyzer>;
using Pool013 = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.ForbiddenIrqlCallAnalyzer>;
using Pool014 = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.IrqlNotRestoredAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// The IRQL rules on the runtime's DPCs, timers, in-stack queued spin locks and <c>ExAllocatePool2</c>:
/// deferred routines entered at DISPATCH_LEVEL (given to <c>KeInitializeDpc</c>, queued by a timer),
/// queued locks paired by their <c>KLOCK_QUEUE_HANDLE</c>, <c>POOL_FLAG_PAGED</c> as a paged request;
/// each with its negative.
/// </summary>
public sealed class DpcAndQueuedLockIrqlTests
{
    private const string Usings = Sources.KernelUsings;

    [Fact]
    public async Task DeferredRoutineGivenToKeInitializeDpc_RunsAtDispatch()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KDPC _dpc = new();
                private readonly KDPC _lambdaDpc = new();

                void Start()
                {
                    KeInitializeDpc(_dpc, OnDpc, null);
                    KeInitializeDpc(_lambdaDpc, (dpc, context, a1, a2) => Ex.ExAllocatePool2({|#1:POOL_FLAG_PAGED|}, 64, "Drv2"), null);
                }

                void OnDpc(KDPC dpc, object? context, object? a1, object? a2)
                {
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    Ex.ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                }

                void SameShapeNeverQueued(KDPC dpc, object? context, object? a1, object? a2) => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
            }
            """;

        await Pool004.VerifyAnalyzerAsync(
            source,
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(1).WithArguments("ExAllocatePool2", "POOL_FLAG_PAGED", "lambda in Start", "runs at DISPATCH_LEVEL as the deferred routine of a DPC (KeInitializeDpc at Test0.cs:16)"),
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "OnDpc", "runs at DISPATCH_LEVEL as the deferred routine of a DPC (KeInitializeDpc at Test0.cs:15)"));
    }

    [Fact]
    public async Task TimerDpcInAnotherFile_HelperReportedWithTheChain()
    {
        var test = new Pool004.Test();
        test.TestState.Sources.Add(("/0/Watchdog.cs", Usings + """
            class Watchdog
            {
                private readonly KTIMER _timer = new();
                private readonly KDPC _dpc = new();

                public void Arm()
                {
                    KeInitializeTimer(_timer);
                    KeInitializeDpc(_dpc, Expired, this);
                    KeSetTimerEx(_timer, -10_000, 1, _dpc);
                }

                private static void Expired(KDPC dpc, object? context, object? a1, object? a2) => Statistics.Snapshot();
            }
            """));
        test.TestState.Sources.Add(("/0/Statistics.cs", Sources.Usings + """
            static class Statistics
            {
                public static nint Snapshot() => ExAllocatePoolWithTag({|#0:PagedPool|}, 256, "Stat");

                public static nint Report() => ExAllocatePoolWithTag(PagedPool, 256, "Stat");
            }
            """));
        test.ExpectedDiagnostics.Add(Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0)
            .WithArguments("ExAllocatePoolWithTag", "PagedPool", "Snapshot", "is called at DISPATCH_LEVEL from 'Expired' (the deferred routine of a DPC, KeInitializeDpc at Watchdog.cs:16)"));

        await test.RunAsync();
    }

    [Fact]
    public async Task DeferredRoutineThroughAVariable_RunsAtDispatchAsTheDelegateSays()
    {
        string source = Usings + """
            class Driver
            {
                void Start(KDPC dpc)
                {
                    PKDEFERRED_ROUTINE routine = OnDpc;
                    KeInitializeDpc(dpc, routine, null);
                }

                void OnDpc(KDPC dpc, object? context, object? a1, object? a2) => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
            }
            """;

        await Pool004.VerifyAnalyzerAsync(
            source,
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "OnDpc", "runs at DISPATCH_LEVEL as a 'PKDEFERRED_ROUTINE' routine (converted at Test0.cs:12)"));
    }

    [Fact]
    public async Task QueuedSpinLock_PagedReportedWhileHeld_NotAfterTheRelease()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireInStackQueuedSpinLock(_lock, out KLOCK_QUEUE_HANDLE handle);
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    Ex.ExAllocatePool2({|#1:POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED|}, 64, "Drv1");
                    Ex.ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    KeReleaseInStackQueuedSpinLock(ref handle);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    Ex.ExAllocatePool2(POOL_FLAG_PAGED, 64, "Drv1");
                }
            }
            """;

        await Pool004.VerifyAnalyzerAsync(
            source,
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Send", "runs at DISPATCH_LEVEL (queued spin lock acquired at Test0.cs:14)"),
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(1).WithArguments("ExAllocatePool2", "POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED", "Send", "runs at DISPATCH_LEVEL (queued spin lock acquired at Test0.cs:14)"));
    }

    [Fact]
    public async Task NestedQueuedLocks_EachReleaseRestoresItsOwnHandle()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KSPIN_LOCK _outer = new();
                private readonly KSPIN_LOCK _inner = new();

                void Move()
                {
                    KeAcquireInStackQueuedSpinLock(_outer, out KLOCK_QUEUE_HANDLE outer);
                    KeAcquireInStackQueuedSpinLockAtDpcLevel(_inner, out KLOCK_QUEUE_HANDLE inner);
                    KeReleaseInStackQueuedSpinLockFromDpcLevel(ref inner);
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    KeReleaseInStackQueuedSpinLock(ref outer);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;

        await Pool004.VerifyAnalyzerAsync(
            source,
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Move", "runs at DISPATCH_LEVEL (queued spin lock acquired at Test0.cs:15)"));
    }

    [Fact]
    public async Task HelperUnderAQueuedLock_ReportedInTheHelper()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireInStackQueuedSpinLock(_lock, out KLOCK_QUEUE_HANDLE handle);
                    ReadOption();
                    KeReleaseInStackQueuedSpinLock(ref handle);
                }

                nint ReadOption() => Ex.ExAllocatePool2({|#0:POOL_FLAG_PAGED|}, 64, "Opt1");
            }
            """;

        await Pool004.VerifyAnalyzerAsync(
            source,
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePool2", "POOL_FLAG_PAGED", "ReadOption", "is called at DISPATCH_LEVEL from 'Send' (queued spin lock acquired at Test0.cs:14)"));
    }

    [Fact]
    public async Task PassiveOnlyRoutinesInADpc_AndAtDpcLevelFormsAtPassive_Pool013()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequires(PASSIVE_LEVEL)]
                void Start(KDPC dpc)
                {
                    KeInitializeDpc(dpc, OnDpc, null);
                    {|#1:KeAcquireInStackQueuedSpinLockAtDpcLevel|}(_lock, out KLOCK_QUEUE_HANDLE handle);
                    KeFlushQueuedDpcs();
                }

                void OnDpc(KDPC dpc, object? context, object? a1, object? a2)
                {
                    {|#0:KeFlushQueuedDpcs|}();
                    KeAcquireInStackQueuedSpinLockAtDpcLevel(_lock, out KLOCK_QUEUE_HANDLE handle);
                    KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
                    KeAcquireInStackQueuedSpinLock(_lock, out KLOCK_QUEUE_HANDLE again);
                    KeReleaseInStackQueuedSpinLock(ref again);
                    KeInsertQueueDpc(dpc, null, null);
                }
            }
            """;

        await Pool013.VerifyAnalyzerAsync(
            source,
            Pool013.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(1).WithArguments("KeAcquireInStackQueuedSpinLockAtDpcLevel", "at least DISPATCH_LEVEL", "Start", "may run at PASSIVE_LEVEL"),
            Pool013.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("KeFlushQueuedDpcs", "PASSIVE_LEVEL", "OnDpc", "runs at DISPATCH_LEVEL as the deferred routine of a DPC (KeInitializeDpc at Test0.cs:15)"));
    }

    [Fact]
    public async Task QueuedReleaseOfAHandleThePathDoesNotHold_NotJudged()
    {
        string source = Usings + """
            class Driver
            {
                private KLOCK_QUEUE_HANDLE _handle;

                [IrqlRequires(PASSIVE_LEVEL)]
                void Unlock() => KeReleaseInStackQueuedSpinLock(ref _handle);
            }
            """;

        await Pool013.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task QueuedLockHeldAtAnEarlyReturn_Pool014OnTheAcquire()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                bool Enqueue(int count)
                {
                    {|#0:KeAcquireInStackQueuedSpinLock|}(_lock, out KLOCK_QUEUE_HANDLE handle);
                    if (count > 8)
                    {
                        return false;
                    }

                    KeReleaseInStackQueuedSpinLock(ref handle);
                    return true;
                }

                bool Balanced(int count)
                {
                    KeAcquireInStackQueuedSpinLock(_lock, out KLOCK_QUEUE_HANDLE handle);
                    try
                    {
                        return count > 8;
                    }
                    finally
                    {
                        KeReleaseInStackQueuedSpinLock(ref handle);
                    }
                }
            }
            """;

        await Pool014.VerifyAnalyzerAsync(
            source,
            Pool014.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireInStackQueuedSpinLock", "acquires queued spin lock '_lock', which is still held", "Enqueue", " at line 17 (on the path where 'count > 8' is true at line 15)"));
    }

    [Fact]
    public async Task DeferredRoutineLeavingDispatch_Pool014_BalancedOneNot()
    {
        string source = Usings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Start(KDPC first, KDPC second, KDPC third)
                {
                    KeInitializeDpc(first, Lowers, null);
                    KeInitializeDpc(second, Balanced, null);
                    KeInitializeDpc(third, KeepsTheLock, null);
                }

                void Lowers(KDPC dpc, object? context, object? a1, object? a2) => {|#0:KeLowerIrql|}(PASSIVE_LEVEL);

                void Balanced(KDPC dpc, object? context, object? a1, object? a2)
                {
                    KeAcquireSpinLockAtDpcLevel(_lock);
                    KeReleaseSpinLockFromDpcLevel(_lock);
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    KeReleaseSpinLock(_lock, old);
                }

                void KeepsTheLock(KDPC dpc, object? context, object? a1, object? a2) => {|#1:KeAcquireInStackQueuedSpinLockAtDpcLevel|}(_lock, out KLOCK_QUEUE_HANDLE handle);
            }
            """;

        await Pool014.VerifyAnalyzerAsync(
            source,
            Pool014.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeLowerIrql", "sets the IRQL to PASSIVE_LEVEL, not the IRQL it was entered at,", "Lowers", string.Empty),
            Pool014.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(1).WithArguments("KeAcquireInStackQueuedSpinLockAtDpcLevel", "acquires queued spin lock '_lock', which is still held", "KeepsTheLock", string.Empty));
    }
}
