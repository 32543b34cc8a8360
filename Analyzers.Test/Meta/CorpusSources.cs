using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Testing;

namespace PoolAnalyzers.Test.Meta;

/// <summary>A source the meta-tests feed to every analyzer and fixer.</summary>
internal sealed record CorpusSource(string Name, string Text)
{
    public override string ToString() => Name;
}

/// <summary>
/// The corpus: <see cref="DriverCorpus"/>, every <c>.cs</c> file under <c>samples/</c>, and the
/// multi-line raw string literals of the rule tests, so the corpus grows with every rule test written.
/// </summary>
/// <remarks>
/// A literal's markup is removed and the shared usings are prepended when it has none. Interpolated
/// raw literals (<c>$$"""…"""</c>) count too, with their holes removed: <c>{|#0:{{literal}}|}</c>
/// becomes nothing, which leaves code such as <c>ExAllocatePoolWithTag(NonPagedPoolNx, 64, )</c>. That
/// is broken code, but broken code is what the robustness test is for; the value a theory puts in
/// the hole is covered by the non-interpolated tests of the same rule.
/// </remarks>
internal static class CorpusSources
{
    public static List<CorpusSource> All() => [.. Driver(), .. Samples(), .. RuleTests()];

    public static IEnumerable<CorpusSource> Driver() => DriverCorpus.Sources.Select(s => new CorpusSource("Meta/" + s.Name, s.Source));

    public static IEnumerable<CorpusSource> Samples()
    {
        string samples = Repository.PathOf("samples");
        if (!Directory.Exists(samples))
        {
            return [];
        }

        return Directory.EnumerateFiles(samples, "*.cs", SearchOption.AllDirectories)
            .Where(p => !IsBuildOutput(p))
            .Order(StringComparer.Ordinal)
            .Select(p => new CorpusSource(Path.GetRelativePath(Repository.Root, p), File.ReadAllText(p)));
    }

    public static IEnumerable<CorpusSource> RuleTests()
    {
        string rules = Repository.PathOf("Analyzers.Test", "Rules");
        if (!Directory.Exists(rules))
        {
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(rules, "*.cs", SearchOption.AllDirectories).Where(p => !IsBuildOutput(p)).Order(StringComparer.Ordinal))
        {
            SyntaxNode root = CSharpSyntaxTree.ParseText(File.ReadAllText(path)).GetRoot();
            int index = 0;
            foreach (string value in RawStringValues(root))
            {
                if (!LooksLikeCode(value))
                {
                    continue;
                }

                string text = WithoutMarkup(value);
                if (!text.Contains("using ", StringComparison.Ordinal))
                {
                    text = DriverCorpus.Usings + text;
                }

                if (seen.Add(text))
                {
                    yield return new CorpusSource($"{Path.GetFileName(path)}#{index++}", text);
                }
            }
        }
    }

    /// <summary>The value of every multi-line raw string literal, plain or interpolated (holes removed), in source order.</summary>
    private static IEnumerable<string> RawStringValues(SyntaxNode root)
    {
        foreach (SyntaxNode node in root.DescendantNodes())
        {
            switch (node)
            {
                case LiteralExpressionSyntax literal when literal.Token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken):
                    yield return literal.Token.ValueText;
                    break;
                case InterpolatedStringExpressionSyntax interpolated when interpolated.StringStartToken.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken):
                    yield return string.Concat(interpolated.Contents.OfType<InterpolatedStringTextSyntax>().Select(t => t.TextToken.ValueText));
                    break;
            }
        }
    }

    private static bool LooksLikeCode(string text) =>
        text.Contains("class ", StringComparison.Ordinal) || text.Contains("struct ", StringComparison.Ordinal);

    private static string WithoutMarkup(string text)
    {
        try
        {
            TestFileMarkupParser.GetPositionsAndSpans(text, out string output, out _, out _);
            return output;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            // Not markup after all (e.g. a source that uses '[|' itself): keep it verbatim.
            return text;
        }
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
}
