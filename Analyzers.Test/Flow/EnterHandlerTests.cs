using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Flow;

/// <summary>
/// <see cref="FlowDomain{TState}.EnterHandler"/>: a catch handler starts from what the domain makes of the
/// states inside its try (the pointer-lifetime domain stops counting held blocks there), while normal
/// paths are untouched; the default keeps the states as they are.
/// </summary>
public sealed class EnterHandlerTests
{
    private const string Method = """
        void M()
        {
            Mark("start");
            try
            {
                Mark("t1");
            }
            catch (Exception)
            {
                Mark("catch");
                return;
            }

            Mark("after");
        }
        """;

    [Fact]
    public void Catch_StartsFromTheDomainsHandlerState_OtherPathsUntouched()
    {
        FlowResult<ImmutableSortedSet<string>>? result = ForwardFlow.Run(Graph(Method), Empty, new MarkDomain(handler: true), CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(["after start t1", "catch handler"], result.Exits.Select(e => string.Join(" ", e.State)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Default_KeepsTheStatesInsideTheTry()
    {
        FlowResult<ImmutableSortedSet<string>>? result = ForwardFlow.Run(Graph(Method), Empty, new MarkDomain(handler: false), CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(["after start t1", "catch start t1"], result.Exits.Select(e => string.Join(" ", e.State)).Order(StringComparer.Ordinal));
    }

    private static readonly ImmutableSortedSet<string> Empty = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    private static ControlFlowGraph Graph(string method)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText("using System;\nclass C\n{\nstatic void Mark(string what) { }\n" + method + "\n}\n");
        var compilation = CSharpCompilation.Create("Flow", [tree], TestProjects.Framework, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        MethodDeclarationSyntax declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Last();
        return ControlFlowGraph.Create((IMethodBodyOperation)model.GetOperation(declaration)!);
    }

    /// <summary>Collects the marks of every path; with <c>handler</c>, a catch forgets them and starts from "handler".</summary>
    private sealed class MarkDomain(bool handler) : FlowDomain<ImmutableSortedSet<string>>
    {
        public override ImmutableSortedSet<string> Join(ImmutableSortedSet<string> left, ImmutableSortedSet<string> right) => left.Union(right);

        public override bool Same(ImmutableSortedSet<string> left, ImmutableSortedSet<string> right) => left.SetEquals(right);

        public override ImmutableSortedSet<string> EnterHandler(ImmutableSortedSet<string> state) => handler ? Empty.Add("handler") : state;

        public override ImmutableSortedSet<string> Transfer(ImmutableSortedSet<string> state, IOperation operation)
        {
            foreach (IOperation descendant in operation.DescendantsAndSelf())
            {
                if (descendant is IInvocationOperation { TargetMethod.Name: "Mark" } mark && mark.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string what })
                {
                    state = state.Add(what);
                }
            }

            return state;
        }
    }
}
