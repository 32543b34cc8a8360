using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.PagedPoolAtDispatchAnalyzer,
    PoolAnalyzers.CodeFixes.PagedPoolAtDispatchCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// POOL004 wherever the IRQL engine says DISPATCH_LEVEL or higher is possible: under a spin lock, after
/// a raise, in a routine converted to an IRQL-annotated delegate type, and in helpers called from there,
/// in the same file or another one. Each source of DISPATCH_LEVEL has its negative.
/// </summary>
public sealed class PagedPoolAtDispatchFlowTests
{
    [Fact]
    public async Task UnderSpinLock_ReportedWithTheAcquire_AndNotAfterTheRelease()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    KeReleaseSpinLock(_lock, old);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;
        string fixedSource = source.Replace("{|#0:PagedPool|}", "NonPagedPoolNx");

        await VerifyCS.VerifyCodeFixAsync(
            source,
            [VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Send", "runs at DISPATCH_LEVEL (spin lock acquired at Test0.cs:15)")],
            fixedSource);
    }

    [Fact]
    public async Task AfterRaise_ReportedWithTheRaise_AndNotAfterTheLower()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                void Work()
                {
                    KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
                    ExAllocatePoolWithTag({|#0:PagedPoolCacheAligned|}, 64, "Drv1");
                    KeLowerIrql(old);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");

                    KIRQL saved = KeRaiseIrqlToDpcLevel();
                    ExAllocatePoolWithTag({|#1:PagedPool|}, 64, "Drv1");
                    KeLowerIrql(saved);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPoolCacheAligned", "Work", "runs at DISPATCH_LEVEL (IRQL raised at Test0.cs:12)"),
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(1).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Work", "runs at DISPATCH_LEVEL (IRQL raised at Test0.cs:17)"));
    }

    [Fact]
    public async Task RaiseToApcLevel_NotReported_RaiseToHighLevel_NamesIt()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                void Apc()
                {
                    KeRaiseIrql(APC_LEVEL, out KIRQL old);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    KeLowerIrql(old);
                }

                void High()
                {
                    KeRaiseIrql(HIGH_LEVEL, out KIRQL old);
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    KeLowerIrql(old);
                }

                void Variable(KIRQL level)
                {
                    KeRaiseIrql(level, out KIRQL old);
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    KeLowerIrql(old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "High", "runs at HIGH_LEVEL (IRQL raised at Test0.cs:19)"));
    }

    [Fact]
    public async Task AtDpcLevelLockInAnnotatedRoutine_ReportedByTheAnnotation()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequires(DISPATCH_LEVEL)]
                void Dpc()
                {
                    KeAcquireSpinLockAtDpcLevel(_lock);
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    KeReleaseSpinLockFromDpcLevel(_lock);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Dpc", "may run at DISPATCH_LEVEL"));
    }

    [Fact]
    public async Task PoolFlagPaged_ReportedAndSwitchedToNonPaged()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    ExAllocatePool2({|#0:POOL_FLAG_PAGED|}, 64, "Drv1");
                    ExAllocatePool2([|POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED|], 64, "Drv1");
                    ExAllocatePool2([|POOL_FLAGS.POOL_FLAG_PAGED|], 64, "Drv1");
                    ExAllocatePool2([|(POOL_FLAGS)0x102|], 64, "Drv1");
                    ExAllocatePool3([|POOL_FLAG_PAGED|], 64, "Drv1", null, 0);
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED, 64, "Drv1");
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;
        string fixedSource = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAGS.POOL_FLAG_NON_PAGED | POOL_FLAGS.POOL_FLAG_UNINITIALIZED, 64, "Drv1");
                    ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Drv1", null, 0);
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED, 64, "Drv1");
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            [VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePool2", "POOL_FLAG_PAGED", "Send", "runs at DISPATCH_LEVEL (spin lock acquired at Test0.cs:14)")],
            fixedSource);
    }

    [Fact]
    public async Task NonPagedAndRunTimeTypesUnderLock_NotReported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();
                private readonly NPAGED_LOOKASIDE_LIST _list = new();

