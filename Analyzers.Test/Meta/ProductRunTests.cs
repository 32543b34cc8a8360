using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>The harness of the robustness and equivalence-key tests must itself notice failures, or they prove nothing.</summary>
public class ProductRunTests
{
    private const string LegacyCall = "class C { static void Legacy() { } void M() { Legacy(); } }";
    private const string LegacyCallWithReplacements = "class C { static void Legacy() { } static void Modern() { } static void Current() { } void M() { Legacy(); } }";

    [Fact]
    public async Task ThrowingAnalyzer_IsReported()
    {
        ProductRunResult result = await RunAsync(LegacyCall, new ThrowingAnalyzer(), fixer: null, ApplyActions.First);
        Assert.Contains(result.Failures, f => f.Contains("Deliberate failure in C", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThrowingFixer_IsReported()
    {
        ProductRunResult result = await RunAsync(LegacyCall, new LegacyCallAnalyzer(), new ThrowingFix(), ApplyActions.First);
        Assert.Contains(result.Failures, f => f.Contains("ThrowingFix on", System.StringComparison.Ordinal) && f.Contains("Deliberate failure while registering", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task ActionThatChangesNothing_IsReported()
    {
        ProductRunResult result = await RunAsync(LegacyCall, new LegacyCallAnalyzer(), new NoOpFix(), ApplyActions.Every);
        Assert.Contains(result.Failures, f => f.Contains("action 'Do nothing' [DoNothing] changes nothing", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkingFixer_IsRecordedWithItsActions()
    {
        ProductRunResult result = await RunAsync(LegacyCallWithReplacements, new LegacyCallAnalyzer(), new RenameLegacyCallFix(), ApplyActions.Every, includeCompilerErrors: true, fixAll: true);

        Assert.Empty(result.Failures);
        Assert.Empty(result.CompilerErrors);
        Assert.Equal(["UseModern", "UseCurrent"], result.Actions.ConvertAll(a => a.EquivalenceKey));
        Assert.Equal(2, result.AppliedActions);
        Assert.Equal(1, result.AppliedFixAlls);
    }

    [Fact]
    public async Task ThrowingFixAllProvider_IsReported()
    {
        ProductRunResult result = await RunAsync(LegacyCallWithReplacements, new LegacyCallAnalyzer(), new ThrowingFixAllFix(), ApplyActions.First, fixAll: true);

        Assert.Contains(result.Failures, f => f.Contains("ThrowingFixAllFix Fix All in Document scope [UseModern]", System.StringComparison.Ordinal)
            && f.Contains("Deliberate failure in Fix All", System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunsOfDifferentSources_DoNotSeeEachOther()
    {
        ProductRunResult first = await RunAsync(LegacyCall, new LegacyCallAnalyzer(), fixer: null, ApplyActions.None, includeCompilerErrors: true);
        ProductRunResult second = await RunAsync("class D { }", new LegacyCallAnalyzer(), fixer: null, ApplyActions.None, includeCompilerErrors: true);

        Assert.Single(first.Diagnostics);
        Assert.Empty(second.Diagnostics);
        Assert.Empty(second.CompilerErrors);
    }

    private static Task<ProductRunResult> RunAsync(string source, DiagnosticAnalyzer analyzer, CodeFixProvider? fixer, ApplyActions apply, bool includeCompilerErrors = false, bool fixAll = false) =>
        ProductRun.RunAsync(
            "T.cs",
            source,
            [analyzer],
            fixer is null ? ImmutableArray<CodeFixProvider>.Empty : [fixer],
            new ProductRunOptions(apply, includeCompilerErrors, fixAll),
            CancellationToken.None);
}
