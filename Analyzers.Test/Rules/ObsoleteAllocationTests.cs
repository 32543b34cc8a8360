using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using PoolAnalyzers.CodeFixes;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.ObsoleteAllocationAnalyzer,
    PoolAnalyzers.CodeFixes.ObsoleteAllocationCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class ObsoleteAllocationTests
{
    [Fact]
    public async Task QualifiedCall_ReportedAndMigratedWithDerivedTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => Ex.{|#0:ExAllocatePool|}(POOL_TYPE.NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => Ex.ExAllocatePoolWithTag(POOL_TYPE.NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(0).WithArguments("ExAllocatePool", "ExAllocatePoolWithTag", "ExAllocatePool2") },
            fixedSource);
    }

    [Fact]
    public async Task UsingStaticQuotaCall_MigratedToQuotaTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithQuota|}(PagedPool, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithQuotaTag(PagedPool, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(0).WithArguments("ExAllocatePoolWithQuota", "ExAllocatePoolWithQuotaTag", "ExAllocatePool2") },
            fixedSource);
    }

    [Fact]
    public async Task EquivalenceKey_IsStable()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private static readonly PoolTag QuotaTag = "DrvQ";
                nint Allocate() => {|POOL001:ExAllocatePoolWithQuota|}(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private static readonly PoolTag QuotaTag = "DrvQ";
                nint Allocate() => ExAllocatePoolWithQuotaTag(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, QuotaTag);
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.EquivalenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task CallWithComments_TriviaKept()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate()
                {
                    return /* legacy */ {|POOL001:ExAllocatePool|}(PagedPool, /* bytes */ 64) /* done */;
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate()
                {
                    return /* legacy */ ExAllocatePoolWithTag(PagedPool, /* bytes */ 64, "Driv") /* done */;
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task FieldInitializerAndLambda_ReportedAndFixed()
    {
        string source = Sources.Usings + """
            class Io
            {
                static readonly nint Block = {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 16);
                readonly Func<nint> _allocate = () => Ex.{|POOL001:ExAllocatePool|}(NonPagedPoolNx, 32);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Io
            {
                static readonly nint Block = ExAllocatePoolWithTag(NonPagedPoolNx, 16, "Io  ");
                readonly Func<nint> _allocate = () => Ex.ExAllocatePoolWithTag(NonPagedPoolNx, 32, "Io  ");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task SingleTagConstant_Reused()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "Drv1";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "Drv1";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, DriverTag);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task SingleStaticReadonlyPoolTag_Reused()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private static readonly PoolTag Tag = "Drv1";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private static readonly PoolTag Tag = "Drv1";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Tag);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task TagConstantHiddenByParameter_QualifiedReference()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "Drv1";
                nint Allocate(int DriverTag) => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, (nuint)DriverTag);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "Drv1";
                nint Allocate(int DriverTag) => ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)DriverTag, Driver.DriverTag);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task TwoTagConstants_DerivedTagUsed()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private const string ReadTag = "DrvR";
                private const string WriteTag = "DrvW";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private const string ReadTag = "DrvR";
                private const string WriteTag = "DrvW";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task InvalidTagConstant_DerivedTagUsed()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "TooLong";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "TooLong";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task NamedArguments_TagAddedAsNamedArgument()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NumberOfBytes: 64, PoolType: NonPagedPoolNx);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NumberOfBytes: 64, PoolType: NonPagedPoolNx, Tag: "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task TypeNameWithoutLettersOrDigitsBeyondUnderscore_DerivedTagPaddedOrDefaulted()
    {
        string source = Sources.Usings + """
            class _
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            class BIG
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class _
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Pool");
            }
            class BIG
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "BIG_");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task NestedCalls_OneByOneAndFixAllAgree()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, (nuint){|POOL001:ExAllocatePool|}(NonPagedPoolNx, 8));
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)ExAllocatePoolWithTag(NonPagedPoolNx, 8, "Driv"), "Driv");
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            BatchFixedCode = fixedSource,
        }.RunAsync();
    }

    [Fact]
    public async Task OwnTaggedRoutineHidesRuntimeOne_OnlyTheExAllocatePool2ActionOffered()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static nint ExAllocatePoolWithTag(POOL_TYPE type, nuint size, string tag) => 0;
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                static nint ExAllocatePoolWithTag(POOL_TYPE type, nuint size, string tag) => 0;
                nint Allocate() => ExAllocatePool2(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Driv");
            }
            """;

        // The first and only action offered is the second kind: the tagged routine would bind to the type's own method.
        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 0,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.ModernEquivalenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task OwnModernAndTaggedRoutinesHideRuntimeOnes_NoFixOffered()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static nint ExAllocatePoolWithTag(POOL_TYPE type, nuint size, string tag) => 0;
                static nint ExAllocatePool2(POOL_FLAGS flags, nuint size, PoolTag tag) => 0;
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task MethodGroup_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                Func<POOL_TYPE, nuint, nint> _allocate = Ex.{|#0:ExAllocatePool|};
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(0).WithArguments("ExAllocatePool", "ExAllocatePoolWithTag", "ExAllocatePool2");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.Add(expected);
        test.FixedState.ExpectedDiagnostics.Add(expected);
        await test.RunAsync();
    }

    [Fact]
    public async Task NameOf_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const string Name = nameof(Ex.ExAllocatePool);
                const string Other = nameof(ExAllocatePoolWithQuota);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task OwnMethodWithSameName_NotReported()
    {
        string source = Sources.Usings + """
            static class Legacy
            {
                public static nint ExAllocatePool(POOL_TYPE type, nuint size) => 0;
            }
            class Driver
            {
                nint Allocate() => Legacy.ExAllocatePool(NonPagedPoolNx, 64);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task TaggedRoutines_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                nint B() => ExAllocatePoolWithQuotaTag(PagedPool, 64, "Drv2");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task NoRuntimeReference_NothingReported()
    {
        string source = """
            namespace Legacy
            {
                static class Ex
                {
                    public static nint ExAllocatePool(int type, nuint size) => 0;
                }

                class Driver
                {
                    nint Allocate() => Ex.ExAllocatePool(0, 64);
                }
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoDocuments_AllMigrated()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
                nint B() => {|POOL001:ExAllocatePoolWithQuota|}(PagedPool, 64);
            }
            """);
        test.TestState.Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => Ex.{|POOL001:ExAllocatePool|}(NonPagedPoolNx, 8);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
                nint B() => ExAllocatePoolWithQuotaTag(PagedPool, 64, "Driv");
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => Ex.ExAllocatePoolWithTag(NonPagedPoolNx, 8, "Filt");
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoProjects_AllMigrated()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            public class Driver
            {
                nint A() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => Ex.{|POOL001:ExAllocatePool|}(NonPagedPoolNx, 8);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            public class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => Ex.ExAllocatePoolWithTag(NonPagedPoolNx, 8, "Filt");
            }
            """);

        await test.RunAsync();
    }

    [Theory]
    [InlineData("const string", "DriverTag", "\"Drv1\"")]
    [InlineData("const string", "_tag", "\"Drv1\"")]
    [InlineData("const string", "TAG", "\"Drv1\"")]
    [InlineData("const string", "tagValue", "\"Drv1\"")]
    [InlineData("static readonly PoolTag", "s_tag", "\"Drv1\"")]
    [InlineData("static readonly PoolTag", "POOL_TAG", "0x31767244u")]
    public async Task FieldNamedWithTheWordTag_Reused(string declaration, string name, string value)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                private {{declaration}} {{name}} = {{value}};
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + $$"""
            class Driver
            {
                private {{declaration}} {{name}} = {{value}};
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {{name}});
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("Stage")]
    [InlineData("Hashtag")]
    [InlineData("Advantage")]
    [InlineData("Tagged")]
    public async Task FieldWhoseNameOnlyContainsTheLettersTag_NotReused(string name)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                private const string {{name}} = "Init";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + $$"""
            class Driver
            {
                private const string {{name}} = "Init";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task TypesNamedLikeDefaultTags_DerivedTagRemapped()
    {
        string source = Sources.Usings + """
            class None
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            class Ddk
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            class Wdm
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            class NoneSuch
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            class WdmFilter
            {
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class None
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Non_");
            }
            class Ddk
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Ddk_");
            }
            class Wdm
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Wdm_");
            }
            class NoneSuch
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Non_");
            }
            class WdmFilter
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "WdmF");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task MethodGroupsThroughUsingStatic_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                Func<POOL_TYPE, nuint, nint> _allocate = {|#0:ExAllocatePool|};
                Func<POOL_TYPE, nuint, nint> _charge = {|#1:ExAllocatePoolWithQuota|};
                Func<POOL_TYPE, nuint, nint> _created = new Func<POOL_TYPE, nuint, nint>({|#2:ExAllocatePool|});
            }
            """;

        DiagnosticResult[] expected = new[]
        {
            VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(0).WithArguments("ExAllocatePool", "ExAllocatePoolWithTag", "ExAllocatePool2"),
            VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(1).WithArguments("ExAllocatePoolWithQuota", "ExAllocatePoolWithQuotaTag", "ExAllocatePool2"),
            VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(2).WithArguments("ExAllocatePool", "ExAllocatePoolWithTag", "ExAllocatePool2"),
        };
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    [Fact]
    public async Task FunctionPointer_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            unsafe class Driver
            {
                delegate*<POOL_TYPE, nuint, nint> Pointer() => &Ex.{|#0:ExAllocatePool|};
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.ObsoleteAllocation).WithLocation(0).WithArguments("ExAllocatePool", "ExAllocatePoolWithTag", "ExAllocatePool2");
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.Add(expected);
        test.FixedState.ExpectedDiagnostics.Add(expected);
        await test.RunAsync();
    }

    [Fact]
    public async Task CallInLocalFunction_MigratedWithTheContainingTypesTag()
    {
        string source = Sources.Usings + """
            class Filter
            {
                nint Run()
                {
                    return Allocate(32);

                    static nint Allocate(nuint size) => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, size);
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Filter
            {
                nint Run()
                {
                    return Allocate(32);

                    static nint Allocate(nuint size) => ExAllocatePoolWithTag(NonPagedPoolNx, size, "Filt");
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task CallsInTopLevelStatements_MigratedWithTheAssemblyNamesTag()
    {
        string source = Sources.Usings + """
            nint block = {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            Func<nint> later = () => {|POOL001:ExAllocatePoolWithQuota|}(PagedPool, 8);
            ExFreePool(block);
            ExFreePool(later());
            """;
        string fixedSource = Sources.Usings + """
            nint block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Test");
            Func<nint> later = () => ExAllocatePoolWithQuotaTag(PagedPool, 8, "Test");
            ExFreePool(block);
            ExFreePool(later());
            """;

        var test = new VerifyCS.Test { TestCode = source, FixedCode = fixedSource };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }

    [Theory]
    [InlineData("Driver", "Driv")]
    [InlineData("Io", "Io  ")]
    [InlineData("_", "Pool")]
    [InlineData(null, "Pool")]
    [InlineData("BIG", "BIG_")]
    [InlineData("Big", "Big ")]
    [InlineData("None", "Non_")]
    [InlineData("Nonesuch", "Non_")]
    [InlineData("NONE", "NONE")]
    [InlineData("Ddk", "Ddk_")]
    [InlineData("Wdm", "Wdm_")]
    [InlineData("Wdm_Filter", "WdmF")]
    public void DerivedTag_IsValidAndNeverADefaultTag(string? typeName, string expected)
    {
        string tag = DerivedPoolTag.For(typeName);

        Assert.Equal(expected, tag);
        Assert.True(PoolTagRules.Check(tag).IsValid, tag);
        Assert.False(PoolTagRules.IsDefaultTag(tag), tag);
    }

    [Fact]
    public async Task OwnCopyOfExNextToTheRuntime_CallsToTheCopyNotReported()
    {
        string source = """
            using PoolAnalyzers.Runtime;

            namespace PoolAnalyzers.Runtime
            {
                internal static class Ex
                {
                    public static nint ExAllocatePool(POOL_TYPE PoolType, nuint NumberOfBytes) => 0;
                }
            }

            class Driver
            {
                nint Allocate() => Ex.ExAllocatePool(POOL_TYPE.NonPagedPoolNx, 64);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Theory]
    [InlineData("", "ExAllocatePool", "NonPagedPoolNx, 64", "ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, \"Driv\")")]
    [InlineData("", "ExAllocatePool", "NonPagedPool, 64", "ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE, 64, \"Driv\")")]
    [InlineData("Ex.", "ExAllocatePool", "PagedPoolCacheAligned | POOL_RAISE_IF_ALLOCATION_FAILURE, 64", "Ex.ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE, 64, \"Driv\")")]
    [InlineData("", "ExAllocatePoolWithQuota", "PagedPool, 64", "ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, 64, \"Driv\")")]
    [InlineData("", "ExAllocatePoolWithQuota", "NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64", "ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 64, \"Driv\")")]
    [InlineData("", "ExAllocatePool", "NumberOfBytes: 64, PoolType: PagedPool", "ExAllocatePool2(NumberOfBytes: 64, Flags: POOL_FLAG_PAGED, Tag: \"Driv\")")]
    public async Task SecondAction_MovesStraightToExAllocatePool2(string qualifier, string routine, string arguments, string fixedCall)
    {
        string source = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => {{qualifier}}{|POOL001:{{routine}}|}({{arguments}});
            }
            """;
        string fixedSource = Sources.ModernUsings + $$"""
            class Driver
            {
                nint Allocate() => {{fixedCall}};
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 1,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.ModernEquivalenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task SecondAction_UsesTheTypesTagAndDropsARedundantZeroing()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                private static readonly PoolTag ContextTag = "DrvC";

                nint Allocate(nuint size)
                {
                    nint context = {|POOL001:ExAllocatePool|}(PagedPool, size);
                    if (context == 0)
                    {
                        return 0;
                    }

                    RtlZeroMemory(context, size);
                    return context;
                }
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                private static readonly PoolTag ContextTag = "DrvC";

                nint Allocate(nuint size)
                {
                    nint context = ExAllocatePool2(POOL_FLAG_PAGED, size, ContextTag);
                    if (context == 0)
                    {
                        return 0;
                    }

                    return context;
                }
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 1,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.ModernEquivalenceKey,
        }.RunAsync();
    }

    [Theory]
    [InlineData("poolType")]
    [InlineData("ExDefaultNonPagedPoolType")]
    [InlineData("NonPagedPoolMustSucceed")]
    public async Task PoolTypeWithoutTranslation_OnlyTheTaggedRoutineOffered(string poolType)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate(POOL_TYPE poolType) => {|POOL001:ExAllocatePool|}({{poolType}}, 64);
            }
            """;
        string fixedSource = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate(POOL_TYPE poolType) => ExAllocatePoolWithTag({{poolType}}, 64, "Driv");
            }
            """;

        // Index 0 is the only action: asking for the tagged routine's key there proves the other is absent.
        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 0,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.EquivalenceKey,
            CodeActionVerifier = (action, verifier) => verifier.Equal("Use 'ExAllocatePoolWithTag' with tag \"Driv\"", action.Title),
        }.RunAsync();
        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = source,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.ModernEquivalenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task BothActions_TitlesSayWhatTheyWrite()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|POOL001:ExAllocatePoolWithQuota|}(PagedPool, 64);
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = Sources.Usings + """
                class Driver
                {
                    nint Allocate() => ExAllocatePool2(POOL_FLAGS.POOL_FLAG_PAGED | POOL_FLAGS.POOL_FLAG_USE_QUOTA | POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE, 64, "Driv");
                }
                """,
            CodeActionIndex = 1,
            CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.ModernEquivalenceKey,
            CodeActionVerifier = (action, verifier) => verifier.Equal(
                "Use 'ExAllocatePool2' with POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE and tag \"Driv\"",
                action.Title),
        }.RunAsync();
    }

    [Fact]
    public async Task SecondAction_FixAllInTwoDocumentsAndTwoProjects()
    {
        var test = new VerifyCS.Test { CodeActionIndex = 1, CodeActionEquivalenceKey = ObsoleteAllocationCodeFixProvider.ModernEquivalenceKey };
        test.TestState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                nint A() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
                nint B() => {|POOL001:ExAllocatePoolWithQuota|}(PagedPool, 64);
            }
            """);
        test.TestState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint C() => Ex.{|POOL001:ExAllocatePool|}(NonPagedPoolNx, 8);
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint D() => {|POOL001:ExAllocatePool|}(PagedPool, 8);
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            public class Driver
            {
                nint A() => ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Driv");
                nint B() => ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, 64, "Driv");
            }
            """);
        test.FixedState.Sources.Add(Sources.ModernUsings + """
            class Filter
            {
                nint C() => Ex.ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, "Filt");
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.ModernUsings + """
            class Other
            {
                nint D() => ExAllocatePool2(POOL_FLAG_PAGED, 8, "Othe");
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task DefaultTagField_NeverReused()
    {
        string source = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "None";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            class Filter
            {
                private static readonly PoolTag Tag = "Ddk ";
                nint Allocate() => {|POOL001:ExAllocatePool|}(NonPagedPoolNx, 64);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                private const string DriverTag = "None";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            class Filter
            {
                private static readonly PoolTag Tag = "Ddk ";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Filt");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }
}
