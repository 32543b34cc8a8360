using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using PoolAnalyzers.CodeFixes;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.InvalidPoolTagAnalyzer,
    PoolAnalyzers.CodeFixes.InvalidPoolTagCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class InvalidPoolTagTests
{
    [Fact]
    public async Task TooLongText_ReportedAndTruncated()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:"Frederick"|});
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Fred");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments("\"Frederick\"", "it has 9 characters; a tag has at most 4") },
            fixedSource);
    }

    [Fact]
    public async Task TooLongTextWithInvalidHead_DerivedTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"....Fred"|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("\"\"", "it is empty; a tag has 1 to 4 characters")]
    [InlineData("\"BIG \"", "\"BIG \" is reserved for the kernel's big-page tracker (BAD_POOL_CALLER 0x9C)")]
    [InlineData("\"BIG\"", "\"BIG \" is reserved for the kernel's big-page tracker (BAD_POOL_CALLER 0x9C)")]
    [InlineData("\"..-\"", "it has no letter or digit (BAD_POOL_CALLER 0x9D)")]
    [InlineData("\"Ab\\u00e9\"", "character 2 is 0xE9, outside printable ASCII 0x20-0x7E")]
    [InlineData("\"A\\tB\"", "character 1 is 0x09, outside printable ASCII 0x20-0x7E")]
    public async Task InvalidText_ReportedWithReasonAndReplacedByDerivedTag(string literal, string reason)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:{{literal}}|});
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        DiagnosticResult expected = VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0);
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected.WithMessage(ExpectedMessage(literal, reason)) }, fixedSource);
    }

    [Theory]
    [InlineData("0u", "0x00000000", "tag 0 means 'no tag' and allocation routines reject it (BAD_POOL_CALLER 0x9B)")]
    [InlineData("0", "0x00000000", "tag 0 means 'no tag' and allocation routines reject it (BAD_POOL_CALLER 0x9B)")]
    [InlineData("0x41004100u", "0x41004100", "byte 1 follows a NUL byte; characters run from the lowest byte up with no gaps")]
    [InlineData("0x20474942u", "0x20474942", "\"BIG \" is reserved for the kernel's big-page tracker (BAD_POOL_CALLER 0x9C)")]
    [InlineData("0x2D2E2E2Eu", "0x2D2E2E2E", "it has no letter or digit (BAD_POOL_CALLER 0x9D)")]
    [InlineData("0x6465721Fu", "0x6465721F", "character 0 is 0x1F, outside printable ASCII 0x20-0x7E")]
    public async Task InvalidNumber_ReportedWithReasonAndReplacedByDerivedTag(string literal, string shown, string reason)
    {
        string source = Sources.Usings + $$"""
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:{{literal}}|});
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments(shown, reason) },
            fixedSource);
    }

    [Fact]
    public async Task NullText_ReportedAndReplacedByDerivedTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static readonly PoolTag Tag = {|#0:null|};
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                static readonly PoolTag Tag = "Driv";
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments("null", "a tag cannot be null") },
            fixedSource);
    }

    [Fact]
    public async Task ProtectedTagWithCharacters_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Free(nint p) => ExFreePoolWithTag(p, PoolTag.PROTECTED_POOL | 0x64657246u);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ValidTags_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const string DriverTag = "Drv1";
                static readonly PoolTag Short = "AGP";
                static readonly PoolTag Numeric = 0x64657246u;
                static readonly PoolTag Protected = 0x80000000u | 0x64657246u;
                static readonly PoolTag OneByte = 0x41u;
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, DriverTag);
                nint B(string runtimeTag) => ExAllocatePoolWithTag(NonPagedPoolNx, 64, runtimeTag);
                PoolTag C() => default;
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ZeroTagForFree_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Free(nint p)
                {
                    ExFreePoolWithTag(p, 0);
                    ExFreePoolWithTag(p, 0u);
                    ExFreePoolWithTag(p, default);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task InvalidTextForFree_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Free(nint p) => ExFreePoolWithTag(p, [|"Frederick"|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                void Free(nint p) => ExFreePoolWithTag(p, "Fred");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task FieldsLocalsReturnsAndCasts_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static readonly PoolTag Field = [|"TooLong"|];
                PoolTag Property => [|""|];
                PoolTag Method()
                {
                    PoolTag local = [|0u|];
                    var cast = (PoolTag)[|"Frederick"|];
                    return [|"BIG "|];
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                static readonly PoolTag Field = "TooL";
                PoolTag Property => "Driv";
                PoolTag Method()
                {
                    PoolTag local = "Driv";
                    var cast = (PoolTag)"Fred";
                    return "Driv";
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ConditionalAndSwitchBranches_EachInvalidBranchReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                PoolTag Pick(bool read) => read ? "DrvR" : [|"Writer"|];
                PoolTag Choose(int kind) => kind switch
                {
                    0 => "Drv0",
                    1 => [|""|],
                    _ => "DrvX",
                };
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                PoolTag Pick(bool read) => read ? "DrvR" : "Writ";
                PoolTag Choose(int kind) => kind switch
                {
                    0 => "Drv0",
                    1 => "Driv",
                    _ => "DrvX",
                };
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task NumericConditionalBranch_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                PoolTag Pick(bool read) => read ? 0x64657246u : [|0u|];
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task NamedTextConstant_DeclarationRewrittenWithTruncatedTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const string Name = "Frederick";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:Name|});
                void Free(nint p) => ExFreePoolWithTag(p, [|Name|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                const string Name = "Fred";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Name);
                void Free(nint p) => ExFreePoolWithTag(p, Name);
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            ExpectedDiagnostics = { VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments("\"Frederick\"", "it has 9 characters; a tag has at most 4") },
            CodeActionEquivalenceKey = InvalidPoolTagCodeFixProvider.EquivalenceKey,
            NumberOfIncrementalIterations = 1,
        }.RunAsync();
    }

    [Fact]
    public async Task NamedTextConstant_SecondActionReplacesEachUse()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const string Name = "Frederick";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|Name|]);
                void Free(nint p) => ExFreePoolWithTag(p, [|Name|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                const string Name = "Frederick";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Fred");
                void Free(nint p) => ExFreePoolWithTag(p, "Fred");
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 1,
            CodeActionEquivalenceKey = InvalidPoolTagCodeFixProvider.UseLiteralEquivalenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task ConstantOfAnotherTypeWithoutValidHead_DeclarationGetsItsOwnTypesDerivedTag()
    {
        string source = Sources.Usings + """
            static class Tags
            {
                public const string Reader = "....Reader";
            }

            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|Tags.Reader|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            static class Tags
            {
                public const string Reader = "Tags";
            }

            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Tags.Reader);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task LocalConstant_DeclarationRewritten()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate()
                {
                    const string tag = "";
                    return ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|tag|]);
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate()
                {
                    const string tag = "Driv";
                    return ExAllocatePoolWithTag(NonPagedPoolNx, 64, tag);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ConstantDeclaredInAnotherProject_EveryScopeRewritesTheDeclarationOnce()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            public static class Tags
            {
                public const string Reader = "Frederick";
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Reader
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|Tags.Reader|]);
                void B(nint p) => ExFreePoolWithTag(p, [|Tags.Reader|]);
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => ExAllocatePoolWithTag(PagedPool, 8, [|Tags.Reader|]);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            public static class Tags
            {
                public const string Reader = "Fred";
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Reader
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Tags.Reader);
                void B(nint p) => ExFreePoolWithTag(p, Tags.Reader);
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => ExAllocatePoolWithTag(PagedPool, 8, Tags.Reader);
            }
            """);
        test.TestState.AdditionalProjects["Second"].AdditionalProjectReferences.Add("TestProject");
        test.FixedState.AdditionalProjects["Second"].AdditionalProjectReferences.Add("TestProject");

        await test.RunAsync();
    }

    [Fact]
    public async Task MetadataTextConstant_OnlyTheUseIsReplaced()
    {
        string source = Sources.Usings + """
            using System.Net.Mime;

            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:MediaTypeNames.Text.Plain|});
            }
            """;
        string fixedSource = Sources.Usings + """
            using System.Net.Mime;

            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "text");
            }
            """;

        await new VerifyCS.Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            ExpectedDiagnostics = { VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments("\"text/plain\"", "it has 10 characters; a tag has at most 4") },
            CodeActionEquivalenceKey = InvalidPoolTagCodeFixProvider.UseLiteralEquivalenceKey,
        }.RunAsync();
    }

    [Fact]
    public async Task NamedUintConstant_UseReplacedAndDeclarationKept()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const uint NoTag = 0;
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:NoTag|});
                void Free(nint p) => ExFreePoolWithTag(p, NoTag);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                const uint NoTag = 0;
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
                void Free(nint p) => ExFreePoolWithTag(p, NoTag);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments("0x00000000", "tag 0 means 'no tag' and allocation routines reject it (BAD_POOL_CALLER 0x9B)") },
            fixedSource);
    }

    [Fact]
    public async Task NumericConstantInNumericConditional_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const uint NoTag = 0;
                PoolTag Pick(bool read) => read ? 0x64657246u : [|NoTag|];
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task ProtectedNumericTags_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:0x80000000u|});
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#1:0xA0474942u|});
                nint C() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#2:PoolTag.PROTECTED_POOL|});
            }
            """;

        DiagnosticResult[] expected = new[]
        {
            VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0).WithArguments("0x80000000", "it is PROTECTED_POOL (0x80000000) with no characters"),
            VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(1).WithArguments("0xA0474942", "\"BIG \" is reserved for the kernel's big-page tracker (BAD_POOL_CALLER 0x9C)"),
            VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(2).WithArguments("0x80000000", "it is PROTECTED_POOL (0x80000000) with no characters"),
        };
        var test = new VerifyCS.Test { TestCode = source, FixedCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    [Fact]
    public async Task CastNumericLiteral_ReplacedInsideTheCast()
    {
        string source = Sources.Usings + """
            class Driver
            {
                PoolTag Local()
                {
                    PoolTag local = (PoolTag)[|0u|];
                    return local;
                }

                PoolTag Pick(bool read) => read ? (PoolTag)[|0u|] : "Drv1";
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                PoolTag Local()
                {
                    PoolTag local = (PoolTag)"Driv";
                    return local;
                }

                PoolTag Pick(bool read) => read ? (PoolTag)"Driv" : "Drv1";
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ParenthesizedNumber_ReplacedInsideTheParentheses()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, ([|0u|]));
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, ("Driv"));
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task AllocateFunctionDelegateTagArgument_ReportedAndTruncated()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate(PALLOCATE_FUNCTION allocate) => allocate(NonPagedPoolNx, 64, [|"Frederick"|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate(PALLOCATE_FUNCTION allocate) => allocate(NonPagedPoolNx, 64, "Fred");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task TooLongTextWhoseHeadIsADefaultTag_DerivedTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"Nonexistent"|]);
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"Wdm Filter"|]);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ComparedWithNoTagOrAllocationOnlyTags_NotReported()
    {
        string source = Sources.Usings + """
            using System.Collections.Generic;

            class Driver
            {
                bool A(PoolTag tag) => tag == (PoolTag)0u;
                bool B(PoolTag tag) => tag != (PoolTag)0;
                bool C(PoolTag tag) => tag.Equals(0u);
                bool D(PoolTag tag) => tag == "BIG ";
                bool E(PoolTag tag) => tag.Equals((PoolTag)0x2D2E2E2Eu);
                bool F(PoolTag tag) => EqualityComparer<PoolTag>.Default.Equals(tag, 0u);
                bool G(PoolTag? tag) => tag == (PoolTag)0u;
                bool H(PoolTag tag, bool big) => tag == (big ? "BIG " : (PoolTag)0u);
                bool I(PoolTag tag, int kind) => tag != kind switch { 0 => (PoolTag)0u, _ => "...." };
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ComparedWithATagTheConversionRejects_ReportedAndFixed()
    {
        string source = Sources.Usings + """
            class Driver
            {
                bool A(PoolTag tag) => tag == [|"Frederick"|];
                bool B(PoolTag tag) => tag.Equals([|""|]);
                bool C(PoolTag tag) => tag == (PoolTag)[|0x41004100u|];
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                bool A(PoolTag tag) => tag == "Fred";
                bool B(PoolTag tag) => tag.Equals("Driv");
                bool C(PoolTag tag) => tag == (PoolTag)"Driv";
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task EveryRoutineTakingATag_Checked()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run(NPAGED_LOOKASIDE_LIST n, PAGED_LOOKASIDE_LIST p)
                {
                    ExAllocatePoolWithQuotaTag(PagedPool, 64, [|"TooLong"|]);
                    ExInitializeNPagedLookasideList(n, null, null, 0, 64, [|"TooLong"|], 0);
                    ExInitializePagedLookasideList(p, null, null, 0, 64, [|"TooLong"|], 0);
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                void Run(NPAGED_LOOKASIDE_LIST n, PAGED_LOOKASIDE_LIST p)
                {
                    ExAllocatePoolWithQuotaTag(PagedPool, 64, "TooL");
                    ExInitializeNPagedLookasideList(n, null, null, 0, 64, "TooL", 0);
                    ExInitializePagedLookasideList(p, null, null, 0, 64, "TooL", 0);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task NoRuntimeReference_NothingReported()
    {
        string source = """
            struct PoolTag
            {
                public static implicit operator PoolTag(string text) => default;
            }

            class Driver
            {
                PoolTag Tag => "Frederick";
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoDocuments_AllReplaced()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"Frederick"|]);
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|""|]);
            }
            """);
        test.TestState.Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|0u|]);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Fred");
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Filt");
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_TwoProjects_AllReplaced()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"Frederick"|]);
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"Filtering"|]);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Fred");
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Filter
            {
                nint C() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Filt");
            }
            """);

        await test.RunAsync();
    }

    private static string ExpectedMessage(string literal, string reason)
    {
        string shown = literal == "\"BIG\"" ? "\"BIG\"" : literal
            .Replace("\\u00e9", "\\u00E9", System.StringComparison.Ordinal)
            .Replace("\\t", "\\u0009", System.StringComparison.Ordinal);
        return $"Pool tag {shown} is invalid: {reason}";
    }

    [Fact]
    public async Task RuntimeTypesAlsoDefinedByAReferencedProject_StillAnalyzed()
    {
        string copy = """
            namespace PoolAnalyzers.Runtime
            {
                public static class Ex
                {
                }
            }

            public class Driver
            {
                PoolAnalyzers.Runtime.PoolTag Tag => [|"Frederick"|];
            }
            """;
        string consumer = """
            class Filter
            {
                PoolAnalyzers.Runtime.PoolTag Tag => [|"Filtering"|];
            }
            """;

        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(copy);
        test.TestState.AdditionalProjects["Second"].Sources.Add(consumer);
        test.FixedState.Sources.Add(copy.Replace("[|\"Frederick\"|]", "\"Fred\"", System.StringComparison.Ordinal));
        test.FixedState.AdditionalProjects["Second"].Sources.Add(consumer.Replace("[|\"Filtering\"|]", "\"Filt\"", System.StringComparison.Ordinal));
        test.TestState.AdditionalProjects["Second"].AdditionalProjectReferences.Add("TestProject");
        test.FixedState.AdditionalProjects["Second"].AdditionalProjectReferences.Add("TestProject");
        await test.RunAsync();
    }
}
