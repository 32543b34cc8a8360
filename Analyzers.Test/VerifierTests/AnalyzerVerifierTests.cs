using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using PoolAnalyzers.Test.Verifiers;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.Test.VerifierTests.LegacyCallAnalyzer>;

namespace PoolAnalyzers.Test.VerifierTests;

public class AnalyzerVerifierTests
{
    private const string Methods = """
            static void Legacy() { }
            static void Modern() { }
        """;

    [Fact]
    public Task MarkedDiagnostic_IsAccepted() => VerifyCS.VerifyAnalyzerAsync($$"""
        class C
        {
        {{Methods}}
            void M() { [|Legacy()|]; Modern(); }
        }
        """);

    [Fact]
    public Task DiagnosticById_IsAccepted() => VerifyCS.VerifyAnalyzerAsync($$"""
        class C
        {
        {{Methods}}
            void M() { {|TEST001:Legacy()|}; }
        }
        """);

    [Fact]
    public Task KeyedLocationWithArguments_IsAccepted() => VerifyCS.VerifyAnalyzerAsync(
        $$"""
        class C
        {
        {{Methods}}
            void M() { {|#0:Legacy()|}; }
        }
        """,
        VerifyCS.Diagnostic().WithLocation(0).WithArguments("Legacy"));

    [Fact]
    public Task ExplicitSpanMessageAndSeverity_AreAccepted() => VerifyCS.VerifyAnalyzerAsync(
        $$"""
        class C
        {
        {{Methods}}
            void M() { Legacy(); }
        }
        """,
        VerifyCS.Diagnostic("TEST001").WithSpan(5, 16, 5, 24).WithMessage("Call to 'Legacy' is legacy").WithSeverity(DiagnosticSeverity.Warning));

    [Fact]
    public Task StartPositionOnly_IsAccepted() => VerifyCS.VerifyAnalyzerAsync(
        $$"""
        class C
        {
        {{Methods}}
            void M() { Legacy(); }
        }
        """,
        VerifyCS.Diagnostic().WithLocation(5, 16));

    [Fact]
    public Task CleanSource_IsAccepted() => VerifyCS.VerifyAnalyzerAsync($$"""
        class C
        {
        {{Methods}}
            void M() { Modern(); }
        }
        """);

