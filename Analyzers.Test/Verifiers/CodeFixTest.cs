using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// An analyzer test that also verifies <typeparamref name="TCodeFix"/>: fixes applied one
/// diagnostic at a time must give <see cref="FixedState"/>, and Fix All in document, project and
/// solution scope must each give <see cref="BatchFixedState"/>. Both results must compile, and
/// their remaining diagnostics must be those marked in the fixed sources. Without fixed sources
/// it is an analyzer-only test.
/// </summary>
public class CodeFixTest<TAnalyzer, TCodeFix> : AnalyzerTest<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    private static readonly FixAllScope[] s_fixAllScopes = [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution];

    /// <summary>
    /// The expected sources after fixing one diagnostic at a time. An additional project absent
    /// here is expected unchanged.
    /// </summary>
    public SolutionState FixedState { get; } = new("TestProject", "/0/Test");

    /// <summary>The expected sources after Fix All; when it has no sources, <see cref="FixedState"/> is expected.</summary>
    public SolutionState BatchFixedState { get; } = new("TestProject", "/0/Test");

    /// <summary>The first fixed source; setting it replaces that source (null removes every source).</summary>
    public string? FixedCode
    {
        get => GetFirstSource(FixedState);
        set => SetFirstSource(FixedState, value);
    }

    /// <summary>The first source expected after Fix All; defaults to <see cref="FixedCode"/>.</summary>
    public string? BatchFixedCode
    {
        get => GetFirstSource(BatchFixedState) ?? FixedCode;
        set => SetFirstSource(BatchFixedState, value);
    }

    /// <summary>The equivalence key of the code action to apply; null accepts any.</summary>
    public string? CodeActionEquivalenceKey { get; set; }

    /// <summary>The index of the code action to apply among those offered (nested ones flattened); null means the first (or the first with the key).</summary>
    public int? CodeActionIndex { get; set; }

    /// <summary>The exact number of one-at-a-time fixes expected; null allows up to one per initial diagnostic.</summary>
    public int? NumberOfIncrementalIterations { get; set; }

    /// <summary>The exact number of solution-scope Fix All passes expected; null allows up to one per initial diagnostic.</summary>
    public int? NumberOfFixAllIterations { get; set; }

    /// <inheritdoc/>
    protected override string MarkupDiagnosticId(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var ids = analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().ToList();
        var fixable = ids.Intersect(new TCodeFix().FixableDiagnosticIds).ToList();
        return ids.Count != 1 && fixable.Count == 1 ? fixable[0] : base.MarkupDiagnosticId(analyzers);
    }

    private protected override async Task VerifyFixesAsync(PreparedState testState, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellationToken)
    {
        if (!FixedState.HasSources)
        {
            return;
        }

        var fixer = new TCodeFix();
        var runner = new CodeFixRunner(analyzers, fixer, CodeActionEquivalenceKey, CodeActionIndex);
        var fixedExpected = ParseExpected(FixedState, analyzers);
        var batchExpected = BatchFixedState.HasSources ? ParseExpected(BatchFixedState, analyzers) : fixedExpected;

        int iterations;
        using (var workspace = new AdhocWorkspace())
        {
            var solution = TestWorkspace.CreateSolution(workspace, testState, ReferenceRuntime);
            (var fixedSolution, iterations) = await runner.FixIncrementallyAsync(solution, NumberOfIncrementalIterations, cancellationToken).ConfigureAwait(false);
            await VerifyFixedSolutionAsync("After applying code fixes one at a time", fixedSolution, fixedExpected, analyzers, cancellationToken).ConfigureAwait(false);
        }

        var fixAll = fixer.GetFixAllProvider();
        if (fixAll is null)
        {
            if (iterations > 0)
            {
                Assert.Fail($"{typeof(TCodeFix).Name}.GetFixAllProvider() returns null: every fixer must support Fix All " +
                    "(override it, e.g. with WellKnownFixAllProviders.BatchFixer).");
            }

            return;
        }

        foreach (var scope in s_fixAllScopes)
        {
            using var workspace = new AdhocWorkspace();
            var solution = TestWorkspace.CreateSolution(workspace, testState, ReferenceRuntime);
            var (batchSolution, passes) = await runner.FixAllAsync(solution, fixAll, scope, cancellationToken).ConfigureAwait(false);
            if (scope == FixAllScope.Solution && NumberOfFixAllIterations is int expectedPasses && passes != expectedPasses)
            {
                Assert.Fail($"Expected {expectedPasses} Fix All pass(es) in Solution scope, applied {passes}.");
            }

            await VerifyFixedSolutionAsync($"After Fix All in {scope} scope", batchSolution, batchExpected, analyzers, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The expected fixed state; additional projects it does not list keep their test sources.</summary>
    private PreparedState ParseExpected(SolutionState state, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var projects = new List<(string Name, SourceFileList Sources)> { (state.Name, state.Sources) };
        foreach (var project in TestState.AdditionalProjects)
        {
            projects.Add((project.Name, (state.AdditionalProjects.Find(project.Name) ?? project).Sources));
        }

        return PreparedState.Parse(projects, state.ExpectedDiagnostics, () => MarkupDiagnosticId(analyzers));
    }

    private static async Task VerifyFixedSolutionAsync(
        string stage,
        Solution solution,
        PreparedState expected,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CancellationToken cancellationToken)
    {
        var actualTexts = await TestWorkspace.GetTextsAsync(solution, cancellationToken).ConfigureAwait(false);
        AssertSameTexts(stage, expected.Documents.ToList(), actualTexts);

        var analysis = await AnalysisRunner.AnalyzeSolutionAsync(solution, analyzers, cancellationToken).ConfigureAwait(false);
        AnalysisRunner.AssertNoCompilerErrors(analysis, actualTexts, stage);
        AnalysisRunner.AssertNoAnalyzerFailures(analysis, stage);
        DiagnosticComparison.AssertMatch(stage + ", remaining diagnostics", expected.Expected, analysis.AnalyzerDiagnostics, actualTexts);
    }

    private static void AssertSameTexts(string stage, List<DocumentInput> expected, List<(string Path, string Text)> actual)
    {
        var message = new StringBuilder();
        foreach (var document in expected)
        {
            int index = actual.FindIndex(a => a.Path == document.Path);
            if (index < 0)
            {
                message.Append("Expected document ").Append(document.Path).AppendLine(" does not exist after the fix.");
            }
            else if (actual[index].Text != document.Text)
            {
                message.AppendLine(TextDiff.Unified(document.Text, actual[index].Text, document.Path));
                message.Append("Actual ").Append(document.Path).AppendLine(" in full:").AppendLine(actual[index].Text);
            }
        }

        foreach (var (path, _) in actual.Where(a => !expected.Exists(e => e.Path == a.Path)))
        {
            message.Append("The fix produced document ").Append(path).AppendLine(", which the expected state does not list.");
        }

        if (message.Length > 0)
        {
            Assert.Fail($"{stage}: the fixed sources differ from the expected ones.\n{message}");
        }
    }
}