                void Send(POOL_TYPE type)
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPool | POOL_COLD_ALLOCATION, 64, "Drv1");
                    ExAllocatePoolWithTag((POOL_TYPE)4, 64, "Drv1");
                    ExAllocatePoolWithTag(ExDefaultNonPagedPoolType, 64, "Drv1");
                    ExAllocatePoolWithTag(type, 64, "Drv1");
                    ExAllocateFromNPagedLookasideList(_list);
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task HelperInAnotherFile_ReportedOnItsAllocationWithTheChain()
    {
        string send = Sources.KernelUsings + """
            class Send
            {
                private readonly KSPIN_LOCK _lock = new();

                public void SendPacket()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    Options.ReadOption();
                    KeReleaseSpinLock(_lock, old);
                }

                public void Configure() => Options.ReadOption();
            }
            """;
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(("/0/Send.cs", send));
        test.TestState.Sources.Add(("/0/Options.cs", Sources.Usings + """
            static class Options
            {
                public static nint ReadOption() => ExAllocatePoolWithTag({|#0:PagedPool|}, 128, "Optn");
            }
            """));
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0)
            .WithArguments("ExAllocatePoolWithTag", "PagedPool", "ReadOption", "is called at DISPATCH_LEVEL from 'SendPacket' (spin lock acquired at Send.cs:14)"));
        test.FixedState.Sources.Add(("/0/Send.cs", send));
        test.FixedState.Sources.Add(("/0/Options.cs", Sources.Usings + """
            static class Options
            {
                public static nint ReadOption() => ExAllocatePoolWithTag(NonPagedPoolNx, 128, "Optn");
            }
            """));

        await test.RunAsync();
    }

    [Fact]
    public async Task PrivateHelperOfAPartialClass_CallerInTheOtherPart_ReportedAndSameNamedHelpersElsewhereIgnored()
    {
        // A private helper is searched for only in the trees of its type: every part of a partial type counts,
        // and an unrelated class's helper of the same name, called under its own lock, says nothing about this one.
        string send = Sources.KernelUsings + """
            partial class Device
            {
                private readonly KSPIN_LOCK _lock = new();

                public void SendPacket()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    ReadOption();
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;
        string other = Sources.KernelUsings + """
            class Other
            {
                private readonly KSPIN_LOCK _lock = new();

                public void Poll()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    ReadOption();
                    KeReleaseSpinLock(_lock, old);
                }

                private nint ReadOption() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Othr");
            }

            class Quiet
            {
                public void Configure() => ReadOption();

                private nint ReadOption() => ExAllocatePoolWithTag(PagedPool, 64, "Quit");
            }
            """;
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(("/0/Send.cs", send));
        test.TestState.Sources.Add(("/0/Other.cs", other));
        test.TestState.Sources.Add(("/0/Options.cs", Sources.Usings + """
            partial class Device
            {
                private nint ReadOption() => ExAllocatePoolWithTag({|#0:PagedPool|}, 128, "Optn");
            }
            """));
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0)
            .WithArguments("ExAllocatePoolWithTag", "PagedPool", "ReadOption", "is called at DISPATCH_LEVEL from 'SendPacket' (spin lock acquired at Send.cs:14)"));
        test.FixedState.Sources.Add(("/0/Send.cs", send));
        test.FixedState.Sources.Add(("/0/Other.cs", other));
        test.FixedState.Sources.Add(("/0/Options.cs", Sources.Usings + """
            partial class Device
            {
                private nint ReadOption() => ExAllocatePoolWithTag(NonPagedPoolNx, 128, "Optn");
            }
            """));

        await test.RunAsync();
    }

    [Fact]
    public async Task HelperChain_MessageNamesEveryCaller()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc() => Middle();

                void Middle() => Leaf();

                nint Leaf() => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0)
                .WithArguments("ExAllocatePoolWithTag", "PagedPool", "Leaf", "is called at DISPATCH_LEVEL from 'Middle', called from 'Dpc' (annotated [IrqlRequiresMax(DISPATCH_LEVEL)])"));
    }

    [Fact]
    public async Task HelperCalledOnlyAtLowIrqlOrNotAtAll_NotReported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequiresMax(APC_LEVEL)]
                void Passive() => Leaf();

                void UnderLockButReleasedFirst()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    KeReleaseSpinLock(_lock, old);
                    Leaf();
                }

                nint Leaf() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");

                nint NeverCalled() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task DelegateRole_RoutineRunsAtTheDelegatesLevel()
    {
        string source = Sources.KernelUsings + """
            [IrqlRequires(DISPATCH_LEVEL)]
            delegate void DEFERRED(object? context);

            class Driver
            {
                void Start()
                {
                    DEFERRED routine = Deferred;
                    DEFERRED lambda = context => ExAllocatePoolWithTag({|#1:PagedPool|}, 64, "Drv2");
                    Action plain = () => ExAllocatePoolWithTag(PagedPool, 64, "Drv3");
                }

                void Deferred(object? context) => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(1).WithArguments("ExAllocatePoolWithTag", "PagedPool", "lambda in Start", "runs at DISPATCH_LEVEL as a 'DEFERRED' routine (converted at Test0.cs:16)"),
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Deferred", "runs at DISPATCH_LEVEL as a 'DEFERRED' routine (converted at Test0.cs:15)"));
    }

    [Fact]
    public async Task LookasideAllocateCallback_RunsAtDispatchLevel()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                void Start(NPAGED_LOOKASIDE_LIST list)
                {
                    ExInitializeNPagedLookasideList(list, (type, size, tag) => ExAllocatePoolWithTag({|#0:PagedPool|}, size, tag), null, 0, 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(list, (type, size, tag) => ExAllocatePoolWithTag(type, size, tag), null, 0, 64, "Drv1", 0);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "lambda in Start", "may run at DISPATCH_LEVEL as a 'PALLOCATE_FUNCTION' routine (converted at Test0.cs:12)"));
    }

    [Fact]
    public async Task VirtualAndInterfaceCalls_GiveNoEntryIrql()
    {
        string source = Sources.KernelUsings + """
            interface IReader
            {
                nint Read();
            }

            class Reader : IReader
            {
                public nint Read() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");

                public virtual nint ReadVirtual() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
            }

            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send(IReader reader, Reader concrete, Func<nint> callback)
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    reader.Read();
                    concrete.ReadVirtual();
                    callback();
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task RecursiveHelpers_Terminate_AndReportOnce()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    Walk(3);
                    KeReleaseSpinLock(_lock, old);
                }

                void Walk(int depth)
                {
                    if (depth > 0)
                    {
                        Walk(depth - 1);
                        Visit(depth);
                    }
                }

                void Visit(int depth)
                {
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    Walk(depth - 1);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Visit", "is called at DISPATCH_LEVEL from 'Walk', called from 'Send' (spin lock acquired at Test0.cs:14)"));
    }

    [Fact]
    public async Task WrapperLeavingTheIrqlRaised_RaisesItsCaller()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();
                private KIRQL _old;

                [IrqlRaises(DISPATCH_LEVEL)]
                void Lock() => KeAcquireSpinLock(_lock, out _old);

                [IrqlRequires(DISPATCH_LEVEL)]
                void Unlock() => KeReleaseSpinLock(_lock, _old);

                void Send()
                {
                    Lock();
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    Unlock();
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Send", "runs at DISPATCH_LEVEL (IRQL raised by 'Lock' at Test0.cs:21)"));
    }

    [Fact]
    public async Task UnannotatedWrapper_ItsExitIrqlIsApplied()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                KIRQL Lock()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    return old;
                }

                void Send()
                {
                    KIRQL old = Lock();
                    ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Send", "runs at DISPATCH_LEVEL (IRQL raised by 'Lock' at Test0.cs:20)"));
    }

    [Fact]
    public async Task GuardedByCurrentIrql_OnlyTheHighBranchIsJudged()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Allocate()
                {
                    if (KeGetCurrentIrql() <= APC_LEVEL)
                    {
                        return ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    }

                    KIRQL irql = KeGetCurrentIrql();
                    if (irql < DISPATCH_LEVEL)
                    {
                        return ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    }

                    return ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Allocate", "may run at DISPATCH_LEVEL"));
    }

    [Fact]
    public async Task CorrelatedConditionalLock_OnlyTheLockedPathIsAtDispatch()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Update(bool locked)
                {
                    KIRQL old = PASSIVE_LEVEL;
                    if (locked)
                    {
                        KeAcquireSpinLock(_lock, out old);
                    }

                    if (!locked)
                    {
                        ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    }

                    if (locked)
                    {
                        ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                        KeReleaseSpinLock(_lock, old);
                    }

                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Update", "runs at DISPATCH_LEVEL (spin lock acquired at Test0.cs:17)"));
    }
}
