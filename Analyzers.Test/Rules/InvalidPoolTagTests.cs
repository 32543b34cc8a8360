using System.Threading.Tasks;
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

        var expected = VerifyCS.Diagnostic(DiagnosticIds.InvalidPoolTag).WithLocation(0);
        await VerifyCS.VerifyCodeFixAsync(source, new[] { expected.WithMessage(ExpectedMessage(literal, reason)) }, fixedSource);
    }

    [Theory]
    [InlineData("0u", "0x00000000", "tag 0 means 'no tag' and allocation routines reject it (BAD_POOL_CALLER 0x9B)")]
    [InlineData("0", "0x00000000", "tag 0 means 'no tag' and allocation routines reject it (BAD_POOL_CALLER 0x9B)")]
    [InlineData("0x80000000u", "0x80000000", "it is PROTECTED_POOL (0x80000000) with no characters")]
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
    public async Task NamedConstant_ReportedAtUseWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const string Name = "Frederick";
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|Name|]);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
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
}
