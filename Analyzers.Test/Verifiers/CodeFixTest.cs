using System;
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
/// their remaining diagnostics must be those marked in the fixed sources. The number of
/// iterations each needs is checked too, with the defaults of Microsoft.CodeAnalysis.Testing: a
/// Fix All is expected to finish in one iteration per solution (one per changed project in project
/// scope, one per document with diagnostics in document scope), so a provider that fixes only part
/// of its scope fails. Without fixed sources it is an analyzer-only test.
/// </summary>
public class CodeFixTest<TAnalyzer, TCodeFix> : AnalyzerTest<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    private static readonly (FixAllScope Scope, CodeFixTestBehaviors Skip)[] s_fixAllScopes =
    [
        (FixAllScope.Document, CodeFixTestBehaviors.SkipFixAllInDocumentCheck),
        (FixAllScope.Project, CodeFixTestBehaviors.SkipFixAllInProjectCheck),
        (FixAllScope.Solution, CodeFixTestBehaviors.SkipFixAllInSolutionCheck),
    ];

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

    /// <summary>
    /// The number of one-at-a-time fixes expected: n ≥ 0 exactly n (0: no fix may be offered), -n at
    /// most n. Default: 0 when <see cref="FixedState"/> equals the test sources, otherwise at most one
    /// per fixable expected diagnostic.
    /// </summary>
    public int? NumberOfIncrementalIterations { get; set; }

    /// <summary>
    /// The number of Fix All iterations expected in solution scope, and in the other scopes unless
    /// their own property is set; same convention as <see cref="NumberOfIncrementalIterations"/>.
    /// Default: 0 when the batch-fixed sources equal the test sources, otherwise exactly 1.
    /// </summary>
    public int? NumberOfFixAllIterations { get; set; }

    /// <summary>
    /// The number of Fix All iterations expected in document scope. Default:
    /// <see cref="NumberOfFixAllIterations"/> when set; else 0 when the batch-fixed sources equal the
    /// test sources; else at most one per document with a fixable expected diagnostic (exactly 1
    /// when there is one such document).
    /// </summary>
    public int? NumberOfFixAllInDocumentIterations { get; set; }

    /// <summary>
    /// The number of Fix All iterations expected in project scope. Default:
    /// <see cref="NumberOfFixAllIterations"/> when set; else at most one per project whose
    /// batch-fixed sources differ from its test sources (exactly 1 when there is one such project;
    /// 0 when there is none).
    /// </summary>
    public int? NumberOfFixAllInProjectIterations { get; set; }

    /// <summary>Opt-outs from the Fix All runs.</summary>
    public CodeFixTestBehaviors CodeFixTestBehaviors { get; set; }

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

        var fixableIds = fixer.FixableDiagnosticIds.ToHashSet(StringComparer.Ordinal);
        var fixableExpected = testState.Expected.Where(d => fixableIds.Contains(d.Id)).ToList();
        var incremental = NumberOfIncrementalIterations is int incrementalCount
            ? new ExpectedIterations(incrementalCount, nameof(NumberOfIncrementalIterations))
            : SameTexts(testState.Documents, fixedExpected.Documents)
                ? new ExpectedIterations(0, "default: the fixed sources equal the test sources, so no fix may be offered")
                : new ExpectedIterations(-fixableExpected.Count, $"default: one per fixable expected diagnostic, {fixableExpected.Count} here");

        using (var workspace = new AdhocWorkspace())
        {
            var solution = TestWorkspace.CreateSolution(workspace, testState, ReferenceRuntime);
            var (fixedSolution, failure) = await runner.FixIncrementallyAsync(solution, incremental, cancellationToken).ConfigureAwait(false);
            await VerifyFixedSolutionAsync("After applying code fixes one at a time", fixedSolution, failure, fixedExpected, analyzers, cancellationToken).ConfigureAwait(false);
        }

        var fixAll = fixer.GetFixAllProvider();
        if (fixAll is null)
        {
            if (incremental.Limit > 0)
            {
                Assert.Fail($"{typeof(TCodeFix).Name}.GetFixAllProvider() returns null: every fixer must support Fix All " +
                    "(override it, e.g. with WellKnownFixAllProviders.BatchFixer).");
            }

            return;
        }

        foreach (var (scope, skip) in s_fixAllScopes)
        {
            if ((CodeFixTestBehaviors & skip) != 0)
            {
                continue;
            }

            using var workspace = new AdhocWorkspace();
            var solution = TestWorkspace.CreateSolution(workspace, testState, ReferenceRuntime);
            var expected = ExpectedFixAllIterations(scope, testState, batchExpected, fixableExpected);
            var (batchSolution, failure) = await runner.FixAllAsync(solution, fixAll, scope, expected, cancellationToken).ConfigureAwait(false);
            await VerifyFixedSolutionAsync($"After Fix All in {scope} scope", batchSolution, failure, batchExpected, analyzers, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The Fix All iteration count for <paramref name="scope"/>, explicit or by the defaults of Microsoft.CodeAnalysis.Testing.</summary>
    private ExpectedIterations ExpectedFixAllIterations(FixAllScope scope, PreparedState testState, PreparedState batchExpected, List<DiagnosticResult> fixableExpected)
    {
        int? own = scope switch
        {
            FixAllScope.Document => NumberOfFixAllInDocumentIterations,
            FixAllScope.Project => NumberOfFixAllInProjectIterations,
            _ => null,
        };
        if (own is int ownCount)
        {
            return new ExpectedIterations(ownCount, $"NumberOfFixAllIn{scope}Iterations");
        }

        if (NumberOfFixAllIterations is int count)
        {
            return new ExpectedIterations(count, nameof(NumberOfFixAllIterations));
        }

        if (SameTexts(testState.Documents, batchExpected.Documents))
        {
            return new ExpectedIterations(0, "default: the batch-fixed sources equal the test sources, so no fix may be offered");
        }

        switch (scope)
        {
            case FixAllScope.Document:
                int documents = fixableExpected.Where(d => d.HasLocation).Select(d => d.Spans[0].Span.Path).Distinct(StringComparer.Ordinal).Count();
                return new ExpectedIterations(-documents, $"default: one per document with a fixable expected diagnostic, {documents} here");
            case FixAllScope.Project:
                int projects = testState.Projects.Count(p => !SameTexts(p.Documents, batchExpected.Projects.Single(e => e.Name == p.Name).Documents));
                return new ExpectedIterations(-projects, $"default: one per project the fix changes, {projects} here");
            default:
                return new ExpectedIterations(1, "default: one Fix All covers the solution");
        }
    }

    private static bool SameTexts(IEnumerable<DocumentInput> left, IEnumerable<DocumentInput> right) =>
        left.Select(d => (d.Path, d.Text)).SequenceEqual(right.Select(d => (d.Path, d.Text)));

    /// <summary>The expected fixed state; additional projects it does not list keep their test sources.</summary>
    private PreparedState ParseExpected(SolutionState state, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        // A fix changes sources, not what a project compiles to: the test state's output kinds hold.
        var projects = new List<(string Name, SourceFileList Sources, OutputKind OutputKind)> { (state.Name, state.Sources, TestState.OutputKind) };
        foreach (var project in TestState.AdditionalProjects)
        {
            projects.Add((project.Name, (state.AdditionalProjects.Find(project.Name) ?? project).Sources, project.OutputKind));
        }

        return PreparedState.Parse(projects, state.ExpectedDiagnostics, () => MarkupDiagnosticId(analyzers));
    }

    /// <summary>
    /// Compares the fixed texts (mentioning <paramref name="iterationFailure"/> if they differ), then
    /// reports the iteration failure, then requires the result to compile without analyzer failures
    /// and with exactly the expected remaining diagnostics.
    /// </summary>
    private static async Task VerifyFixedSolutionAsync(
        string stage,
        Solution solution,
        string? iterationFailure,
        PreparedState expected,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CancellationToken cancellationToken)
    {
        var actualTexts = await TestWorkspace.GetTextsAsync(solution, cancellationToken).ConfigureAwait(false);
        AssertSameTexts(stage, expected.Documents.ToList(), actualTexts, iterationFailure);
        if (iterationFailure is not null)
        {
            Assert.Fail(iterationFailure);
        }

        var analysis = await AnalysisRunner.AnalyzeSolutionAsync(solution, analyzers, cancellationToken).ConfigureAwait(false);
        AnalysisRunner.AssertNoCompilerErrors(analysis, actualTexts, stage);
        AnalysisRunner.AssertNoAnalyzerFailures(analysis, stage);
        DiagnosticComparison.AssertMatch(stage + ", remaining diagnostics", expected.Expected, analysis.AnalyzerDiagnostics, actualTexts);
    }

    private static void AssertSameTexts(string stage, List<DocumentInput> expected, List<(string Path, string Text)> actual, string? iterationFailure)
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
            string iterations = iterationFailure is null ? string.Empty : iterationFailure + "\n";
            Assert.Fail($"{stage}: the fixed sources differ from the expected ones.\n{iterations}{message}");
        }
    }
}
