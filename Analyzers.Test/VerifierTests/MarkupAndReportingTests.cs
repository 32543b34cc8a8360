using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.VerifierTests;

public class MarkupAndReportingTests
{
    [Fact]
    public void Parse_RemovesNestedMarkersAndRecordsTheirSpans()
    {
        var (text, spans) = TestMarkup.Parse("a [|b {|X1:c|} {|#2:d|}|] e", "/0/Test0.cs");

        Assert.Equal("a b c d e", text);
        Assert.Equal(
            [new MarkupSpan("X1", null, new TextSpan(4, 1)), new MarkupSpan(null, 2, new TextSpan(6, 1)), new MarkupSpan(null, null, new TextSpan(2, 5))],
            spans.ToArray());
    }

    [Theory]
    [InlineData("a [|b", "marker is never closed")]
    [InlineData("a |] b", "does not close the innermost open marker")]
    [InlineData("[|a|}", "does not close the innermost open marker")]
    [InlineData("{|bad id:x|}", "must be followed by a diagnostic ID")]
    public void Parse_RejectsMalformedMarkup(string markup, string problem)
    {
        var failure = Assert.Throws<ArgumentException>(() => TestMarkup.Parse(markup, "/0/Test0.cs"));
        Assert.Contains(problem, failure.Message, StringComparison.Ordinal);
        Assert.Contains("/0/Test0.cs(1,", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_IsTheInverseOfParse()
    {
        const string markup = "x {|A:a {|B:b|}|}{|C:|} y";
        var (text, spans) = TestMarkup.Parse(markup, "t.cs");
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(text, path: "t.cs");
        var diagnostics = spans.Select(s => Diagnostic.Create(
            new DiagnosticDescriptor(s.DiagnosticId!, "t", "m", "c", DiagnosticSeverity.Warning, true),
            Location.Create(tree, s.Span)));

        Assert.Equal(markup, TestMarkup.Render(text, diagnostics));
    }

    [Fact]
    public void ToString_IsPasteReady()
    {
        var descriptor = new DiagnosticDescriptor("POOL001", "t", "Use '{0}'", "c", DiagnosticSeverity.Warning, true);
        var result = new DiagnosticResult(descriptor).WithLocation(0).WithSpan(3, 5, 3, 20).WithSpan("/0/Test1.cs", 1, 2, 1, 3).WithLocation(7, 8).WithArguments("a\"b", 16);

        Assert.Equal(
            "VerifyCS.Diagnostic(\"POOL001\").WithLocation(0).WithSpan(3, 5, 3, 20).WithSpan(\"/0/Test1.cs\", 1, 2, 1, 3).WithLocation(7, 8).WithArguments(\"a\\\"b\", 16)",
            result.ToString());
        Assert.Equal("Use 'a\"b'", result.Message);
    }

    [Fact]
    public void Message_IsNotComparedUnlessGiven()
    {
        var descriptor = new DiagnosticDescriptor("POOL001", "t", "Use '{0}'", "c", DiagnosticSeverity.Warning, true);

        Assert.Null(new DiagnosticResult(descriptor).Message);
        Assert.Equal("literal", new DiagnosticResult(descriptor).WithMessage("literal").Message);
    }

    [Fact]
    public void Spans_AreOneBased()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiagnosticResult("X", DiagnosticSeverity.Warning).WithSpan(0, 1, 1, 1));
        var location = new DiagnosticResult("X", DiagnosticSeverity.Warning).WithSpan(2, 3, 4, 5).Spans.Single();
        Assert.Equal(new LinePosition(1, 2), location.Span.StartLinePosition);
        Assert.Equal(new LinePosition(3, 4), location.Span.EndLinePosition);
    }

    [Fact]
    public void UnifiedDiff_ShowsChangedLinesWithContext()
    {
        string diff = TextDiff.Unified("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nD\ne\nf\ng\nh\n", "/0/Test0.cs");

        Assert.Equal(
            "--- expected /0/Test0.cs\n+++ actual /0/Test0.cs\n@@ expected line 1, actual line 1 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n",
            diff.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void UnifiedDiff_MakesTrailingWhitespaceVisible()
    {
        string diff = TextDiff.Unified("x", "x  ", "f");
        Assert.Contains("+x··", diff, StringComparison.Ordinal);
    }
}
