using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.PagedPoolAtDispatchAnalyzer,
    PoolAnalyzers.CodeFixes.PagedPoolAtDispatchCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class PagedPoolAtDispatchTests
{
    [Fact]
    public async Task PagedPoolAtDispatch_ReportedAndSwitchedToNonPagedPoolNx()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Dpc", "may run at DISPATCH_LEVEL") },
            fixedSource);
    }

    [Fact]
    public async Task QualifiedMembersAndModifiers_ReferenceStyleKept()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    ExAllocatePoolWithTag([|POOL_TYPE.PagedPool|], 64, "Drv1");
                    ExAllocatePoolWithTag([|PagedPool | POOL_COLD_ALLOCATION|], 64, "Drv1");
                    ExAllocatePoolWithQuotaTag([|POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE | (POOL_TYPE.PagedPoolCacheAligned)|], 64, "Drv1");
                    ExAllocatePoolWithTag([|PagedPoolSession|], 64, "Drv1");
                    ExAllocatePoolWithTag([|PagedPoolCacheAlignedSession|], 64, "Drv1");
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx | POOL_COLD_ALLOCATION, 64, "Drv1");
                    ExAllocatePoolWithQuotaTag(POOL_TYPE.POOL_RAISE_IF_ALLOCATION_FAILURE | (POOL_TYPE.NonPagedPoolNxCacheAligned), 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolSessionNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolSessionNx, 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task CastConstants_ReplacedByQualifiedMembers()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    ExAllocatePoolWithTag([|(POOL_TYPE)1|], 64, "Drv1");
                    ExAllocatePoolWithTag([|(POOL_TYPE)(1 | 256)|], 64, "Drv1");
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx | POOL_TYPE.POOL_COLD_ALLOCATION, 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ReservedPagedType_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag([|DontUseThisType|], 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task EveryAllocationRoutineAndAnnotation_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMin(DISPATCH_LEVEL)]
                nint A() => ExAllocatePool([|PagedPool|], 64);

                [IrqlRequires(DISPATCH_LEVEL)]
                nint B() => ExAllocatePoolWithQuota([|PagedPool|], 64);

                [IrqlRequiresMax(HIGH_LEVEL)]
                nint C() => ExAllocatePoolWithQuotaTag({|#0:PagedPool|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMin(DISPATCH_LEVEL)]
                nint A() => ExAllocatePool(NonPagedPoolNx, 64);

                [IrqlRequires(DISPATCH_LEVEL)]
                nint B() => ExAllocatePoolWithQuota(NonPagedPoolNx, 64);

                [IrqlRequiresMax(HIGH_LEVEL)]
                nint C() => ExAllocatePoolWithQuotaTag(NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithQuotaTag", "PagedPool", "C", "may run at HIGH_LEVEL") },
            fixedSource);
    }

    [Fact]
    public async Task ConstructorAccessorAndLocalFunction_OwnAttributesCount()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                Driver() => ExAllocatePoolWithTag([|PagedPool|], 64, "Drv1");

                nint Block
                {
                    [IrqlRequiresMax(DISPATCH_LEVEL)]
                    get => ExAllocatePoolWithTag([|PagedPool|], 64, "Drv1");
                }

                void Passive()
                {
                    [IrqlRequiresMax(DISPATCH_LEVEL)]
                    nint Local() => ExAllocatePoolWithTag([|PagedPool|], 64, "Drv1");
                    Local();
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                Driver() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");

                nint Block
                {
                    [IrqlRequiresMax(DISPATCH_LEVEL)]
                    get => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                }

                void Passive()
                {
                    [IrqlRequiresMax(DISPATCH_LEVEL)]
                    nint Local() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    Local();
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task LambdasAndLocalFunctions_InheritNothing()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    Func<nint> later = () => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    nint Local() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    Func<nint> annotated = [IrqlRequiresMax(DISPATCH_LEVEL)] () => ExAllocatePoolWithTag([|PagedPool|], 64, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task PagedLookasideRoutines_ReportedOnNameWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc(PAGED_LOOKASIDE_LIST list)
                {
                    {|#0:ExInitializePagedLookasideList|}(list, null, null, 0, 64, "Drv1", 0);
                    nint entry = Ex.[|ExAllocateFromPagedLookasideList|](list);
                    [|ExFreeToPagedLookasideList|](list, entry);
                    [|ExDeletePagedLookasideList|](list);
                }
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0)
            .WithArguments("ExInitializePagedLookasideList", "a paged lookaside list", "Dpc", "may run at DISPATCH_LEVEL");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.Add(expected);
        test.FixedState.ExpectedDiagnostics.Add(expected);
        await test.RunAsync();
    }

    [Fact]
    public async Task NonPagedTypesAndNonPagedLookaside_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(HIGH_LEVEL)]
                void Dpc(NPAGED_LOOKASIDE_LIST list)
                {
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPool, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolCacheAligned | POOL_COLD_ALLOCATION, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolSessionNx, 64, "Drv1");
                    ExAllocatePoolWithTag((POOL_TYPE)512, 64, "Drv1");
                    ExInitializeNPagedLookasideList(list, null, null, 0, 64, "Drv1", 0);
                    ExAllocateFromNPagedLookasideList(list);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task LowIrqlOrUnannotatedOrVariableType_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(APC_LEVEL)]
                nint Apc() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");

                [IrqlRequiresMin(PASSIVE_LEVEL)]
                nint Passive() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");

                nint Unannotated(PAGED_LOOKASIDE_LIST list)
                {
                    ExAllocateFromPagedLookasideList(list);
                    return ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                }

                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Variable(POOL_TYPE type) => ExAllocatePoolWithTag(type, 64, "Drv1");

                static readonly nint Field = ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ProjectOwnAttributeCopy_RecognisedByFullName()
    {
        string source = """
            using PoolAnalyzers.Runtime;
            using static PoolAnalyzers.Runtime.Ex;

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
                [IrqlRequiresMax(2)]
                nint Dpc() => ExAllocatePoolWithTag([|POOL_TYPE.PagedPool|], 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task SameNamedAttributeInOtherNamespace_NotReported()
    {
        string source = Sources.Usings + """
            namespace Annotations
            {
                [System.AttributeUsage(System.AttributeTargets.Method)]
                internal sealed class IrqlRequiresMaxAttribute(int irql) : System.Attribute
                {
                    public int Irql { get; } = irql;
                }
            }

            class Driver
            {
                [Annotations.IrqlRequiresMax(2)]
                nint Dpc() => ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task FixAll_TwoDocuments_AllSwitched()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    ExAllocatePoolWithTag([|PagedPool|], 64, "Drv1");
                    ExAllocatePoolWithTag([|POOL_TYPE.PagedPoolCacheAligned|], 64, "Drv1");
                }
            }
            """);
        test.TestState.Sources.Add(Sources.Usings + """
            class Filter
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag([|(POOL_TYPE)1|], 64, "Flt1");
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                void Dpc()
                {
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNxCacheAligned, 64, "Drv1");
                }
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Filter
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, 64, "Flt1");
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoProjects_AllSwitched()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag([|PagedPool|], 64, "Drv1");
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag([|PagedPool|], 64, "Flt1");
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Flt1");
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task NamedPoolTypeArgument_ReportedAndSwitched()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(Tag: "Drv1", NumberOfBytes: 64, PoolType: {|#0:PagedPool|});
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(Tag: "Drv1", NumberOfBytes: 64, PoolType: NonPagedPoolNx);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Dpc", "may run at DISPATCH_LEVEL") },
            fixedSource);
    }

    [Fact]
    public async Task UserPoolTypeConstant_UseReplacedAndConstantKept()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const POOL_TYPE T = PagedPool;

                nint Passive() => ExAllocatePoolWithTag(T, 64, "Drv1");

                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag({|#0:T|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                const POOL_TYPE T = PagedPool;

                nint Passive() => ExAllocatePoolWithTag(T, 64, "Drv1");

                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "T", "Dpc", "may run at DISPATCH_LEVEL") },
            fixedSource);
    }

    [Fact]
    public async Task PagedPoolWithNxModifier_ReportedAndPagedMemberRenamed()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag([|PagedPool | POOL_NX_ALLOCATION|], 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag(NonPagedPoolNx | POOL_NX_ALLOCATION, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task LocalHidingTheTwin_QualifiedFallback()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc()
                {
                    int NonPagedPoolNx = 64;
                    return ExAllocatePoolWithTag([|PagedPool|], (nuint)NonPagedPoolNx, "Drv1");
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                nint Dpc()
                {
                    int NonPagedPoolNx = 64;
                    return ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, (nuint)NonPagedPoolNx, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task PagedLookasideInAnnotatedLambda_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Passive(PAGED_LOOKASIDE_LIST list)
                {
                    Func<nint> atPassive = () => ExAllocateFromPagedLookasideList(list);
                    Func<nint> atDispatch = [IrqlRequiresMax(DISPATCH_LEVEL)] () => {|#0:ExAllocateFromPagedLookasideList|}(list);
                }
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0)
            .WithArguments("ExAllocateFromPagedLookasideList", "a paged lookaside list", "lambda in Passive", "may run at DISPATCH_LEVEL");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.Add(expected);
        test.FixedState.ExpectedDiagnostics.Add(expected);
        await test.RunAsync();
    }

    [Fact]
    public async Task SeveralIrqlAttributes_MessageNamesTheHighestPermittedLevel()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMin(DISPATCH_LEVEL), IrqlRequiresMax(HIGH_LEVEL)]
                nint Isr() => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");

                [IrqlRequiresMax(DISPATCH_LEVEL), IrqlRequiresMin(PASSIVE_LEVEL)]
                nint Dpc() => ExAllocatePoolWithTag({|#1:PagedPool|}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Isr", "may run at HIGH_LEVEL"),
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(1).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Dpc", "may run at DISPATCH_LEVEL"));
    }

    [Fact]
    public async Task AttributeNestedInATypeOfTheRuntimeNamespace_NotRecognised()
    {
        string source = """
            using PoolAnalyzers.Runtime;
            using static PoolAnalyzers.Runtime.Ex;

            namespace PoolAnalyzers.Runtime
            {
                internal static class Annotations
                {
                    [System.AttributeUsage(System.AttributeTargets.Method)]
                    internal sealed class IrqlRequiresMaxAttribute(int irql) : System.Attribute
                    {
                        public int Irql { get; } = irql;
                    }
                }
            }

            class Driver
            {
                [Annotations.IrqlRequiresMax(2)]
                nint Dpc() => ExAllocatePoolWithTag(POOL_TYPE.PagedPool, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task MessageNamesTheAnnotatedCode()
    {
        string source = Sources.Usings + """
            class Driver
            {
                [IrqlRequiresMax(DISPATCH_LEVEL)]
                Driver() => ExAllocatePoolWithTag({|#0:PagedPool|}, 64, "Drv1");

                nint Block
                {
                    [IrqlRequiresMax(DISPATCH_LEVEL)]
                    get => ExAllocatePoolWithTag({|#1:PagedPool|}, 64, "Drv1");
                }

                readonly Func<nint> _later = [IrqlRequiresMax(DISPATCH_LEVEL)] () => ExAllocatePoolWithTag({|#2:PagedPool|}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Driver", "may run at DISPATCH_LEVEL"),
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(1).WithArguments("ExAllocatePoolWithTag", "PagedPool", "Block.get", "may run at DISPATCH_LEVEL"),
            VerifyCS.Diagnostic(DiagnosticIds.PagedPoolAtDispatch).WithLocation(2).WithArguments("ExAllocatePoolWithTag", "PagedPool", "lambda in _later", "may run at DISPATCH_LEVEL"));
    }
}
