using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Test.VerifierTests;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>The harness of the robustness tests must itself notice failures, or they prove nothing.</summary>
public class ProductRunTests
{
    private const string LegacyCall = "class C { static void Legacy() { } void M() { Legacy(); } }";

    [Fact]
    public async Task ThrowingAnalyzer_IsReported()
    {
        var result = await ProductRun.RunAsync("T.cs", LegacyCall, [new ThrowingAnalyzer()], [], new ProductRunOptions(ApplyFirstAction: true, IncludeCompilerErrors: false), CancellationToken.None);
        Assert.Contains(result.Failures, f => f.Contains("Deliberate failure in C", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThrowingFixer_IsReported()
    {
        var result = await ProductRun.RunAsync("T.cs", LegacyCall, [new LegacyCallAnalyzer()], [new ThrowingFix()], new ProductRunOptions(ApplyFirstAction: true, IncludeCompilerErrors: false), CancellationToken.None);
        Assert.Contains(result.Failures, f => f.Contains("ThrowingFix on", System.StringComparison.Ordinal) && f.Contains("Deliberate failure while registering", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkingFixer_IsRecordedWithItsActions()
    {
        var result = await ProductRun.RunAsync(
            "T.cs",
            "class C { static void Legacy() { } static void Modern() { } static void Current() { } void M() { Legacy(); } }",
            ImmutableArray.Create<DiagnosticAnalyzer>(new LegacyCallAnalyzer()),
            ImmutableArray.Create<CodeFixProvider>(new RenameLegacyCallFix()),
            new ProductRunOptions(ApplyFirstAction: true, IncludeCompilerErrors: true, FixAllInDocument: true),
            CancellationToken.None);

        Assert.Empty(result.Failures);
        Assert.Empty(result.CompilerErrors);
        Assert.Equal(["UseModern", "UseCurrent"], result.Actions.ConvertAll(a => a.EquivalenceKey));
    }

    [Fact]
    public async Task ThrowingFixAllProvider_IsReported()
    {
        var result = await ProductRun.RunAsync(
            "T.cs",
            "class C { static void Legacy() { } static void Modern() { } static void Current() { } void M() { Legacy(); } }",
            [new LegacyCallAnalyzer()],
            [new ThrowingFixAllFix()],
            new ProductRunOptions(ApplyFirstAction: true, IncludeCompilerErrors: false, FixAllInDocument: true),
            CancellationToken.None);

        Assert.Contains(result.Failures, f => f.Contains("ThrowingFixAllFix Fix All in Document scope [UseModern]", System.StringComparison.Ordinal)
            && f.Contains("Deliberate failure in Fix All", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunsOfDifferentSources_DoNotSeeEachOther()
    {
        var first = await ProductRun.RunAsync("A.cs", LegacyCall, [new LegacyCallAnalyzer()], [], new ProductRunOptions(false, IncludeCompilerErrors: true), CancellationToken.None);
        var second = await ProductRun.RunAsync("B.cs", "class D { }", [new LegacyCallAnalyzer()], [], new ProductRunOptions(false, IncludeCompilerErrors: true), CancellationToken.None);

        Assert.Single(first.Diagnostics);
        Assert.Empty(second.Diagnostics);
        Assert.Empty(second.CompilerErrors);
    }
}
