using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Irql;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Irql;

/// <summary>
/// The IRQL engine answers each rule that asks about a member with the same findings, however many other
/// bodies were asked about in between (as when the analyzer driver interleaves members across threads):
/// the findings are made once and kept on the member's flow, after the exit paths they were made from are
/// forgotten.
/// </summary>
public sealed class EngineFindingsTests
{
    private const string Source = """
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.Ke;
        using static PoolAnalyzers.Runtime.POOL_TYPE;

        class Device
        {
            private readonly KSPIN_LOCK _lock = new();

            void Leaves(bool early)
            {
                KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                if (early)
                {
                    return;
                }

                KeReleaseSpinLock(_lock, oldIrql);
            }

            void Allocates()
            {
                KeAcquireSpinLock(_lock, out KIRQL oldIrql);
                ExFreePoolWithTag(ExAllocatePoolWithTag(PagedPool, 64, "Tag1"), "Tag1");
                KeReleaseSpinLock(_lock, oldIrql);
            }

            void Plain() => ExFreePoolWithTag(ExAllocatePoolWithTag(PagedPool, 64, "Tag1"), "Tag1");
        }
        """;

    [Fact]
    public void AskedAgainAfterOtherBodies_SameFindings()
    {
        (IrqlEngine engine, (ISymbol Member, IOperation Body)[] members) = Members();
        string[][] first = [.. members.Select(member => Describe(engine.FindingsOf(member.Member, member.Body, default)))];

        Assert.Equal(["POOL014 12"], first[0]);
        Assert.Equal(["POOL004 24"], first[1]);
        Assert.Empty(first[2]);

        // Every body again, in another order: no answer is in the engine's memo of the last body any more.
        foreach (int index in new[] { 0, 2, 1, 0 })
        {
            Assert.Equal(first[index], Describe(engine.FindingsOf(members[index].Member, members[index].Body, default)));
        }
    }

    private static string[] Describe(ImmutableArray<BodyFinding> findings)
        => [.. findings.Select(finding => finding.RuleId + " " + (finding.Location.GetLineSpan().StartLinePosition.Line + 1))];

    private static (IrqlEngine Engine, (ISymbol Member, IOperation Body)[] Members) Members()
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(Source, TestProjects.ParseOptions);
        var compilation = CSharpCompilation.Create("Findings", [tree], [.. TestProjects.Framework, TestProjects.Runtime], TestProjects.CompilationOptions);
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        var engine = IrqlEngine.For(compilation, RuntimeSymbols.TryCreate(compilation)!);
        return (engine, [.. tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Select(method => ((ISymbol)model.GetDeclaredSymbol(method)!, model.GetOperation(method)!))]);
    }
}
