using System.Threading.Tasks;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.IrqlNotRestoredAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>POOL014: returns with a spin lock held or the IRQL changed, on the acquire or raise still in force, with the path; each with its negative.</summary>
public sealed class IrqlNotRestoredTests
{
    [Fact]
    public async Task EarlyReturnWithTheLockHeld_ReportedWithThePath()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                bool Enqueue(int count)
                {
                    {|#0:KeAcquireSpinLock|}(_lock, out KIRQL old);
                    if (count > 8)
                    {
                        return false;
                    }

                    KeReleaseSpinLock(_lock, old);
                    return true;
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireSpinLock", "acquires spin lock '_lock', which is still held", "Enqueue", " at line 17 (on the path where 'count > 8' is true at line 15)"));
    }

    [Fact]
    public async Task ReleasedOnEveryPath_InFinallyAndBeforeEachReturn_NotReported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                bool Finally(int count)
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    try
                    {
                        if (count > 8)
                        {
                            return false;
                        }

                        return true;
                    }
                    finally
                    {
                        KeReleaseSpinLock(_lock, old);
                    }
                }

                bool EachReturn(int count)
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    if (count > 8)
                    {
                        KeReleaseSpinLock(_lock, old);
                        return false;
                    }

                    KeReleaseSpinLock(_lock, old);
                    return true;
                }

                void Loop(int count)
                {
                    for (int i = 0; i < count; i++)
                    {
                        KeAcquireSpinLock(_lock, out KIRQL old);
                        if (i == 3)
                        {
                            KeReleaseSpinLock(_lock, old);
                            continue;
                        }

                        KeReleaseSpinLock(_lock, old);
                    }
                }

                void Throws(bool bad)
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    if (bad)
                    {
                        throw new InvalidOperationException("bad");
                    }

                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task FinallyThatDoesNotRelease_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Send(bool ok)
                {
                    {|#0:KeAcquireSpinLock|}(_lock, out KIRQL old);
                    try
                    {
                        if (ok)
                        {
                            KeReleaseSpinLock(_lock, old);
                        }
                    }
                    finally
                    {
                        Console.WriteLine("done");
                    }
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireSpinLock", "acquires spin lock '_lock', which is still held", "Send", " (on the path where 'ok' is false at line 17)"));
    }

    [Fact]
    public async Task RaiseNotLowered_Reported_LoweredToTheSavedLevel_Not()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                int Raise()
                {
                    {|#0:KeRaiseIrql|}(DISPATCH_LEVEL, out KIRQL old);
                    return 1;
                }

                void Balanced()
                {
                    KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
                    KIRQL inner = KeRaiseIrqlToDpcLevel();
                    KeLowerIrql(inner);
                    KeLowerIrql(old);
                }

                void LoweredToAParameter(KIRQL level)
                {
                    KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
                    KeLowerIrql(level);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeRaiseIrql", "raises the IRQL to DISPATCH_LEVEL, which is not restored", "Raise", " at line 13"));
    }

    [Fact]
    public async Task LoweredToAConstantOtherThanTheEntryLevel_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Work()
                {
                    KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
                    {|#0:KeLowerIrql|}(PASSIVE_LEVEL);
                }

                [IrqlRequires(PASSIVE_LEVEL)]
                void Passive()
                {
                    KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
                    KeLowerIrql(PASSIVE_LEVEL);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeLowerIrql", "sets the IRQL to PASSIVE_LEVEL, not the IRQL it was entered at,", "Work", string.Empty));
    }

    [Fact]
    public async Task DpcRoutineRaisingToItsOwnLevel_NotReported_LeavingAtDpcLevelLockHeld_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRequires(DISPATCH_LEVEL)]
                void Dpc()
                {
                    KIRQL old = KeRaiseIrqlToDpcLevel();
                    {|#0:KeAcquireSpinLockAtDpcLevel|}(_lock);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireSpinLockAtDpcLevel", "acquires spin lock '_lock', which is still held", "Dpc", string.Empty));
    }

    [Fact]
    public async Task WrappersAnnotatedToRaiseSaveOrRestore_NotReported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRaises(DISPATCH_LEVEL)]
                void Lock([IrqlSaves] out KIRQL old) => KeAcquireSpinLock(_lock, out old);

                [IrqlRequires(DISPATCH_LEVEL)]
                void Unlock([IrqlRestores] KIRQL old) => KeReleaseSpinLock(_lock, old);

                [return: IrqlSaves]
                KIRQL Raise() => KeRaiseIrqlToDpcLevel();

                void Caller()
                {
                    Lock(out KIRQL old);
                    Unlock(old);
                    KIRQL saved = Raise();
                    KeLowerIrql(saved);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task CallerOfAnAnnotatedWrapperThatNeverRestores_ReportedOnTheWrapperCall()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                [IrqlRaises(DISPATCH_LEVEL)]
                void Lock([IrqlSaves] out KIRQL old) => KeAcquireSpinLock(_lock, out old);

                void Caller()
                {
                    {|#0:Lock|}(out KIRQL old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("Lock", "raises the IRQL to DISPATCH_LEVEL, which is not restored", "Caller", string.Empty));
    }

    [Fact]
    public async Task UnannotatedWrapper_ReportedItself()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();
                private KIRQL _old;

                void Lock() => {|#0:KeAcquireSpinLock|}(_lock, out _old);

                void Unlock() => KeReleaseSpinLock(_lock, _old);

                void Caller()
                {
                    Lock();
                    Unlock();
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireSpinLock", "acquires spin lock '_lock', which is still held", "Lock", string.Empty));
    }

    [Fact]
    public async Task TwoLocksReleasedInEitherOrder_NotReported_OneLeftHeld_Reported()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _first = new();
                private readonly KSPIN_LOCK _second = new();

                void Both()
                {
                    KeAcquireSpinLock(_first, out KIRQL old);
                    KeAcquireSpinLockAtDpcLevel(_second);
                    KeReleaseSpinLockFromDpcLevel(_second);
                    KeReleaseSpinLock(_first, old);
                }

                void Forgotten()
                {
                    KeAcquireSpinLock(_first, out KIRQL old);
                    {|#0:KeAcquireSpinLockAtDpcLevel|}(_second);
                    KeReleaseSpinLock(_first, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeAcquireSpinLockAtDpcLevel", "acquires spin lock '_second', which is still held", "Forgotten", string.Empty));
    }

    [Fact]
    public async Task LambdasAndLocalFunctions_AreTheirOwnFunctions()
    {
        string source = Sources.KernelUsings + """
            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();

                void Outer()
                {
                    KeAcquireSpinLock(_lock, out KIRQL old);
                    Action later = () => {|#0:KeRaiseIrql|}(DISPATCH_LEVEL, out KIRQL raised);
                    void Release() => KeReleaseSpinLock(_lock, old);
                    KeReleaseSpinLock(_lock, old);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.IrqlNotRestored).WithLocation(0).WithArguments("KeRaiseIrql", "raises the IRQL to DISPATCH_LEVEL, which is not restored", "lambda in Outer", string.Empty));
    }

    [Fact]
    public async Task UsingAndLockStatements_FlowThroughTheirFinally()
    {
        string source = Sources.KernelUsings + """
            sealed class Scope : IDisposable
            {
                public void Dispose() { }
            }

            class Driver
            {
                private readonly KSPIN_LOCK _lock = new();
                private readonly object _gate = new();

                void Send()
                {
                    using (new Scope())
                    {
                        KeAcquireSpinLock(_lock, out KIRQL old);
                        lock (_gate)
                        {
                            KeReleaseSpinLock(_lock, old);
                        }
                    }
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }
}
