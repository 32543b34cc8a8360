using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace PoolAnalyzers.Test.Meta;

/// <summary>
/// Analyzers and fixers run on every keystroke, so they meet half-typed code far more often than
/// finished code. Every shipped analyzer and fixer is run over truncated and malformed sources;
/// no exception may escape (an AD0001 counts).
/// </summary>
public class RobustnessTests(ITestOutputHelper output)
{
    private static readonly string[] s_malformed =
    [
        "",
        " ",
        "}",
        "class",
        "class C {",
        "{{{{ }}}} ))) ]]]",
        "@#$%^&*",
        "#if\n#endif\n#pragma warning disable\n",
        "\"Fred",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePool(",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePool(PagedPool, ); }",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePoolWithTag(, , ); }",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePoolWithTag(0, 0, \"\"); }",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePoolWithTag((PoolAnalyzers.Runtime.POOL_TYPE)12345, ulong.MaxValue, \"\\0\\0\\0\\0\"); }",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePoolWithTag(NumberOfBytes: 1, NumberOfBytes: 2); }",
        "using PoolAnalyzers.Runtime;\nclass C { [IrqlRequiresMax((KIRQL)200)] nint M() => Ex.ExAllocatePoolWithTag(POOL_TYPE.PagedPool, 1, 0x12345678u); }",
        "using PoolAnalyzers.Runtime;\nclass C { [IrqlRequiresMax] [IrqlRequiresMax(\"x\")] nint M() => Ex.ExAllocatePool(POOL_TYPE.PagedPool, 1); }",
        "using PoolAnalyzers.Runtime;\nclass C { nint M() => Ex.ExAllocatePool; }",
        "using PoolAnalyzers.Runtime;\nclass C { System.Func<POOL_TYPE, nuint, nint> f = Ex.ExAllocatePool; nint M() => f(POOL_TYPE.PagedPool, 0); }",
        "namespace PoolAnalyzers.Runtime { static class Ex { public static nint ExAllocatePool(int a, int b) => 0; } }\nclass C { nint M() => PoolAnalyzers.Runtime.Ex.ExAllocatePool(1, 0); }",
        "class IrqlRequiresMaxAttribute : System.Attribute { }\nclass C { [IrqlRequiresMax] void M() { } }",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { nint M() => ExAllocatePoolWithTag(PoolAnalyzers.Runtime.POOL_TYPE.PagedPool, 8, \"Fred\" + ); }",
        "using static PoolAnalyzers.Runtime.Ex;\nclass C { const string T = T; nint M() => ExAllocatePoolWithTag(PoolAnalyzers.Runtime.POOL_TYPE.PagedPool, 8, T); }",
    ];

    [Fact]
    public async Task EmptyAndMalformedSources_NoExceptionEscapes()
    {
        var failures = new List<string>();
        for (int i = 0; i < s_malformed.Length; i++)
        {
            ProductRunResult result = await ProductRun.RunAsync($"Malformed{i}.cs", s_malformed[i], new ProductRunOptions(ApplyActions.First, IncludeCompilerErrors: false));
            failures.AddRange(result.Failures);
        }

        DescriptorTests.AssertNone(failures);
    }

    /// <summary>
    /// Every prefix of every corpus source (<see cref="CorpusSources"/>: the driver corpus, the
    /// samples, the rule tests' raw literals) cut at each token boundary — the end of each token with
    /// its trivia, plus the empty and the whole text — gets the full treatment: all analyzers, every
    /// fixer's actions registered and the first one applied for each diagnostic, and each fixer's Fix
    /// All provider run in document scope. A prefix equal to one already run (the rule tests share
    /// their usings and much of their opening) is run once.
    /// </summary>
    /// <remarks>
    /// Measured on two cores with fourteen rules: 349 sources have about 34,000 boundaries and 17,200
    /// distinct prefixes, which take about 25 ms each (the IRQL and lifetime engines analyze every
    /// method), about 7 minutes in all. The suite runs every <see cref="SampleStride"/>th distinct
    /// prefix, spread evenly over every source (about 2,900 prefixes, a little over a minute);
    /// <c>POOLANALYZERS_ROBUSTNESS_ALL=1</c> runs them all, as before a release. The counts and the
    /// time are printed to the test output. <see cref="ProductRun"/> builds the project and binds its
    /// references once and forks it per prefix, and the prefixes run concurrently.
    /// </remarks>
    /// <summary>One distinct prefix in this many runs in the suite (all of them with <c>POOLANALYZERS_ROBUSTNESS_ALL=1</c>).</summary>
    private const int SampleStride = 6;

    [Fact]
    public async Task EveryTokenPrefixOfTheCorpus_NoExceptionEscapes()
    {
        List<CorpusSource> corpus = CorpusSources.All();
        Assert.NotEmpty(corpus);
        int boundaries = 0;
        var prefixes = new List<(string Name, string Text)>();
        var distinct = new DistinctPrefixes();
        foreach (CorpusSource source in corpus)
        {
            foreach (int end in TokenBoundaries(source.Text))
            {
                boundaries++;
                if (distinct.Add(source.Text, end))
                {
                    prefixes.Add(($"{source.Name.Replace('/', '_')}[..{end}]", source.Text[..end]));
                }
            }
        }

        int distinctCount = prefixes.Count;
        if (Environment.GetEnvironmentVariable("POOLANALYZERS_ROBUSTNESS_ALL") != "1")
        {
            prefixes = prefixes.Where((_, index) => index % SampleStride == 0).ToList();
        }

        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentBag<string>();
        int diagnostics = 0;
        int applied = 0;
        int fixAlls = 0;
        var options = new ProductRunOptions(ApplyActions.First, IncludeCompilerErrors: false, FixAllInDocument: true);
        await Parallel.ForEachAsync(
            prefixes,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (prefix, cancellationToken) =>
            {
                ProductRunResult result = await ProductRun.RunAsync(prefix.Name, prefix.Text, options, cancellationToken);
                Interlocked.Add(ref diagnostics, result.Diagnostics.Length);
                Interlocked.Add(ref applied, result.AppliedActions);
                Interlocked.Add(ref fixAlls, result.AppliedFixAlls);
                foreach (string failure in result.Failures)
                {
                    failures.Add(failure);
                }
            });
        clock.Stop();

        output.WriteLine(
            $"{corpus.Count} sources, {boundaries} token boundaries, {distinctCount} distinct prefixes, {prefixes.Count} run " +
            $"({diagnostics} diagnostics, {applied} code actions and {fixAlls} document Fix Alls applied) " +
            $"in {clock.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores, {clock.Elapsed.TotalMilliseconds / Math.Max(1, prefixes.Count):F1} ms per prefix.");
        Assert.True(fixAlls > 0 && applied > 0, "No fix was applied: the corpus no longer exercises the fixers.");
        var sorted = failures.Order(StringComparer.Ordinal).ToList();
        DescriptorTests.AssertNone(sorted.Take(20).Append(sorted.Count > 20 ? $"… and {sorted.Count - 20} more" : string.Empty).Where(f => f.Length > 0));
    }

    /// <summary>The end of every token (with its trivia), so each prefix stops where typing could pause.</summary>
    private static IEnumerable<int> TokenBoundaries(string text)
    {
        Microsoft.CodeAnalysis.SyntaxNode root = CSharpSyntaxTree.ParseText(text).GetRoot();
        return root.DescendantTokens(descendIntoTrivia: false)
            .Select(t => t.FullSpan.End)
            .Prepend(0)
            .Append(text.Length)
            .Distinct()
            .Order();
    }

    /// <summary>Remembers prefixes by (source, end) and compares texts only among those of the same length.</summary>
    private sealed class DistinctPrefixes
    {
        private readonly Dictionary<int, List<string>> _sourcesByLength = [];

        public bool Add(string source, int end)
        {
            if (!_sourcesByLength.TryGetValue(end, out List<string>? sources))
            {
                _sourcesByLength[end] = [source];
                return true;
            }

            ReadOnlySpan<char> prefix = source.AsSpan(0, end);
            foreach (string other in sources)
            {
                if (prefix.SequenceEqual(other.AsSpan(0, end)))
                {
                    return false;
                }
            }

            sources.Add(source);
            return true;
        }
    }
}
