using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
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
    /// <summary>
    /// The prefix budget. One prefix costs roughly 25–60 ms here (compile, analyze, fix) on two
    /// cores, so about 750 prefixes keep the run around 30 s, well inside a minute. When the corpus has more token
    /// boundaries than that, every Nth boundary is taken (N the smallest stride that fits), counting
    /// across the whole corpus in a fixed order, so the sample is the same on every run.
    /// </summary>
    private const int PrefixBudget = 750;

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
            var result = await ProductRun.RunAsync($"Malformed{i}.cs", s_malformed[i], applyFirstAction: true, includeCompilerErrors: false);
            failures.AddRange(result.Failures);
        }

        DescriptorTests.AssertNone(failures);
    }

    [Fact]
    public async Task EveryTokenPrefixOfTheCorpus_NoExceptionEscapes()
    {
        var corpus = CorpusSources.All();
        Assert.NotEmpty(corpus);
        var boundaries = corpus
            .SelectMany(source => TokenBoundaries(source.Text).Select(end => (Source: source, End: end)))
            .ToList();
        int stride = Math.Max(1, (boundaries.Count + PrefixBudget - 1) / PrefixBudget);

        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        int run = 0;
        for (int i = 0; i < boundaries.Count; i += stride)
        {
            var (source, end) = boundaries[i];
            var result = await ProductRun.RunAsync($"{source.Name.Replace('/', '_')}[..{end}]", source.Text[..end], applyFirstAction: true, includeCompilerErrors: false);
            failures.AddRange(result.Failures);
            run++;
        }

        output.WriteLine($"{corpus.Count} sources, {boundaries.Count} token boundaries, stride {stride}: {run} prefixes in {clock.Elapsed.TotalSeconds:F1} s.");
        DescriptorTests.AssertNone(failures.Take(20).Append(failures.Count > 20 ? $"… and {failures.Count - 20} more" : string.Empty).Where(f => f.Length > 0));
    }

    /// <summary>The end of every token (with its trivia), so each prefix stops where typing could pause.</summary>
    private static IEnumerable<int> TokenBoundaries(string text)
    {
        var root = CSharpSyntaxTree.ParseText(text).GetRoot();
        return root.DescendantTokens(descendIntoTrivia: false)
            .Select(t => t.FullSpan.End)
            .Prepend(0)
            .Append(text.Length)
            .Distinct()
            .Order();
    }
}
