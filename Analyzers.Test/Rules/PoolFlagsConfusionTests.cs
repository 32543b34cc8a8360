using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.PoolFlagsConfusionAnalyzer,
    PoolAnalyzers.CodeFixes.PoolFlagsConfusionCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class PoolFlagsConfusionTests
{
    [Fact]
    public async Task PoolTypeCastToFlags_TheShippedBug_ReportedAndTranslated()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool2({|#0:(POOL_FLAGS)NonPagedPoolNx|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(0).WithArguments(
                    "POOL_TYPE 'NonPagedPoolNx' converted to POOL_FLAGS",
                    "is POOL_FLAG_RESERVED2, which names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, so an allocation with it always fails",
                    "write POOL_FLAG_NON_PAGED"),
            },
            fixedSource);
    }

    [Theory]
    [InlineData("(POOL_FLAGS)PagedPool", "POOL_FLAG_PAGED")]
    [InlineData("(POOL_FLAGS)(ulong)PagedPool", "POOL_FLAG_PAGED")]
    [InlineData("(POOL_FLAGS)(int)(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE)", "POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE")]
    [InlineData("(POOL_FLAGS)POOL_TYPE.NonPagedPool", "POOL_FLAG_NON_PAGED_EXECUTE")]
    [InlineData("(POOL_FLAGS)(PagedPoolCacheAligned | POOL_COLD_ALLOCATION)", "POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED")]
    [InlineData("(POOL_FLAGS)NonPagedPoolSessionNx", "POOL_FLAG_NON_PAGED | POOL_FLAG_SESSION")]
    public async Task ConvertedConstantPoolType_ReplacedByItsTranslation(string converted, string flags)
    {
        string source = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2([|{{converted}}|], 64, "Drv1");
            }
            """;
        string fixedSource = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2({{flags}}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ConvertedPoolTypeThatMeansOtherFlags_ReportedAndTranslated()
    {
        // 0x101 as flags is PAGED | USE_QUOTA: a valid request, but for quota nobody asked for.
        string source = Sources.ModernUsings + """
            class Driver
            {
                static readonly POOL_FLAGS Flags = {|#0:(POOL_FLAGS)(PagedPool | POOL_COLD_ALLOCATION)|};
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                static readonly POOL_FLAGS Flags = POOL_FLAG_PAGED;
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(0).WithArguments(
                    "POOL_TYPE 'PagedPool | POOL_COLD_ALLOCATION' converted to POOL_FLAGS",
                    "is POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA, which asks for something else",
                    "write POOL_FLAG_PAGED"),
            },
            fixedSource);
    }

    [Fact]
    public async Task ConvertedMustSucceedType_ReportedWithoutFix()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool2({|#0:(POOL_FLAGS)NonPagedPoolMustSucceed|}, 64, "Drv1");
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(0).WithArguments(
            "POOL_TYPE 'NonPagedPoolMustSucceed' converted to POOL_FLAGS",
            "is POOL_FLAG_UNINITIALIZED, which names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, so an allocation with it always fails",
            "translate it by hand: must-succeed pool has no POOL_FLAGS counterpart (the kernel bug-checks on it: allocate ordinary pool and handle failure)");
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected }, source);
    }

    [Fact]
    public async Task ConvertedVariablePoolType_ReportedWithoutFix()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate(POOL_TYPE poolType) => ExAllocatePool2({|#0:(POOL_FLAGS)(ulong)poolType|}, 64, "Drv1");
                nint OptIn() => ExAllocatePool2({|#1:(POOL_FLAGS)ExDefaultNonPagedPoolType|}, 64, "Drv1");
            }
            """;

        DiagnosticResult Expected(int location, string operand) => VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(location).WithArguments(
            $"POOL_TYPE '{operand}' converted to POOL_FLAGS",
            "reads pool type bits as flag bits (NonPagedPoolNx, 0x200, is POOL_FLAG_RESERVED2 and names no pool)",
            "translate it (PagedPool → POOL_FLAG_PAGED, NonPagedPoolNx → POOL_FLAG_NON_PAGED)");
        await VerifyCS.VerifyCodeFixAsync(source, new[] { Expected(0, "poolType"), Expected(1, "ExDefaultNonPagedPoolType") }, source);
    }

    [Fact]
    public async Task FlagsCastToPoolType_ReportedWithoutFix()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Constant() => ExAllocatePoolWithTag({|#0:(POOL_TYPE)POOL_FLAG_NON_PAGED|}, 64, "Drv1");
                nint Variable(POOL_FLAGS flags) => ExAllocatePoolWithTag({|#1:(POOL_TYPE)(uint)flags|}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(0).WithArguments(
                    "POOL_FLAGS 'POOL_FLAG_NON_PAGED' converted to POOL_TYPE",
                    "is 0x40, which sets bits no pool type has",
                    "pass POOL_FLAGS to ExAllocatePool2 or ExAllocatePool3, and a POOL_TYPE to the routines that take one (the pool type is NonPagedPoolNx)"),
                VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(1).WithArguments(
                    "POOL_FLAGS 'flags' converted to POOL_TYPE",
                    "reads flag bits as pool type bits (POOL_FLAG_NON_PAGED, 0x40, is executable NonPagedPool plus an undefined bit)",
                    "pass POOL_FLAGS to ExAllocatePool2 or ExAllocatePool3, and a POOL_TYPE to the routines that take one"),
            },
            source);
    }

    [Fact]
    public async Task FlagsPassedAsLookasideFlags_ReportedWithTheModifiersMeant()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _requests = new();
                readonly NPAGED_LOOKASIDE_LIST _executable = new();
                readonly PAGED_LOOKASIDE_LIST _names = new();
                readonly PAGED_LOOKASIDE_LIST _other = new();

                void Initialize(POOL_FLAGS flags)
                {
                    ExInitializeNPagedLookasideList(_requests, null, null, {|#0:(uint)POOL_FLAG_NON_PAGED|}, 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(_executable, null, null, {|#1:(uint)(POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_RAISE_ON_FAILURE)|}, 64, "Drv2", 0);
                    ExInitializePagedLookasideList(_names, null, null, {|#2:(uint)(POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE)|}, 64, "Drv3", 0);
                    ExInitializePagedLookasideList(_other, null, null, {|#3:(uint)flags|}, 64, "Drv4", 0);
                }
            }
            """;

        static DiagnosticResult Expected(int location, string flags, string routine, string remedy) =>
            VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(location).WithArguments(
                $"POOL_FLAGS '{flags}' passed as the Flags of '{routine}'",
                "reads flag bits as pool type modifiers, and the routine accepts only POOL_RAISE_IF_ALLOCATION_FAILURE and POOL_NX_ALLOCATION there",
                remedy);

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                Expected(0, "POOL_FLAG_NON_PAGED", "ExInitializeNPagedLookasideList", "write (uint)POOL_NX_ALLOCATION"),
                Expected(1, "POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_RAISE_ON_FAILURE", "ExInitializeNPagedLookasideList", "write (uint)POOL_RAISE_IF_ALLOCATION_FAILURE"),
                Expected(2, "POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE", "ExInitializePagedLookasideList", "write (uint)POOL_RAISE_IF_ALLOCATION_FAILURE"),
                Expected(3, "flags", "ExInitializePagedLookasideList", "pass 0, POOL_RAISE_IF_ALLOCATION_FAILURE or POOL_NX_ALLOCATION as uint"),
            },
            source);
    }

    [Fact]
    public async Task IntegerThatOnlyMakesSenseAsTheOtherType_Reported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Type() => ExAllocatePoolWithTag({|#0:(POOL_TYPE)0x40|}, 64, "Drv1");
                static readonly POOL_FLAGS Flags = {|#1:(POOL_FLAGS)512|};
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(0).WithArguments(
                    "'0x40' converted to POOL_TYPE",
                    "is 0x40, which sets bits no pool type has, and reads as the POOL_FLAGS POOL_FLAG_NON_PAGED",
                    "pass POOL_FLAGS to ExAllocatePool2 or ExAllocatePool3, and a POOL_TYPE to the routines that take one (the pool type is NonPagedPoolNx)"),
                VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(1).WithArguments(
                    "'512' converted to POOL_FLAGS",
                    "is POOL_FLAG_RESERVED2, which names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, so an allocation with it always fails, and reads as the POOL_TYPE NonPagedPoolNx",
                    "write POOL_FLAG_NON_PAGED"),
            },
            source);
    }

    [Theory]
    [InlineData("0", "POOL_FLAGS '0' of 'ExAllocatePool2'", "names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, so the allocation always fails", "add exactly one of them (POOL_FLAG_NON_PAGED for no-execute nonpaged pool)")]
    [InlineData("POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE", "POOL_FLAGS 'POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE' of 'ExAllocatePool2'", "names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, so the allocation always fails", "add exactly one of them (POOL_FLAG_NON_PAGED for no-execute nonpaged pool)")]
    [InlineData("POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED", "POOL_FLAGS 'POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED' of 'ExAllocatePool2'", "names more than one pool (POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED), so the allocation always fails", "keep exactly one")]
    [InlineData("POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1", "POOL_FLAGS 'POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1' of 'ExAllocatePool2'", "sets POOL_FLAG_RESERVED1, reserved for system use, so the allocation always fails", "remove it")]
    [InlineData("POOL_FLAG_PAGED | POOL_FLAG_RESERVED3 | POOL_FLAG_RESERVED2", "POOL_FLAGS 'POOL_FLAG_PAGED | POOL_FLAG_RESERVED3 | POOL_FLAG_RESERVED2' of 'ExAllocatePool2'", "sets POOL_FLAG_RESERVED2 | POOL_FLAG_RESERVED3, reserved for system use, so the allocation always fails", "remove it")]
    [InlineData("POOL_FLAG_NON_PAGED | (POOL_FLAGS)0x800", "POOL_FLAGS 'POOL_FLAG_NON_PAGED | (POOL_FLAGS)0x800' of 'ExAllocatePool2'", "sets the undefined required bit(s) 0x800, so the allocation always fails", "remove it; only the high 32 bits may carry flags the allocator does not know")]
    [InlineData("POOL_FLAG_NON_PAGED | POOL_FLAG_REQUIRED_END", "POOL_FLAGS 'POOL_FLAG_NON_PAGED | POOL_FLAG_REQUIRED_END' of 'ExAllocatePool2'", "sets the undefined required bit(s) 0x80000000, so the allocation always fails", "remove it; only the high 32 bits may carry flags the allocator does not know")]
    [InlineData("(POOL_FLAGS)0x201", "POOL_FLAGS '(POOL_FLAGS)0x201' of 'ExAllocatePool2'", "names no pool: it sets none of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, so the allocation always fails; 0x201 reads as the POOL_TYPE PagedPool | POOL_NX_ALLOCATION", "write POOL_FLAG_PAGED")]
    public async Task InvalidConstantFlags_ReportedOnTheArgument(string flags, string what, string problem, string remedy)
    {
        string source = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2({|#0:{{flags}}|}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic(DiagnosticIds.PoolFlagsConfusion).WithLocation(0).WithArguments(what, problem, remedy));
    }

    [Fact]
    public async Task InvalidFlagsOfPool3_Reported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool3([|POOL_FLAG_CACHE_ALIGNED|], 64, "Drv1", null, 0);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ValidFlagsOptionalBitsAndNonConstants_NotReported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();

                void Allocate(POOL_FLAGS flags, ulong raw, bool paged)
                {
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED | POOL_FLAG_RAISE_ON_FAILURE, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED | (POOL_FLAGS)0x200000000, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_OPTIONAL_END, 64, "Drv1");
                    ExAllocatePool2((POOL_FLAGS)0x40, 64, "Drv1");
                    ExAllocatePool2(flags, 64, "Drv1");
                    ExAllocatePool2((POOL_FLAGS)raw, 64, "Drv1");
                    ExAllocatePool2(paged ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Drv1", null, 0);
                    ExAllocatePoolWithTag((POOL_TYPE)0x100, 64, "Drv1");
                    ExAllocatePoolWithTag((POOL_TYPE)1, 64, "Drv1");
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, "Drv1", 0);

                    POOL_FLAGS building = 0;
                    building |= (POOL_FLAGS)0x20;
                    building |= (POOL_FLAGS)1;
                    ulong bits = (ulong)NonPagedPoolNx | (ulong)POOL_FLAG_NON_PAGED;
                    _ = building == POOL_FLAG_PAGED && bits != 0 && (ulong)NonPagedPoolNx == (ulong)flags;
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task FixAll_TwoDocumentsAndTwoProjects_AllTranslated()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                nint A() => ExAllocatePool2([|(POOL_FLAGS)NonPagedPoolNx|], 64, "Drv1");
                nint B() => ExAllocatePool2([|(POOL_FLAGS)PagedPool|], 64, "Drv2");
            }
            """);
        test.TestState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint C() => ExAllocatePool3([|(POOL_FLAGS)(ulong)NonPagedPoolNxCacheAligned|], 64, "Flt1", null, 0);
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint D() => Ex.ExAllocatePool2([|(POOL_FLAGS)NonPagedPoolNx|], 8, "Oth1");
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                nint A() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                nint B() => ExAllocatePool2(POOL_FLAG_PAGED, 64, "Drv2");
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint C() => ExAllocatePool3(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, 64, "Flt1", null, 0);
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint D() => Ex.ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, "Oth1");
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task NoRuntimeReference_NothingReported()
    {
        string source = """
            namespace Legacy
            {
                enum POOL_TYPE { NonPagedPoolNx = 512 }

                enum POOL_FLAGS : ulong { POOL_FLAG_NON_PAGED = 0x40 }

                class Driver
                {
                    POOL_FLAGS Flags() => (POOL_FLAGS)POOL_TYPE.NonPagedPoolNx;
                }
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }
}
