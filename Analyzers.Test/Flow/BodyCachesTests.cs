using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Flow;

/// <summary>
/// The per-body caches the rules on one analysis share: findings kept for the compilation when they were
/// expensive and remembered for the last body only when they were cheap, and the operation scan, which
/// gives the same answer whether or not its memo still holds the body.
/// </summary>
public sealed class BodyCachesTests
{
    private static readonly string Source = """
        using System;
        class C
        {
            void First() { Console.WriteLine(1); Action a = () => Console.WriteLine(2); }
            void Second() { var o = new object(); }
            void Third() { }
        }
        """;

    [Fact]
    public void KeptFindings_SurviveOtherBodies()
    {
        IOperation[] bodies = Bodies();
        var findings = new BodyFindings();
        ImmutableArray<BodyFinding> kept = [Finding()];

        findings.Keep(bodies[0], kept);
        findings.Remember(bodies[1], []);
        findings.Remember(bodies[2], []);

        Assert.True(findings.TryGet(bodies[0], out ImmutableArray<BodyFinding> found));
        Assert.Equal(kept, found);
    }

    [Fact]
    public void RememberedFindings_LastWithAndLastWithoutFindingsOnly()
    {
        IOperation[] bodies = Bodies();
        var findings = new BodyFindings();
        ImmutableArray<BodyFinding> remembered = [Finding()];

        findings.Remember(bodies[0], remembered);
        Assert.True(findings.TryGet(bodies[0], out ImmutableArray<BodyFinding> found));
        Assert.Equal(remembered, found);

        // An empty answer is remembered beside the last answer with findings, not over it.
        findings.Remember(bodies[1], []);
        Assert.True(findings.TryGet(bodies[0], out ImmutableArray<BodyFinding> still));
        Assert.Equal(remembered, still);
        Assert.True(findings.TryGet(bodies[1], out ImmutableArray<BodyFinding> second));
        Assert.Empty(second);
        Assert.False(findings.TryGet(bodies[2], out _));

        findings.Remember(bodies[2], [Finding()]);
        Assert.False(findings.TryGet(bodies[0], out _));
        Assert.True(findings.TryGet(bodies[1], out _));
        Assert.True(findings.TryGet(bodies[2], out _));
    }

    [Fact]
    public void KeptFindings_FirstKeeperWins()
    {
        IOperation body = Bodies()[0];
        var findings = new BodyFindings();
        ImmutableArray<BodyFinding> first = [Finding()];

        findings.Keep(body, first);
        ImmutableArray<BodyFinding> answer = findings.Keep(body, [Finding(), Finding()]);

        Assert.Equal(first, answer);
    }

    [Fact]
    public void Scan_SameAnswerWhenAskedAgainAfterAnotherBody()
    {
        IOperation[] bodies = Bodies();

        string[] first = Kinds(BodyScan.Of(bodies[0]));
        bool lambdas = BodyScan.HasLambdas(bodies[0]);
        Assert.Equal(["Invocation", "DelegateCreation", "AnonymousFunction", "Invocation"], first);
        Assert.True(lambdas);

        Assert.Equal(["ObjectCreation"], Kinds(BodyScan.Of(bodies[1])));
        Assert.False(BodyScan.HasLambdas(bodies[1]));
        Assert.Empty(BodyScan.Of(bodies[2]));

        Assert.Equal(first, Kinds(BodyScan.Of(bodies[0])));
        Assert.True(BodyScan.HasLambdas(bodies[0]));
    }

    private static string[] Kinds(ImmutableArray<IOperation> operations) => [.. operations.Select(operation => operation.Kind.ToString())];

    private static BodyFinding Finding() => new(DiagnosticIds.PagedPoolAtDispatch, Location.None, []);

    private static IOperation[] Bodies()
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(Source);
        var compilation = CSharpCompilation.Create("Bodies", [tree], TestProjects.Framework, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        SemanticModel model = compilation.GetSemanticModel(tree);
        return [.. tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Select(method => model.GetOperation(method)!)];
    }
}
