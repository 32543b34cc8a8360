using System.Threading.Tasks;
using Xunit;
using Pool004 = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.PagedPoolAtDispatchAnalyzer>;
using Pool013 = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.ForbiddenIrqlCallAnalyzer>;
using Pool014 = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.IrqlNotRestoredAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// Entry IRQLs carried through calls: a raise three calls away from the allocation, local functions
/// called under a lock, and callees annotated <c>[IrqlRequiresSame]</c>, each with its negative.
/// </summary>
public sealed class IrqlCallChainTests
{
    [Fact]
    public async Task IpiLevelThreeCallsAway_Pool013InTheLeafWithTheWholeChain()
    {
        string source = Sources.KernelUsings + """
            class Broadcast
            {
                void Send()
                {
                    KeRaiseIrql(IPI_LEVEL, out KIRQL old);
                    First();
                    KeLowerIrql(old);
                    First();
                }

                void First() => Second();

                void Second() => Third();

                nint Third() => {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Ipi1");

                nint NotOnThePath() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Ipi1");
            }
            """;

        await Pool013.VerifyAnalyzerAsync(
            source,
            Pool013.Diagnostic(DiagnosticIds.ForbiddenIrqlCall).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "at most DISPATCH_LEVEL", "Third", "is called at IPI_LEVEL from 'Second', called from 'First', called from 'Send' (IRQL raised at Test0.cs:12)"));
    }

    [Fact]
    public async Task LocalFunctionCalledUnderALock_ReportedInIt_CalledAfterTheRelease_Not()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    Describe();
                    KeReleaseSpinLock(_lock, old);
                    Later();

                    nint Describe() => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
                    nint Later() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;

        await Pool004.VerifyAnalyzerAsync(
            source,
            Pool004.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Describe", "is called at DISPATCH_LEVEL from 'Send' (spin lock acquired at Test0.cs:14)"));
    }

    [Fact]
    public async Task RequiresSameCallee_TrustedByItsCaller_ItsOwnBodyChecked()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequiresSame]
                void Touch() => {|#0:KeAcquireSpinLock|}(_lock, out KIRQL old);

                [IrqlRequires(PASSIVE_LEVEL)]
                nint Caller()
                {
                    Touch();
                    return ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }
            }
            """;

        await Pool014.VerifyAnalyzerAsync(
            source,
            Pool014.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireSpinLock", "acquires spin lock '_lock', which is still held", "Touch", string.Empty));
        await Pool004.VerifyAnalyzerAsync(source.Replace("{|#0:KeAcquireSpinLock|}", "KeAcquireSpinLock", System.StringComparison.Ordinal));
    }
}
