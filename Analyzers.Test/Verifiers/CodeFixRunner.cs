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

    /// <summary>
    /// Fixes one diagnostic per iteration (re-analyzing after each) until no fix is offered. Fails
    /// at once when an applied action changes nothing. Like Microsoft.CodeAnalysis.Testing it stops
    /// one iteration past the limit of <paramref name="expected"/>, so the caller can show how the
    /// code differs; the returned failure (too many or, for an exact count, too few iterations) is
    /// for the caller to report after that comparison.
    /// </summary>
    public async Task<(Solution Solution, string? IterationFailure)> FixIncrementallyAsync(Solution solution, ExpectedIterations expected, CancellationToken cancellationToken)
    {
        const string stage = "Applying code fixes one at a time";
        int iterations = 0;
        while (true)
        {
            var diagnostics = await FixableDiagnosticsAsync(solution, cancellationToken).ConfigureAwait(false);
            var fix = await FindFirstFixAsync(solution, diagnostics, cancellationToken).ConfigureAwait(false);
            if (fix is null)
            {
                break;
            }

            if (iterations > expected.Limit)
            {
                return (solution, $"{stage}: a code fix is still offered after {iterations} iteration(s), for {fix.Diagnostic}; expected {expected}. " +
                    "Either the fix does not remove its diagnostic or more iterations are needed (set NumberOfIncrementalIterations).");
            }

            var next = await ApplyAsync(fix.Action, cancellationToken).ConfigureAwait(false);
            iterations++;
            if (!await ChangedAsync(solution, next, cancellationToken).ConfigureAwait(false))
            {
                Assert.Fail($"{stage}: code action '{fix.Action.Title}' [{fix.Action.EquivalenceKey}] changed nothing, for {fix.Diagnostic}. " +
                    "A fixer must not offer an action that leaves the code as it is.");
            }

            solution = next;
        }

        return (solution, CountFailure(stage, expected, iterations));
    }

    /// <summary>
    /// Runs Fix All in <paramref name="scope"/>, starting each iteration from the first diagnostic
    /// that has the chosen action, until no fix is offered. Fails when the provider does not support
    /// the scope, returns no action, returns one that changes nothing, or when the iterations do not
    /// meet <paramref name="expected"/>: a Fix All that fixes only part of its scope needs more
    /// iterations than its scope has parts, and is caught that way. Iteration failures are returned,
    /// as by <see cref="FixIncrementallyAsync"/>.
    /// </summary>
    public async Task<(Solution Solution, string? IterationFailure)> FixAllAsync(Solution solution, FixAllProvider provider, FixAllScope scope, ExpectedIterations expected, CancellationToken cancellationToken)
    {
        string stage = $"Fix All in {scope} scope";
        int iterations = 0;
        while (true)
        {
            var diagnostics = await FixableDiagnosticsAsync(solution, cancellationToken).ConfigureAwait(false);
            var fix = await FindFirstFixAsync(solution, diagnostics, cancellationToken).ConfigureAwait(false);
            if (fix is null)
            {
                break;
            }

            if (!provider.GetSupportedFixAllScopes().Contains(scope))
            {
                Assert.Fail($"{stage}: {fixer.GetType().Name}'s Fix All provider ({provider.GetType().Name}) does not support {scope} scope " +
                    $"(it supports {string.Join(", ", provider.GetSupportedFixAllScopes())}). Support it, or set CodeFixTestBehaviors.SkipFixAllIn{scope}Check.");
            }

            if (iterations > expected.Limit)
            {
                return (solution, $"{stage}: a fix is still offered after {iterations} iteration(s), for {fix.Diagnostic}; expected {expected}. " +
                    "The Fix All provider does not fix every diagnostic of its scope in one pass " +
                    "(set NumberOfFixAllIterations, NumberOfFixAllInDocumentIterations or NumberOfFixAllInProjectIterations only if that is intended).");
            }

            string key = fix.Action.EquivalenceKey
                ?? throw FailException($"{stage}: code action '{fix.Action.Title}' has no equivalence key, so Fix All cannot group it.");
            var context = new FixAllContext(
                fix.Document,
                fixer,
                scope,
                key,
                _fixableIds,
                new TestDiagnosticProvider(analyzers, _fixableIds),
                cancellationToken);
            var action = await provider.GetFixAsync(context).ConfigureAwait(false)
                ?? throw FailException($"{stage}: the Fix All provider returned no code action although {fix.Diagnostic} has a fix.");
            var next = await ApplyAsync(action, cancellationToken).ConfigureAwait(false);
            iterations++;
            if (!await ChangedAsync(solution, next, cancellationToken).ConfigureAwait(false))
            {
                Assert.Fail($"{stage}: the Fix All action '{action.Title}' changed nothing although {fix.Diagnostic} has a fix.");
            }

            solution = next;
        }

        return (solution, CountFailure(stage, expected, iterations));
    }

    private static string? CountFailure(string stage, ExpectedIterations expected, int iterations) =>
        iterations > expected.Limit || (expected.IsExact && iterations != expected.Limit)
            ? $"{stage}: applied {iterations} iteration(s); expected {expected}."
            : null;

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
