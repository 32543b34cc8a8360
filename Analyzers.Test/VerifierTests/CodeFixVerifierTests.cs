using System.Threading.Tasks;
using PoolAnalyzers.Test.Verifiers;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.Test.VerifierTests.LegacyCallAnalyzer,
    PoolAnalyzers.Test.VerifierTests.RenameLegacyCallFix>;

namespace PoolAnalyzers.Test.VerifierTests;

public class CodeFixVerifierTests
{
    private const string Api = """
        public static class Api
        {
            public static void Legacy() { }
            public static void Modern() { }
            public static void Current() { }
        }
        """;

    private static string Source(string name, string body) => Caller(name, body) + "\n" + Api + "\n";

    private static string Caller(string name, string body) => $$"""
        using static Api;

        class {{name}}
        {
            void M()
            {
                {{body}}
            }
        }
        """;

    [Fact]
    public Task SingleFix_IsAccepted() => VerifyCS.VerifyCodeFixAsync(
        Source("C", "[|Legacy()|];"),
        Source("C", "Modern();"));

    [Fact]
    public Task FixWithExplicitDiagnostic_IsAccepted() => VerifyCS.VerifyCodeFixAsync(
        Source("C", "{|#0:Legacy()|};"),
        VerifyCS.Diagnostic().WithLocation(0).WithArguments("Legacy"),
        Source("C", "Modern();"));

    [Fact]
    public Task SeveralDiagnostics_AreFixedOneAtATimeAndByFixAll() => VerifyCS.VerifyCodeFixAsync(
        Source("C", "[|Legacy()|]; [|Legacy()|]; Modern();"),
        Source("C", "Modern(); Modern(); Modern();"));

    [Fact]
    public Task EquivalenceKey_SelectsTheAction() => new VerifyCS.Test
    {
        TestCode = Source("C", "[|Legacy()|];"),
        FixedCode = Source("C", "Current();"),
        CodeActionEquivalenceKey = "UseCurrent",
    }.RunAsync();

    [Fact]
    public Task ActionIndex_SelectsTheAction() => new VerifyCS.Test
    {
        TestCode = Source("C", "[|Legacy()|];"),
        FixedCode = Source("C", "Current();"),
        CodeActionIndex = 1,
        CodeActionEquivalenceKey = "UseCurrent",
        NumberOfIncrementalIterations = 1,
        NumberOfFixAllIterations = 1,
    }.RunAsync();

    [Fact]
    public Task ActionIndexWithTheWrongKey_IsRejected() => Rejection.ExpectAsync(
        () => new VerifyCS.Test
        {
            TestCode = Source("C", "[|Legacy()|];"),
            FixedCode = Source("C", "Current();"),
            CodeActionIndex = 1,
            CodeActionEquivalenceKey = "UseModern",
        }.RunAsync(),
        "has equivalence key 'UseCurrent', expected 'UseModern'");

    [Fact]
    public Task UnknownEquivalenceKey_LeavesTheCodeUnchanged() => new VerifyCS.Test
    {
        TestCode = Source("C", "[|Legacy()|];"),
        FixedCode = Source("C", "[|Legacy()|];"),
        CodeActionEquivalenceKey = "UseSomethingElse",
    }.RunAsync();

    [Fact]
    public Task WrongIterationCount_IsRejected() => Rejection.ExpectAsync(
        () => new VerifyCS.Test
        {
            TestCode = Source("C", "[|Legacy()|]; [|Legacy()|];"),
            FixedCode = Source("C", "Modern(); Modern();"),
            NumberOfIncrementalIterations = 1,
        }.RunAsync(),
        "Applying code fixes one at a time: applied 2 iteration(s); expected exactly 1 (NumberOfIncrementalIterations)");

