using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>A code action chosen for one diagnostic.</summary>
internal sealed record ChosenFix(CodeAction Action, Document Document, Diagnostic Diagnostic);

/// <summary>
/// Applies a fixer the two ways an IDE does: one diagnostic at a time (re-analyzing after each
/// fix) and Fix All in a scope. The action is chosen by equivalence key and/or index among the
/// actions registered for a diagnostic, nested actions flattened in order.
/// </summary>
internal sealed class CodeFixRunner(
    ImmutableArray<DiagnosticAnalyzer> analyzers,
    CodeFixProvider fixer,
    string? equivalenceKey,
    int? actionIndex)
{
    private readonly ImmutableHashSet<string> _fixableIds = fixer.FixableDiagnosticIds
        .Intersect(analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id))
        .ToImmutableHashSet();

    /// <summary>Fixes one diagnostic per iteration until no fix is offered; returns the result and the iteration count.</summary>
    public async Task<(Solution Solution, int Iterations)> FixIncrementallyAsync(Solution solution, int? exactIterations, CancellationToken cancellationToken)
    {
        int iterations = 0;
        int? limit = exactIterations;
        while (true)
        {
            var diagnostics = await FixableDiagnosticsAsync(solution, cancellationToken).ConfigureAwait(false);
            limit ??= diagnostics.Length;
            var fix = await FindFirstFixAsync(solution, diagnostics, cancellationToken).ConfigureAwait(false);
            if (fix is null)
            {
                break;
            }

            if (iterations == limit)
            {
                string limitSource = exactIterations is null ? "one per initial diagnostic" : "NumberOfIncrementalIterations";
                Assert.Fail($"A code fix is still offered after {iterations} iteration(s) (limit {limit}: {limitSource}), for {fix.Diagnostic}. " +
                    "Either the fix does not remove its diagnostic or more iterations are needed.");
            }

            solution = await ApplyAsync(fix.Action, cancellationToken).ConfigureAwait(false);
            iterations++;
        }

        if (exactIterations is int expected && iterations != expected)
        {
            Assert.Fail($"Expected {expected} incremental code fix iteration(s), applied {iterations}.");
        }

        return (solution, iterations);
    }

    /// <summary>Runs Fix All in <paramref name="scope"/> until no fix is offered; returns the result and the pass count.</summary>
    public async Task<(Solution Solution, int Passes)> FixAllAsync(Solution solution, FixAllProvider provider, FixAllScope scope, CancellationToken cancellationToken)
    {
        if (!provider.GetSupportedFixAllScopes().Contains(scope))
        {
            Assert.Fail($"{fixer.GetType().Name}'s Fix All provider does not support {scope} scope.");
        }

        int passes = 0;
        int? limit = null;
        while (true)
        {
            var diagnostics = await FixableDiagnosticsAsync(solution, cancellationToken).ConfigureAwait(false);
            limit ??= diagnostics.Length;
            var fix = await FindFirstFixAsync(solution, diagnostics, cancellationToken).ConfigureAwait(false);
            if (fix is null)
            {
                break;
            }

            if (passes == limit)
            {
                Assert.Fail($"Fix All in {scope} scope still offers a fix after {passes} pass(es), for {fix.Diagnostic}.");
            }

            string key = fix.Action.EquivalenceKey
                ?? throw FailException($"Code action '{fix.Action.Title}' has no equivalence key, so Fix All cannot group it.");
            var context = new FixAllContext(
                fix.Document,
                fixer,
                scope,
                key,
                _fixableIds,
                new TestDiagnosticProvider(analyzers, _fixableIds),
                cancellationToken);
            var action = await provider.GetFixAsync(context).ConfigureAwait(false)
                ?? throw FailException($"Fix All in {scope} scope returned no code action although {fix.Diagnostic} has a fix.");
            var next = await ApplyAsync(action, cancellationToken).ConfigureAwait(false);
            passes++;
            if (!await ChangedAsync(solution, next, cancellationToken).ConfigureAwait(false))
            {
                Assert.Fail($"Fix All in {scope} scope changed nothing although {fix.Diagnostic} has a fix.");
            }

            solution = next;
        }

        return (solution, passes);
    }

    /// <summary>The first diagnostic (in path and position order) for which the chosen action exists.</summary>
    public async Task<ChosenFix?> FindFirstFixAsync(Solution solution, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        foreach (var diagnostic in diagnostics)
        {
            var document = solution.GetDocument(diagnostic.Location.SourceTree);
            if (document is null)
            {
                continue;
            }

            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken);
            await fixer.RegisterCodeFixesAsync(context).ConfigureAwait(false);
            var chosen = Choose(Flatten(actions));
            if (chosen is not null)
            {
                return new ChosenFix(chosen, document, diagnostic);
            }
        }

        return null;
    }

    public async Task<ImmutableArray<Diagnostic>> FixableDiagnosticsAsync(Solution solution, CancellationToken cancellationToken)
    {
        var analysis = await AnalysisRunner.AnalyzeSolutionAsync(solution, analyzers, cancellationToken).ConfigureAwait(false);
        AnalysisRunner.AssertNoAnalyzerFailures(analysis, "While applying code fixes");
        return analysis.AnalyzerDiagnostics
            .Where(d => _fixableIds.Contains(d.Id) && d.Location.IsInSource)
            .OrderBy(d => d.Location.GetLineSpan().Path, System.StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    public static async Task<Solution> ApplyAsync(CodeAction action, CancellationToken cancellationToken)
    {
        var operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
        var apply = operations.OfType<ApplyChangesOperation>().SingleOrDefault()
            ?? throw FailException($"Code action '{action.Title}' produced no single ApplyChangesOperation.");
        return apply.ChangedSolution;
    }

    private CodeAction? Choose(List<CodeAction> actions)
    {
        if (actionIndex is int index)
        {
            if (index >= actions.Count)
            {
                return null;
            }

            var action = actions[index];
            if (equivalenceKey is not null && action.EquivalenceKey != equivalenceKey)
            {
                Assert.Fail($"Code action {index} ('{action.Title}') has equivalence key '{action.EquivalenceKey}', expected '{equivalenceKey}'. " +
                    $"Offered: {string.Join(", ", actions.Select(a => $"'{a.Title}' [{a.EquivalenceKey}]"))}");
            }

            return action;
        }

        return equivalenceKey is null ? actions.FirstOrDefault() : actions.Find(a => a.EquivalenceKey == equivalenceKey);
    }

    private static List<CodeAction> Flatten(IEnumerable<CodeAction> actions)
    {
        var flat = new List<CodeAction>();
        foreach (var action in actions)
        {
            if (action.NestedActions.IsDefaultOrEmpty)
            {
                flat.Add(action);
            }
            else
            {
                flat.AddRange(Flatten(action.NestedActions));
            }
        }

        return flat;
    }

    private static async Task<bool> ChangedAsync(Solution before, Solution after, CancellationToken cancellationToken)
    {
        var oldTexts = await TestWorkspace.GetTextsAsync(before, cancellationToken).ConfigureAwait(false);
        var newTexts = await TestWorkspace.GetTextsAsync(after, cancellationToken).ConfigureAwait(false);
        return !oldTexts.SequenceEqual(newTexts);
    }

    private static Xunit.Sdk.FailException FailException(string message) => Xunit.Sdk.FailException.ForFailure(message);
}
