using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using PoolAnalyzers.CodeFixes;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.DeprecatedAllocationAnalyzer,
    PoolAnalyzers.CodeFixes.DeprecatedAllocationCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class DeprecatedAllocationTests
{
    [Fact]
    public async Task WithTag_ReportedWithTheFlagsAndMigrated()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool2(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "ExAllocatePool2", "with POOL_FLAG_NON_PAGED") },
            fixedSource);
    }

    [Theory]
    [InlineData("NonPagedPoolNx", "POOL_FLAG_NON_PAGED")]
    [InlineData("NonPagedPool", "POOL_FLAG_NON_PAGED_EXECUTE")]
    [InlineData("NonPagedPoolExecute", "POOL_FLAG_NON_PAGED_EXECUTE")]
    [InlineData("PagedPool", "POOL_FLAG_PAGED")]
    [InlineData("PagedPool | POOL_COLD_ALLOCATION", "POOL_FLAG_PAGED")]
    [InlineData("NonPagedPoolNxCacheAligned", "POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED")]
    [InlineData("NonPagedPoolCacheAligned", "POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_CACHE_ALIGNED")]
    [InlineData("PagedPoolCacheAligned", "POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED")]
    [InlineData("NonPagedPool | POOL_NX_ALLOCATION", "POOL_FLAG_NON_PAGED")]
    [InlineData("PagedPoolSession", "POOL_FLAG_PAGED | POOL_FLAG_SESSION")]
    [InlineData("NonPagedPoolSessionNx", "POOL_FLAG_NON_PAGED | POOL_FLAG_SESSION")]
    [InlineData("NonPagedPoolSession", "POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_SESSION")]
    [InlineData("NonPagedPoolCacheAlignedSession | POOL_NX_ALLOCATION", "POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_SESSION")]
    [InlineData("NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE", "POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE")]
    [InlineData("NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE", "POOL_FLAG_NON_PAGED")]
    [InlineData("(POOL_TYPE)513", "POOL_FLAG_PAGED")]
    public async Task WithTag_ExactTranslation(string poolType, string flags)
    {
        string source = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithTag|}({{poolType}}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2({{flags}}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "ExAllocatePool2", "with " + flags) },
            fixedSource);
    }

    [Theory]
    [InlineData("PagedPool", "POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE")]
    [InlineData("PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE", "POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA")]
    [InlineData("NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE", "POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE")]
    [InlineData("NonPagedPoolNxCacheAligned | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_COLD_ALLOCATION", "POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_USE_QUOTA")]
    public async Task QuotaTag_ChargesQuotaAndKeepsRaising(string poolType, string flags)
    {
        string source = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithQuotaTag|}({{poolType}}, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePool2({{flags}}, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments("ExAllocatePoolWithQuotaTag", "ExAllocatePool2", "with " + flags) },
            fixedSource);
    }

    [Fact]
    public async Task TagPriority_MigratedToPool3WithAPriorityParameter()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate(EX_POOL_PRIORITY priority) => {|#0:ExAllocatePoolWithTagPriority|}(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE, 64, "Drv1", priority);
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate(EX_POOL_PRIORITY priority) => ExAllocatePool3(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 64, "Drv1", new POOL_EXTENDED_PARAMETER[] { new POOL_EXTENDED_PARAMETER { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = priority } }, 1);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[]
            {
                VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments(
                    "ExAllocatePoolWithTagPriority",
                    "ExAllocatePool3",
                    "with POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE and the priority in a PoolExtendedParameterPriority extended parameter"),
            },
            fixedSource);
    }

    [Fact]
    public async Task NamedArguments_StayNamedInTheirOrder()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint A() => [|ExAllocatePoolWithTag|](Tag: "Drv1", PoolType: PagedPool, NumberOfBytes: 64);
                nint B() => [|ExAllocatePoolWithTagPriority|](Priority: EX_POOL_PRIORITY.LowPoolPriority, NumberOfBytes: 8, Tag: "Drv2", PoolType: NonPagedPoolNx);
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                nint A() => ExAllocatePool2(Tag: "Drv1", Flags: POOL_FLAG_PAGED, NumberOfBytes: 64);
                nint B() => ExAllocatePool3(ExtendedParameters: new POOL_EXTENDED_PARAMETER[] { new POOL_EXTENDED_PARAMETER { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = EX_POOL_PRIORITY.LowPoolPriority } }, ExtendedParametersCount: 1, NumberOfBytes: 8, Tag: "Drv2", Flags: POOL_FLAG_NON_PAGED);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task QualifiedCallWithoutNamespaceUsing_QualificationKeptAndImportAdded()
    {
        string source = """
            using static PoolAnalyzers.Runtime.POOL_TYPE;

            class Driver
            {
                nint Allocate() => PoolAnalyzers.Runtime.Ex.[|ExAllocatePoolWithTag|](NonPagedPoolNx, 64, "Drv1");
            }
            """;
        string fixedSource = """
            using PoolAnalyzers.Runtime;
            using static PoolAnalyzers.Runtime.POOL_TYPE;

            class Driver
            {
                nint Allocate() => PoolAnalyzers.Runtime.Ex.ExAllocatePool2(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ZeroingRightAfter_Removed()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                private nint _buffer;

                nint Local(nuint size)
                {
                    nint block = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv1");
                    RtlZeroMemory(block, size);
                    return block;
                }

                void Field()
                {
                    _buffer = [|ExAllocatePoolWithTag|](PagedPool, (nuint)sizeof(long) * 4, "Drv2");
                    RtlZeroMemory(this._buffer, (nuint)sizeof(long) * 4);
                }

                nint Constant()
                {
                    var block = [|ExAllocatePoolWithTag|](NonPagedPoolNx, 64, "Drv3");
                    RtlZeroMemory(block, 0x40);
                    return block;
                }
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                private nint _buffer;

                nint Local(nuint size)
                {
                    nint block = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv1");
                    return block;
                }

                void Field()
                {
                    _buffer = ExAllocatePool2(POOL_FLAG_PAGED, (nuint)sizeof(long) * 4, "Drv2");
                }

                nint Constant()
                {
                    var block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv3");
                    return block;
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ZeroingAfterTheNullCheck_Removed()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                NTSTATUS Start(nuint size, out nint context)
                {
                    context = [|ExAllocatePoolWithQuotaTag|](PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, size, "Drv1");
                    if (context == IntPtr.Zero)
                    {
                        return NTSTATUS.STATUS_INSUFFICIENT_RESOURCES;
                    }

                    RtlZeroMemory(context, size);
                    return NTSTATUS.STATUS_SUCCESS;
                }

                nint Other(nuint size)
                {
                    nint block = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv2");
                    if (block is 0) throw new InvalidOperationException();
                    RtlZeroMemory(block, size);
                    return block;
                }
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                NTSTATUS Start(nuint size, out nint context)
                {
                    context = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA, size, "Drv1");
                    if (context == IntPtr.Zero)
                    {
                        return NTSTATUS.STATUS_INSUFFICIENT_RESOURCES;
                    }

                    return NTSTATUS.STATUS_SUCCESS;
                }

                nint Other(nuint size)
                {
                    nint block = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv2");
                    if (block is 0) throw new InvalidOperationException();
                    return block;
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ZeroingThatIsNotProvablyTheSame_Kept()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                private nuint Size { get; set; } = 64;

                void Cases(nuint size, nint other)
                {
                    nint a = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv1");
                    RtlZeroMemory(a, size / 2);

                    nint b = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv2");
                    RtlZeroMemory(other, size);

                    nint c = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv3");
                    size++;
                    RtlZeroMemory(c, size);

                    nint d = [|ExAllocatePoolWithTag|](NonPagedPoolNx, Size, "Drv4");
                    RtlZeroMemory(d, Size);

                    nint e = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv5");
                    RtlFillMemory(e, size, 0);

                    nint f = [|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Drv6");
                    if (f == 0)
                    {
                        size = 8;
                    }

                    RtlZeroMemory(f, size);
                }
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                private nuint Size { get; set; } = 64;

                void Cases(nuint size, nint other)
                {
                    nint a = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv1");
                    RtlZeroMemory(a, size / 2);

                    nint b = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv2");
                    RtlZeroMemory(other, size);

                    nint c = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv3");
                    size++;
                    RtlZeroMemory(c, size);

                    nint d = ExAllocatePool2(POOL_FLAG_NON_PAGED, Size, "Drv4");
                    RtlZeroMemory(d, Size);

                    nint e = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv5");
                    RtlFillMemory(e, size, 0);

                    nint f = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Drv6");
                    if (f == 0)
                    {
                        size = 8;
                    }

                    RtlZeroMemory(f, size);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("NonPagedPoolMustSucceed", "with POOL_FLAGS; must-succeed pool has no POOL_FLAGS counterpart (the kernel bug-checks on it: allocate ordinary pool and handle failure)")]
    [InlineData("DontUseThisType", "with POOL_FLAGS; must-succeed pool has no POOL_FLAGS counterpart (the kernel bug-checks on it: allocate ordinary pool and handle failure)")]
    [InlineData("(POOL_TYPE)64", "with POOL_FLAGS; the pool type has bits with no POOL_TYPE meaning, so it has no POOL_FLAGS translation")]
    public async Task UntranslatableConstant_ReportedWithReasonAndNoFix(string poolType, string how)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithTag|}({{poolType}}, 64, "Drv1");
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "ExAllocatePool2", how);
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected }, source);
    }

    [Fact]
    public async Task QuotaWithBothFailureModes_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithQuotaTag|}(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE, 64, "Drv1");
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments(
            "ExAllocatePoolWithQuotaTag",
            "ExAllocatePool2",
            "with POOL_FLAGS; the pool type sets both POOL_QUOTA_FAIL_INSTEAD_OF_RAISE and POOL_RAISE_IF_ALLOCATION_FAILURE; choose POOL_FLAG_RAISE_ON_FAILURE or not");
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected }, source);
    }

    [Theory]
    [InlineData("ExDefaultNonPagedPoolType")]
    [InlineData("poolType")]
    [InlineData("large ? PagedPool : NonPagedPoolNx")]
    public async Task PoolTypeNotAConstant_ReportedWithoutFix(string poolType)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate(POOL_TYPE poolType, bool large) => {|#0:ExAllocatePoolWithTag|}({{poolType}}, 64, "Drv1");
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments(
            "ExAllocatePoolWithTag",
            "ExAllocatePool2",
            $"with the POOL_FLAGS that '{poolType}' stands for; it is not a constant, so it cannot be translated here (never pass a POOL_TYPE as POOL_FLAGS)");
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected }, source);
    }

    [Fact]
    public async Task MethodGroup_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                PALLOCATE_FUNCTION _allocate = {|#0:ExAllocatePoolWithTag|};
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0)
            .WithArguments("ExAllocatePoolWithTag", "ExAllocatePool2", "with POOL_FLAGS in place of the POOL_TYPE");
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected }, source);
    }

    [Fact]
    public async Task ModernUntaggedAndDownLevelRoutines_NotReported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                void Allocate(EX_POOL_PRIORITY priority)
                {
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    ExAllocatePool3(POOL_FLAG_PAGED, 64, "Drv1", null, 0);
                    ExAllocatePoolZero(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolUninitialized(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolQuotaZero(PagedPool, 64, "Drv1");
                    ExAllocatePoolQuotaUninitialized(PagedPool, 64, "Drv1");
                    ExAllocatePoolPriorityZero(NonPagedPoolNx, 64, "Drv1", priority);
                    ExAllocatePoolPriorityUninitialized(NonPagedPoolNx, 64, "Drv1", priority);
                    ExAllocatePool(NonPagedPoolNx, 64);
                    ExAllocatePoolWithQuota(PagedPool, 64);
                    _ = nameof(ExAllocatePoolWithTag);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task OwnModernRoutineHidesTheRuntimes_NoFixOffered()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static nint ExAllocatePool2(POOL_FLAGS flags, nuint size, PoolTag tag) => 0;
                nint Allocate() => [|ExAllocatePoolWithTag|](NonPagedPoolNx, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task NestedCalls_OneByOneAndFixAllAgree()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => [|ExAllocatePoolWithTag|](NonPagedPoolNx, (nuint)[|ExAllocatePoolWithTagPriority|](PagedPool, 8, "Drv1", EX_POOL_PRIORITY.HighPoolPriority), "Drv2");
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool2(POOL_FLAG_NON_PAGED, (nuint)ExAllocatePool3(POOL_FLAG_PAGED, 8, "Drv1", new POOL_EXTENDED_PARAMETER[] { new POOL_EXTENDED_PARAMETER { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = EX_POOL_PRIORITY.HighPoolPriority } }, 1), "Drv2");
            }
            """;

        await new VerifyCS.Test { TestCode = source, FixedCode = fixedSource, BatchFixedCode = fixedSource }.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoDocumentsAndTwoProjects_AllMigrated()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                nint A() => [|ExAllocatePoolWithTag|](NonPagedPoolNx, 64, "Drv1");
                nint B() => [|ExAllocatePoolWithQuotaTag|](PagedPool, 64, "Drv2");
            }
            """);
        test.TestState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint C(nuint size)
                {
                    nint block = Ex.[|ExAllocatePoolWithTag|](NonPagedPoolNx, size, "Flt1");
                    RtlZeroMemory(block, size);
                    return block;
                }
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint D() => [|ExAllocatePoolWithTag|](PagedPool, 8, "Oth1");
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                nint A() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                nint B() => ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, 64, "Drv2");
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint C(nuint size)
                {
                    nint block = Ex.ExAllocatePool2(POOL_FLAG_NON_PAGED, size, "Flt1");
                    return block;
                }
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint D() => ExAllocatePool2(POOL_FLAG_PAGED, 8, "Oth1");
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
                static class Ex
                {
                    public static nint ExAllocatePoolWithTag(int type, nuint size, uint tag) => 0;
                }

                class Driver
                {
                    nint Allocate() => Ex.ExAllocatePoolWithTag(512, 64, 0x31767244u);
                }
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }
}
