using System.Threading.Tasks;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.ForbiddenIrqlCallAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>POOL013: calls at an IRQL the callee's attributes forbid, too high and too low, each with its negative.</summary>
public sealed class ForbiddenIrqlCallTests
{
    [Fact]
    public async Task PoolAllocationAboveDispatch_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                [IrqlRequiresMax(HIGH_LEVEL)]
                nint Isr() => {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");

                void Raised()
                {
                    KeRaiseIrql(CLOCK_LEVEL, out KIRQL old);
                    Ex.{|#1:ExAllocatePool2|}(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    KeLowerIrql(old);
                }

                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "at most DISPATCH_LEVEL", "Isr", "may run at HIGH_LEVEL"),
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(1).WithArguments("ExAllocatePool2", "at most DISPATCH_LEVEL", "Raised", "runs at CLOCK_LEVEL (IRQL raised at Test0.cs:15)"));
    }

    [Fact]
    public async Task PagedPoolAtDispatch_IsPool004sNotThisRules()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                [IrqlRequiresMax(HIGH_LEVEL)]
                nint Isr(PAGED_LOOKASIDE_LIST list)
                {
                    ExAllocateFromPagedLookasideList(list);
                    return ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task AnnotatedHelperUnderSpinLock_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequiresMax(APC_LEVEL)]
                void ReadRegistry() { }

                void Send()
                {
                    ReadRegistry();
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    {|#0:ReadRegistry|}();
                    KeReleaseSpinLock(_lock, old);
                    ReadRegistry();
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("ReadRegistry", "at most APC_LEVEL", "Send", "runs at DISPATCH_LEVEL (spin lock acquired at Test0.cs:18)"));
    }

    [Fact]
    public async Task AtDpcLevelRoutineAtPassive_TooLow()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequires(PASSIVE_LEVEL)]
                void Close()
                {
                    {|#0:KeAcquireSpinLockAtDpcLevel|}(_lock);
                    {|#1:KeReleaseSpinLockFromDpcLevel|}(_lock);
                }

                [IrqlRequires(DISPATCH_LEVEL)]
                void Dpc()
                {
                    KeAcquireSpinLockAtDpcLevel(_lock);
                    KeReleaseSpinLockFromDpcLevel(_lock);
                }

                void Raised()
                {
                    KIRQL old = KeRaiseIrqlToDpcLevel();
                    KeAcquireSpinLockAtDpcLevel(_lock);
                    KeReleaseSpinLockFromDpcLevel(_lock);
                    KeLowerIrql(old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("KeAcquireSpinLockAtDpcLevel", "at least DISPATCH_LEVEL", "Close", "may run at PASSIVE_LEVEL"),
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(1).WithArguments("KeReleaseSpinLockFromDpcLevel", "at least DISPATCH_LEVEL", "Close", "may run at PASSIVE_LEVEL"));
    }

    [Fact]
    public async Task ReleaseOfALockThePathDoesNotHold_NotJudged()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();
                private KIRQL _old;

                [IrqlRequires(PASSIVE_LEVEL)]
                void UnlockWrapper() => KeReleaseSpinLock(_lock, _old);

                [IrqlRequires(PASSIVE_LEVEL)]
                void Dpc() => KeReleaseSpinLockFromDpcLevel(_lock);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task SpinLockReleasedAtTheWrongIrql_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    KeRaiseIrql(HIGH_LEVEL, out KIRQL raised);
                    {|#0:KeReleaseSpinLock|}(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("KeReleaseSpinLock", "DISPATCH_LEVEL", "Send", "runs at HIGH_LEVEL (IRQL raised at Test0.cs:15)"));
    }

    [Fact]
    public async Task AcquireAboveDispatch_TooHigh_AndAcquireFromACallerAtDispatch_Fine()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequiresMin(SYNCH_LEVEL)]
                void Synch()
                {
                    {|#0:KeAcquireSpinLock|}(_lock, out KIRQL old);
                    KeReleaseSpinLock(_lock, old);
                }

                [IrqlRequires(DISPATCH_LEVEL)]
                void Dpc()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("KeAcquireSpinLock", "at most DISPATCH_LEVEL", "Synch", "may run at SYNCH_LEVEL"));
    }

    [Fact]
    public async Task PassiveOnlyRoutineInAHelperCalledUnderLock_ReportedInTheHelperWithTheChain()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(("/0/Queue.cs", Sources.KernelUsings + """
            class Queue
            {
                private readonly KSPIN_LOCK _lock = new();

                public void Flush()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    Setup.Reconfigure();
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """));
        test.TestState.Sources.Add(("/0/Setup.cs", Sources.Usings + """
            static class Setup
            {
                public static void Reconfigure() => {|#0:ExInitializeDriverRuntime|}(DrvRtPoolNxOptIn);
            }
            """));
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0)
            .WithArguments("ExInitializeDriverRuntime", "PASSIVE_LEVEL", "Reconfigure", "is called at DISPATCH_LEVEL from 'Flush' (spin lock acquired at Queue.cs:14)"));

        await test.RunAsync();
    }

    [Fact]
    public async Task AnnotatedDelegateInvokedAtTheWrongIrql_Reported_UnknownDelegatesNot()
    {
        string source = Sources.KernelUsings + """
            [IrqlRequires(DISPATCH_LEVEL)]
            delegate void DEFERRED(object? context);

            class Driver
            {
                [IrqlRequires(PASSIVE_LEVEL)]
                void Run(DEFERRED routine, Action plain)
                {
                    {|#0:routine|}(null);
                    plain();
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("Invoke", "DISPATCH_LEVEL", "Run", "may run at PASSIVE_LEVEL"));
    }

    [Fact]
    public async Task UnknownIrql_NothingReported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Unannotated()
                {
                    KeReleaseSpinLockFromDpcLevel(_lock);
                    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
                }

                void LoweredToAParameter(KIRQL level)
                {
                    KeLowerIrql(level);
                    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
                }

                [IrqlRequiresMin(PASSIVE_LEVEL)]
                void OpenAbove() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ProjectOwnAttributeCopies_Recognised()
    {
        string source = """
            using PoolAnalyzers.Runtime;

            namespace PoolAnalyzers.Runtime
            {
                [System.AttributeUsage(System.AttributeTargets.Method)]
                internal sealed class IrqlRequiresMaxAttribute(int irql) : System.Attribute
                {
                    public int Irql { get; } = irql;
                }
            }

            class Driver
            {
                [IrqlRequiresMax(0)]
                void Passive() { }

                [IrqlRequiresMax(2)]
                void Dpc() => {|#0:Passive|}();
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("Passive", "PASSIVE_LEVEL", "Dpc", "may run at DISPATCH_LEVEL"));
    }
}