    [Fact]
    public async Task SeveralDocumentsAndProjects_AreAccepted()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add($$"""
            public class C
            {
            {{Methods.Replace("static", "public static", System.StringComparison.Ordinal)}}
                void M() { [|Legacy()|]; }
            }
            """);
        test.TestState.Sources.Add(("/0/Other.cs", "class D { void M() => {|#0:C.Legacy()|}; }"));
        test.TestState.AdditionalProjects["Second"].Sources.Add("class E { void M() => [|C.Legacy()|]; }");
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic().WithLocation(0).WithArguments("Legacy"));
        await test.RunAsync();
    }

    [Fact]
    public async Task MissingDiagnostic_IsRejected()
    {
        await Rejection.ExpectAsync(
            () => VerifyCS.VerifyAnalyzerAsync($$"""
                class C
                {
                {{Methods}}
                    void M() { [|Modern()|]; }
                }
                """),
            "Missing (expected but not reported)",
            "VerifyCS.Diagnostic(\"TEST001\").WithSpan(\"/0/Test0.cs\", 5, 16, 5, 24)");
    }

    [Fact]
    public async Task UnexpectedDiagnostic_IsRejectedWithPasteReadyOutput()
    {
        string message = await Rejection.ExpectAsync(
            () => VerifyCS.VerifyAnalyzerAsync($$"""
                class C
                {
                {{Methods}}
                    void M() { Legacy(); }
                }
                """),
            "Unexpected (reported but not expected)",
            "VerifyCS.Diagnostic(\"TEST001\").WithSpan(\"/0/Test0.cs\", 5, 16, 5, 24).WithArguments(\"Legacy\"),",
            "void M() { {|TEST001:Legacy()|}; }");
        Assert.DoesNotContain("Missing", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public Task WrongSpan_IsRejected() => Rejection.ExpectAsync(
        () => VerifyCS.VerifyAnalyzerAsync($$"""
            class C
            {
            {{Methods}}
                void M() { [|Legacy|](); }
            }
            """),
        "closest reported TEST001 differs: span /0/Test0.cs(5,16)-(5,24), expected /0/Test0.cs(5,16)-(5,22)");

    [Fact]
    public Task WrongMessageArgument_IsRejected() => Rejection.ExpectAsync(
        () => VerifyCS.VerifyAnalyzerAsync(
            $$"""
            class C
            {
            {{Methods}}
                void M() { {|#0:Legacy()|}; }
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithArguments("Modern")),
        "message \"Call to 'Legacy' is legacy\", expected \"Call to 'Modern' is legacy\"");

    [Fact]
    public Task WrongSeverity_IsRejected() => Rejection.ExpectAsync(
        () => VerifyCS.VerifyAnalyzerAsync(
            $$"""
            class C
            {
            {{Methods}}
                void M() { {|#0:Legacy()|}; }
            }
            """,
            VerifyCS.Diagnostic().WithLocation(0).WithSeverity(DiagnosticSeverity.Error)),
        "severity Warning, expected Error");

    [Fact]
    public Task CompilerErrorInSource_IsRejectedAndShown() => Rejection.ExpectAsync(
        () => VerifyCS.VerifyAnalyzerAsync("""
            class C
            {
                void M() { Undefined(); }
            }
            """),
        "the sources do not compile",
        "CS0103",
        "Undefined");

    [Fact]
    public Task ThrowingAnalyzer_IsRejected() => Rejection.ExpectAsync(
        () => CSharpAnalyzerVerifier<ThrowingAnalyzer>.VerifyAnalyzerAsync("class C { }"),
        "an analyzer threw (AD0001)",
        "Deliberate failure in C");

    [Fact]
    public Task AnalyzerReportingInGeneratedCode_IsRejected() => Rejection.ExpectAsync(
        () => CSharpAnalyzerVerifier<GeneratedCodeReportingAnalyzer>.VerifyAnalyzerAsync($$"""
            class C
            {
            {{Methods}}
                void M() { [|Legacy()|]; }
            }
            """),
        "auto-generated",
        "Unexpected");

    [Fact]
    public Task AnalyzerReportingInGeneratedCode_PassesWhenTheCheckIsSkipped() => new CSharpAnalyzerVerifier<GeneratedCodeReportingAnalyzer>.Test
    {
        TestCode = $$"""
            class C
            {
            {{Methods}}
                void M() { [|Legacy()|]; }
            }
            """,
        TestBehaviors = TestBehaviors.SkipGeneratedCodeCheck,
    }.RunAsync();

    [Fact]
    public Task LocationlessDiagnostic_IsMatchedWithoutLocation() => CSharpAnalyzerVerifier<CompilationLevelAnalyzer>.VerifyAnalyzerAsync(
        "class Legacy { }",
        CSharpAnalyzerVerifier<CompilationLevelAnalyzer>.Diagnostic().WithArguments("Legacy"));

    [Fact]
    public Task RuntimeCall_IsReportedWhenTheRuntimeIsReferenced() => CSharpAnalyzerVerifier<KeCallAnalyzer>.VerifyAnalyzerAsync("""
        using PoolAnalyzers.Runtime;

        class C
        {
            KIRQL M() => [|Ke.KeGetCurrentIrql()|];
        }
        """);

    [Fact]
    public Task WithoutRuntimeReference_RuntimeTypesDoNotResolve() => Rejection.ExpectAsync(
        () => new CSharpAnalyzerVerifier<KeCallAnalyzer>.Test
        {
            TestCode = "class C { PoolAnalyzers.Runtime.KIRQL M() => default; }",
            ReferenceRuntime = false,
        }.RunAsync(),
        "the sources do not compile");

    [Fact]
    public Task WithoutRuntimeReference_AnalyzerRegistersNothing() => new CSharpAnalyzerVerifier<KeCallAnalyzer>.Test
    {
        TestCode = """
            namespace PoolAnalyzers.Runtime
            {
                static class Unrelated { public static int KeGetCurrentIrql() => 0; }
            }

            class C { int M() => PoolAnalyzers.Runtime.Unrelated.KeGetCurrentIrql(); }
            """,
        ReferenceRuntime = false,
    }.RunAsync();

    [Fact]
    public async Task TestWithoutSources_IsAnError()
    {
        var failure = await Assert.ThrowsAsync<System.InvalidOperationException>(() => new VerifyCS.Test().RunAsync());
        Assert.Contains("no sources", failure.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void DiagnosticWithUnknownId_IsAnError()
    {
        var failure = Assert.Throws<System.ArgumentException>(() => VerifyCS.Diagnostic("POOL999"));
        Assert.Contains("no descriptor 'POOL999'", failure.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public Task AnalyzerIgnoringPragmas_IsRejected() => Rejection.ExpectAsync(
        () => CSharpAnalyzerVerifier<UnsuppressibleAnalyzer>.VerifyAnalyzerAsync($$"""
            class C
            {
            {{Methods}}
                void M() { [|Legacy()|]; }
            }
            """),
        "Re-run with '#pragma warning disable TEST005'",
        "Unexpected");

    [Fact]
    public void FrameworkReferences_ComeFromTheReferencePack()
    {
        string? pack = ReferenceAssemblies.ReferencePackDirectory;
        Assert.True(
            pack is not null,
            $"No Microsoft.NETCore.App.Ref pack for .NET {System.Environment.Version.Major} was found under packs/ of any dotnet root " +
            $"({string.Join(", ", ReferenceAssemblies.SearchedDotnetRoots)}); test sources would compile against implementation assemblies. " +
            "Install the .NET SDK (it carries the reference pack) or set DOTNET_ROOT.");

        Assert.Contains(ReferenceAssemblies.Framework, r => r.Display?.EndsWith("System.Runtime.dll", System.StringComparison.Ordinal) == true);
        Assert.Equal(pack, ReferenceAssemblies.FrameworkSource);
        Assert.All(ReferenceAssemblies.Framework, r => Assert.StartsWith(pack, r.Display, System.StringComparison.Ordinal));
    }
}

