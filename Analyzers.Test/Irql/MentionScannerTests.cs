using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PoolAnalyzers.Irql.Index;
using PoolAnalyzers.Test.Meta;
using Xunit;

namespace PoolAnalyzers.Test.Irql;

/// <summary>
/// The syntax index reads what each member body mentions from its text: it must list every name the
/// syntax tree calls, constructs or may convert to a delegate (more is allowed), and leave to the
/// syntax tree the spellings only it reads right.
/// </summary>
public sealed class MentionScannerTests
{
    public static TheoryData<string, string[]> Forms => new()
    {
        { "Helper(1);", ["Helper"] },
        { "Helper (1);", ["Helper"] },
        { "Helper /* note ( */ (1);", ["Helper"] },
        { "Helper // note\n(1);", ["Helper"] },
        { "Generic<int>(1);", ["Generic"] },
        { "this.Member(1); other?.Bound();", ["Member", "Bound"] },
        { "@Verbatim(1); @class(2);", ["Verbatim", "class"] },
        { "var o = new Created(); var p = new Outer.Nested { };", ["Created", "Nested"] },
        { "var q = new global::N.Aliased<int>();", ["Aliased"] },
        { "Register(DpcRoutine); Register(callback: Named, 1);", ["DpcRoutine", "Named"] },
        { "Action a = Initialized; a = Assigned; a += Subscribed;", ["Initialized", "Assigned", "Subscribed"] },
        { "var d = (Action)Cast; var e = ((Action)Wrapped); var f = (Action)Combined + d; var n = (int)Limits.Size - 1;", ["Cast", "Wrapped", "Combined", "Size"] },
        { "Action[] all = { First, Second };", ["First", "Second"] },
        { "return Returned;", ["Returned"] },
        { "var s = $\"{Interpolated(1)}\";", ["Interpolated"] },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void ReadsEveryForm(string body, string[] expected)
    {
        HashSet<string> mentions = Read(body);

        Assert.All(expected, name => Assert.Contains(name, mentions));
        Assert.DoesNotContain("return", mentions);
        Assert.DoesNotContain("new", mentions);
    }

    [Fact]
    public void LeavesNamesThatEndNothing()
    {
        HashSet<string> mentions = Read("int total = count + Limit * 2; if (total > Limit) { total = 0; }");

        Assert.DoesNotContain("count", mentions);
        Assert.DoesNotContain("if", mentions);
        Assert.Contains("Limit", mentions); // Followed by ')': read as a possible method group.
    }

    [Theory]
    [InlineData("\\u0048elper(1);")]
    [InlineData("Helper\n#if DEBUG\n(1)\n#else\n(2)\n#endif\n;")]
    public void LeavesToTheSyntaxTree_WhatOnlyItReadsRight(string body)
    {
        Assert.False(new MentionScanner().Scan(SourceText(body), new(0, body.Length), []));

        // The index then reads the body from its syntax: the escaped name is found by its value.
        SyntaxTree tree = Tree(body);
        IndexedMember member = TreeIndex.For(tree, scanner: null, default).Members.Single();
        Assert.Contains("Helper", member.Mentions);
    }

    [Fact]
    public void ListsEveryNameTheSyntaxTreeDoes_OnTheWholeCorpus()
    {
        int members = 0;
        foreach (CorpusSource source in CorpusSources.All())
        {
            SyntaxTree tree = CSharpSyntaxTree.ParseText(source.Text, path: source.Name);
            foreach (IndexedMember member in TreeIndex.For(tree, scanner: null, default).Members)
            {
                var exact = new HashSet<string>();
                if (member.Declaration is CompilationUnitSyntax unit)
                {
                    foreach (GlobalStatementSyntax statement in unit.Members.OfType<GlobalStatementSyntax>())
                    {
                        TreeIndex.MentionsInSyntax(statement, TreeIndex.BodyOf(statement), exact);
                    }
                }
                else
                {
                    TreeIndex.MentionsInSyntax(member.Declaration, TreeIndex.BodyOf(member.Declaration), exact);
                }

                exact.Remove(string.Empty); // A missing name in broken code.
                Assert.True(exact.IsSubsetOf(member.Mentions), $"{source.Name}, {member.Name ?? member.Declaration.Kind().ToString()}: missing {string.Join(", ", exact.Except(member.Mentions))}");
                members++;
            }
        }

        Assert.True(members > 300, $"only {members} members in the corpus");
    }

    private static HashSet<string> Read(string body)
    {
        var mentions = new HashSet<string>();
        Assert.True(new MentionScanner().Scan(SourceText(body), new(0, body.Length), mentions));
        return mentions;
    }

    private static Microsoft.CodeAnalysis.Text.SourceText SourceText(string text) => Microsoft.CodeAnalysis.Text.SourceText.From(text);

    private static SyntaxTree Tree(string body) => CSharpSyntaxTree.ParseText($"class C {{ void M() {{ {body} }} }}");
}