    [Fact]
    public async Task FixAllAcrossDocumentsAndProjects_IsAccepted()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Api);
        test.TestState.Sources.Add(Caller("C", "[|Legacy()|];"));
        test.TestState.AdditionalProjects["Second"].Sources.Add(Caller("D", "[|Legacy()|]; [|Legacy()|];"));
        test.FixedState.Sources.Add(Api);
        test.FixedState.Sources.Add(Caller("C", "Modern();"));
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Caller("D", "Modern(); Modern();"));
        await test.RunAsync();
    }

    [Fact]
    public async Task AdditionalProjectLeftOutOfTheFixedState_IsExpectedUnchanged()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Api);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Caller("D", "[|Legacy()|];"));
        test.FixedState.Sources.Add(Api);
        await Rejection.ExpectAsync(
            () => test.RunAsync(),
            "After applying code fixes one at a time: the fixed sources differ",
            "--- expected /Second/Test0.cs",
            "-        Legacy();",
            "+        Modern();");
    }

    [Fact]
    public Task DifferentBatchResult_IsCheckedSeparately() => Rejection.ExpectAsync(
        () => new VerifyCS.Test
        {
            TestCode = Source("C", "[|Legacy()|];"),
            FixedCode = Source("C", "Modern();"),
            BatchFixedCode = Source("C", "Current();"),
        }.RunAsync(),
        "After Fix All in Document scope: the fixed sources differ");

    [Fact]
    public Task WrongFixedText_IsRejectedWithADiff() => Rejection.ExpectAsync(
        () => VerifyCS.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "Current();")),
        "the fixed sources differ",
        "-        Current();",
        "+        Modern();");

    [Fact]
    public Task FixedCodeThatDoesNotCompile_IsRejected() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<LegacyCallAnalyzer, NonCompilingFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "Missing();")),
        "After applying code fixes one at a time: the sources do not compile",
        "CS0103");

    [Fact]
    public Task FixerWithoutFixAll_IsRejected() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<LegacyCallAnalyzer, NoFixAllFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "Modern();")),
        "GetFixAllProvider() returns null");

    [Fact]
    public Task FixThatChangesNothing_IsRejected() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<LegacyCallAnalyzer, NoOpFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "[|Legacy()|];")),
        "code action 'Do nothing' [DoNothing] changed nothing");

    [Fact]
    public Task RemainingDiagnostic_MustBeMarkedInTheFixedCode() => Rejection.ExpectAsync(
        () => new VerifyCS.Test
        {
            TestCode = Source("C", "[|Legacy()|];"),
            FixedCode = Source("C", "Legacy();"),
            CodeActionEquivalenceKey = "UseSomethingElse",
        }.RunAsync(),
        "remaining diagnostics",
        "Unexpected");

    [Fact]
    public Task ThrowingAnalyzer_IsRejectedInACodeFixTest() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<ThrowingAnalyzer, RenameLegacyCallFix>.VerifyCodeFixAsync("class C { }", "class C { }"),
        "AD0001");

    [Fact]
    public Task FixedCodeWithNoFixOffered_IsAcceptedWhenUnchanged() => VerifyCS.VerifyCodeFixAsync(
        Source("C", "Modern();"),
        Source("C", "Modern();"));

    [Fact]
    public Task FixOfferedWhereTheFixedCodeIsUnchanged_IsRejected() => Rejection.ExpectAsync(
        () => new VerifyCS.Test
        {
            TestCode = Source("C", "[|Legacy()|];"),
            FixedCode = Source("C", "[|Legacy()|];"),
        }.RunAsync(),
        "After applying code fixes one at a time: the fixed sources differ",
        "applied 1 iteration(s); expected exactly 0 (default: the fixed sources equal the test sources, so no fix may be offered)");

    [Fact]
    public Task TriggerOnlyFixAll_IsRejected() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<LegacyCallAnalyzer, TriggerOnlyFixAllFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|]; [|Legacy()|]; [|Legacy()|];"),
            Source("C", "Modern(); Modern(); Modern();")),
        "Fix All in Document scope: a fix is still offered after 2 iteration(s)",
        "expected exactly 1 (default: one per document with a fixable expected diagnostic, 1 here)");

    [Fact]
    public Task TriggerOnlyFixAllWithOneDiagnosticPerDocument_IsRejectedInProjectScope() => Rejection.ExpectAsync(
        async () =>
        {
            var test = new CSharpCodeFixVerifier<LegacyCallAnalyzer, TriggerOnlyFixAllFix>.Test();
            test.TestState.Sources.Add(Api);
            test.TestState.Sources.Add(Caller("C", "[|Legacy()|];"));
            test.TestState.Sources.Add(Caller("D", "[|Legacy()|];"));
            test.FixedState.Sources.Add(Api);
            test.FixedState.Sources.Add(Caller("C", "Modern();"));
            test.FixedState.Sources.Add(Caller("D", "Modern();"));
            await test.RunAsync();
        },
        "Fix All in Project scope: applied 2 iteration(s); expected exactly 1 (default: one per project the fix changes, 1 here)");

    [Fact]
    public async Task FixAllNeedingSeveralIterations_IsAcceptedWithinANegativeLimit()
    {
        var test = new CSharpCodeFixVerifier<LegacyCallAnalyzer, TriggerOnlyFixAllFix>.Test
        {
            TestCode = Source("C", "[|Legacy()|]; [|Legacy()|];"),
            FixedCode = Source("C", "Modern(); Modern();"),
            NumberOfFixAllIterations = -2,
        };
        await test.RunAsync();
    }

    [Fact]
    public Task FixAllNeedingFewerIterationsThanAnExactCount_IsRejected() => Rejection.ExpectAsync(
        () => new VerifyCS.Test
        {
            TestCode = Source("C", "[|Legacy()|]; [|Legacy()|];"),
            FixedCode = Source("C", "Modern(); Modern();"),
            NumberOfFixAllInProjectIterations = 2,
        }.RunAsync(),
        "Fix All in Project scope: applied 1 iteration(s); expected exactly 2 (NumberOfFixAllInProjectIterations)");

    [Fact]
    public Task FixAllThatChangesNothing_IsRejected() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<LegacyCallAnalyzer, NoOpFixAllFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "Modern();")),
        "Fix All in Document scope: the Fix All action 'Fix nothing' changed nothing");

    [Fact]
    public Task FixAllProviderWithoutSolutionScope_IsReported() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<LegacyCallAnalyzer, NoSolutionScopeFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "Modern();")),
        "Fix All in Solution scope: NoSolutionScopeFix's Fix All provider",
        "does not support Solution scope");

    [Fact]
    public Task FixAllProviderWithoutSolutionScope_IsAcceptedWhenThatCheckIsSkipped() => new CSharpCodeFixVerifier<LegacyCallAnalyzer, NoSolutionScopeFix>.Test
    {
        TestCode = Source("C", "[|Legacy()|]; [|Legacy()|];"),
        FixedCode = Source("C", "Modern(); Modern();"),
        CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInSolutionCheck,
    }.RunAsync();

    [Fact]
    public Task AnalyzerFailureOnlyInTheFixedCode_IsRejected() => Rejection.ExpectAsync(
        () => CSharpCodeFixVerifier<ThrowsOnModernCallAnalyzer, RenameLegacyCallFix>.VerifyCodeFixAsync(
            Source("C", "[|Legacy()|];"),
            Source("C", "Modern();")),
        "an analyzer threw (AD0001)",
        "Deliberate failure on a call to Modern");

    [Fact]
    public Task FixAllResultThatDoesNotCompile_IsRejected() => Rejection.ExpectAsync(
        () => new CSharpCodeFixVerifier<LegacyCallAnalyzer, NonCompilingFixAllFix>.Test
        {
            TestCode = Source("C", "[|Legacy()|]; [|Legacy()|];"),
            FixedCode = Source("C", "Modern(); Modern();"),
            BatchFixedCode = Source("C", "Missing(); Missing();"),
        }.RunAsync(),
        "After Fix All in Document scope: the sources do not compile",
        "CS0103");
}
