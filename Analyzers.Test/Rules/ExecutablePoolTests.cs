using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.ExecutablePoolAnalyzer,
    PoolAnalyzers.CodeFixes.ExecutablePoolCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class ExecutablePoolTests
{
    [Fact]
    public async Task NonPagedPool_ReportedAndSwitchedToNx()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag({|#0:NonPagedPool|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.ExecutablePool).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "allocates", "NonPagedPool", "use NonPagedPoolNx") },
            fixedSource);
    }

    [Theory]
    [InlineData("POOL_TYPE.NonPagedPool", "POOL_TYPE.NonPagedPoolNx", "use NonPagedPoolNx")]
    [InlineData("NonPagedPoolExecute", "NonPagedPoolNx", "use NonPagedPoolNx")]
    [InlineData("NonPagedPoolBase", "NonPagedPoolNx", "use NonPagedPoolNx")]
    [InlineData("NonPagedPoolCacheAligned", "NonPagedPoolNxCacheAligned", "use NonPagedPoolNxCacheAligned")]
    [InlineData("POOL_TYPE.NonPagedPoolBaseCacheAligned", "POOL_TYPE.NonPagedPoolNxCacheAligned", "use NonPagedPoolNxCacheAligned")]
    [InlineData("NonPagedPoolSession", "NonPagedPoolSessionNx", "use NonPagedPoolSessionNx")]
    [InlineData("NonPagedPoolCacheAlignedSession", "NonPagedPoolCacheAlignedSession | POOL_NX_ALLOCATION", "use NonPagedPoolCacheAlignedSession | POOL_NX_ALLOCATION")]
    [InlineData("NonPagedPool | POOL_COLD_ALLOCATION", "NonPagedPoolNx | POOL_COLD_ALLOCATION", "use NonPagedPoolNx | POOL_COLD_ALLOCATION")]
    [InlineData("POOL_RAISE_IF_ALLOCATION_FAILURE | (NonPagedPoolCacheAligned)", "POOL_RAISE_IF_ALLOCATION_FAILURE | (NonPagedPoolNxCacheAligned)", "use NonPagedPoolNxCacheAligned | POOL_RAISE_IF_ALLOCATION_FAILURE")]
    [InlineData("(POOL_TYPE)0", "NonPagedPoolNx", "use NonPagedPoolNx")]
    [InlineData("(POOL_TYPE)(4 | 16)", "NonPagedPoolNxCacheAligned | POOL_RAISE_IF_ALLOCATION_FAILURE", "use NonPagedPoolNxCacheAligned | POOL_RAISE_IF_ALLOCATION_FAILURE")]
    public async Task ExecutableTypes_ReportedAndSwitchedToTheirNxForm(string poolType, string fixedType, string remedy)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag({|#0:{{poolType}}|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag({{fixedType}}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.ExecutablePool).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "allocates", poolType, remedy) },
            fixedSource);
    }

    [Fact]
    public async Task EveryPoolTypeRoutine_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Allocate(EX_POOL_PRIORITY priority)
                {
                    ExAllocatePool([|NonPagedPool|], 64);
                    ExAllocatePoolWithQuota([|NonPagedPool|], 64);
                    ExAllocatePoolWithQuotaTag([|NonPagedPool|], 64, "Drv1");
                    ExAllocatePoolWithTagPriority([|NonPagedPool|], 64, "Drv1", priority);
                    ExAllocatePoolZero([|NonPagedPool|], 64, "Drv1");
                    ExAllocatePoolUninitialized([|NonPagedPool|], 64, "Drv1");
                    ExAllocatePoolQuotaZero([|NonPagedPool|], 64, "Drv1");
                    ExAllocatePoolQuotaUninitialized([|NonPagedPool|], 64, "Drv1");
                    ExAllocatePoolPriorityZero([|NonPagedPool|], 64, "Drv1", priority);
                    ExAllocatePoolPriorityUninitialized(NumberOfBytes: 64, PoolType: [|NonPagedPool|], Tag: "Drv1", Priority: priority);
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                void Allocate(EX_POOL_PRIORITY priority)
                {
                    ExAllocatePool(NonPagedPoolNx, 64);
                    ExAllocatePoolWithQuota(NonPagedPoolNx, 64);
                    ExAllocatePoolWithQuotaTag(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Drv1", priority);
                    ExAllocatePoolZero(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolUninitialized(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolQuotaZero(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolQuotaUninitialized(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolPriorityZero(NonPagedPoolNx, 64, "Drv1", priority);
                    ExAllocatePoolPriorityUninitialized(NumberOfBytes: 64, PoolType: NonPagedPoolNx, Tag: "Drv1", Priority: priority);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("POOL_FLAG_NON_PAGED_EXECUTE", "POOL_FLAG_NON_PAGED", "use POOL_FLAG_NON_PAGED")]
    [InlineData("POOL_FLAGS.POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAGS.POOL_FLAG_CACHE_ALIGNED", "POOL_FLAGS.POOL_FLAG_NON_PAGED | POOL_FLAGS.POOL_FLAG_CACHE_ALIGNED", "use POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED")]
    [InlineData("POOL_FLAG_UNINITIALIZED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_SPECIAL_POOL", "POOL_FLAG_UNINITIALIZED | POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL", "use POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED | POOL_FLAG_SPECIAL_POOL")]
    [InlineData("(POOL_FLAGS)0x80", "POOL_FLAG_NON_PAGED", "use POOL_FLAG_NON_PAGED")]
    public async Task ExecuteFlag_ReportedAndSwitchedToNonPaged(string flags, string fixedFlags, string remedy)
    {
        string source = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2({|#0:{{flags}}|}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2({{fixedFlags}}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.ExecutablePool).WithLocation(0).WithArguments("ExAllocatePool2", "allocates", flags, remedy) },
            fixedSource);
    }

    [Fact]
    public async Task ExecuteFlagOfPool3_Reported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool3([|POOL_FLAG_NON_PAGED_EXECUTE|], 64, "Drv1", null, 0);
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Drv1", null, 0);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task NonPagedLookasideWithoutNx_DefaultAllocatorAllocatesExecutableMemory()
    {
        string source = Sources.Usings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                readonly NPAGED_LOOKASIDE_LIST _raising = new();

                void Start()
                {
                    ExInitializeNPagedLookasideList(_list, null, null, {|#0:0|}, 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(_raising, null, default, {|#1:(uint)POOL_RAISE_IF_ALLOCATION_FAILURE|}, 64, "Drv2", 0);
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                readonly NPAGED_LOOKASIDE_LIST _raising = new();

                void Start()
                {
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(_raising, null, default, (uint)POOL_RAISE_IF_ALLOCATION_FAILURE | (uint)POOL_NX_ALLOCATION, 64, "Drv2", 0);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.ExecutablePool).WithLocation(0).WithArguments("ExInitializeNPagedLookasideList", "allocates", "Flags lack POOL_NX_ALLOCATION", "add POOL_NX_ALLOCATION to Flags"),
                VerifyCS.Diagnostic(DiagnosticIds.ExecutablePool).WithLocation(1).WithArguments("ExInitializeNPagedLookasideList", "allocates", "Flags lack POOL_NX_ALLOCATION", "add POOL_NX_ALLOCATION to Flags"),
            },
            fixedSource);
    }

    [Fact]
    public async Task NonPagedLookasideWithOwnAllocator_MayAllocateExecutableMemory()
    {
        string source = Sources.Usings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();

                void Start() => ExInitializeNPagedLookasideList(_list, Allocate, null, {|#0:Raise ? 16u : 0u|}, 64, "Drv1", 0);

                const bool Raise = true;

                static nint Allocate(POOL_TYPE type, nuint size, PoolTag tag) => ExAllocatePoolWithTag(type, size, tag);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();

                void Start() => ExInitializeNPagedLookasideList(_list, Allocate, null, (Raise ? 16u : 0u) | (uint)POOL_NX_ALLOCATION, 64, "Drv1", 0);

                const bool Raise = true;

                static nint Allocate(POOL_TYPE type, nuint size, PoolTag tag) => ExAllocatePoolWithTag(type, size, tag);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.ExecutablePool).WithLocation(0).WithArguments(
                    "ExInitializeNPagedLookasideList",
                    "may allocate",
                    "its Allocate routine is given NonPagedPool, Flags lacking POOL_NX_ALLOCATION",
                    "add POOL_NX_ALLOCATION to Flags"),
            },
            fixedSource);
    }

    [Fact]
    public async Task NoExecuteAndOtherTypes_NotReported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                readonly PAGED_LOOKASIDE_LIST _paged = new();

                void Allocate(POOL_TYPE poolType, POOL_FLAGS flags, uint modifiers, bool large)
                {
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNxCacheAligned | POOL_COLD_ALLOCATION, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolSessionNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPool | POOL_NX_ALLOCATION, 64, "Drv1");
                    ExAllocatePoolWithTag(PagedPool, 64, "Drv1");
                    ExAllocatePoolWithTag(PagedPoolCacheAlignedSession, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolMustSucceed, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolCacheAlignedMustS, 64, "Drv1");
                    ExAllocatePoolWithTag((POOL_TYPE)64, 64, "Drv1");
                    ExAllocatePoolWithTag(ExDefaultNonPagedPoolType, 64, "Drv1");
                    ExAllocatePoolWithTag(poolType, 64, "Drv1");
                    ExAllocatePoolWithTag(large ? PagedPool : NonPagedPool, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, 64, "Drv1");
                    ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool2(flags, 64, "Drv1");
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)(POOL_NX_ALLOCATION | POOL_RAISE_IF_ALLOCATION_FAILURE), 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(_list, null, null, modifiers, 64, "Drv1", 0);
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_FLAG_NON_PAGED_EXECUTE, 64, "Drv1", 0); // POOL_FLAGS as Flags: POOL008's
                    ExInitializePagedLookasideList(_paged, null, null, 0, 64, "Drv1", 0);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task LocalHidingTheNxMember_QualifiedMembersWritten()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate()
                {
                    int NonPagedPoolNx = 3;
                    return ExAllocatePoolWithTag([|NonPagedPool|], (nuint)NonPagedPoolNx, "Drv1");
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate()
                {
                    int NonPagedPoolNx = 3;
                    return ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, (nuint)NonPagedPoolNx, "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task FixAll_TwoDocumentsAndTwoProjects_AllSwitched()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                nint A() => ExAllocatePoolWithTag([|NonPagedPool|], 64, "Drv1");
                nint B() => ExAllocatePool2([|POOL_FLAG_NON_PAGED_EXECUTE|], 64, "Drv2");
                void C() => ExInitializeNPagedLookasideList(_list, null, null, [|0|], 64, "Drv3", 0);
            }
            """);
        test.TestState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint D() => ExAllocatePoolWithQuotaTag([|NonPagedPoolCacheAligned|], 64, "Flt1");
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint E() => ExAllocatePool([|NonPagedPool|], 8);
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                nint B() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv2");
                void C() => ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, "Drv3", 0);
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint D() => ExAllocatePoolWithQuotaTag(NonPagedPoolNxCacheAligned, 64, "Flt1");
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint E() => ExAllocatePool(NonPagedPoolNx, 8);
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
                enum POOL_TYPE { NonPagedPool }

                static class Ex
                {
                    public static nint ExAllocatePoolWithTag(POOL_TYPE type, nuint size, uint tag) => 0;
                }

                class Driver
                {
                    nint Allocate() => Ex.ExAllocatePoolWithTag(POOL_TYPE.NonPagedPool, 64, 0x31767244u);
                }
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }
}
