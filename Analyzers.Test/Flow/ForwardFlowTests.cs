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
/// The forward data-flow framework on its own, with a domain that collects the <c>Mark("…")</c> calls
/// every path made: what reaches each exit, how finally regions continue each branch that enters them,
/// what a catch handler starts from, that a refuted branch is not taken, and that a diverging domain
/// ends in no result instead of a hang.
/// </summary>
public sealed class ForwardFlowTests
{
    [Fact]
    public void ReturnAndFallThrough_EachExitKeepsItsBranch()
    {
        FlowResult<Marks> result = Run("""
            void M(bool a)
            {
                Mark("start");
                if (a)
                {
                    Mark("a");
                    return;
                }

                Mark("b");
            }
            """);

        Assert.Equal(["a start", "b start"], result.Exits.Select(e => e.State.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Finally_RunsOnEveryBranchThatLeavesTheTry_AndContinuesEach()
    {
        FlowResult<Marks> result = Run("""
            int M(bool a)
            {
                Mark("start");
                try
                {
                    if (a)
                    {
                        Mark("a");
                        return 1;
                    }

                    Mark("b");
                }
                finally
                {
                    Mark("finally");
                }

                Mark("after");
                return 2;
            }
            """);

        // The finally region's input joins both branches; its output continues each of them.
        Assert.Equal(["a after b finally start", "a b finally start"], result.Exits.Select(e => e.State.ToString()).Order(StringComparer.Ordinal));
        Assert.All(result.Exits, e => Assert.Equal(ControlFlowBranchSemantics.Return, e.Origin.Semantics));
    }

    [Fact]
    public void Catch_StartsFromEveryStateInsideTheTry()
    {
        FlowResult<Marks> result = Run("""
            void M()
            {
                Mark("start");
                try
                {
                    Mark("t1");
                    Mark("t2");
                }
                catch (Exception)
                {
                    Mark("catch");
                    return;
                }

                Mark("after");
            }
            """);

        Assert.Equal(["after start t1 t2", "catch start t1 t2"], result.Exits.Select(e => e.State.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ThrowReachesNoExit()
    {
        FlowResult<Marks> result = Run("""
            void M(bool bad)
            {
                if (bad)
                {
                    Mark("throw");
                    throw new InvalidOperationException();
                }

                Mark("ok");
            }
            """);

        Assert.Equal(["ok"], result.Exits.Select(e => e.State.ToString()));
    }

    [Fact]
    public void RefutedBranch_IsNotTaken()
    {
        FlowResult<Marks> result = Run("""
            void M(bool a)
            {
                if (Never())
                {
                    Mark("dead");
                }

                Mark("live");
            }
            """);

        Assert.Equal(["live"], result.Exits.Select(e => e.State.ToString()));
    }

    [Fact]
    public void Loop_ReachesItsFixedPoint()
    {
        FlowResult<Marks> result = Run("""
            void M(int n)
            {
                for (int i = 0; i < n; i++)
                {
                    Mark(i % 2 == 0 ? "even" : "odd");
                    Mark("body");
                }
            }
            """);

        Assert.Equal(["body"], result.Exits.Select(e => e.State.ToString()));
    }

    [Fact]
    public void DomainThatNeverSettles_GivesNoResult()
    {
        ControlFlowGraph graph = Graph("""
            void M(int n)
            {
                while (n > 0)
                {
                    Mark("x");
                }
            }
            """);

        Assert.Null(ForwardFlow.Run(graph, new Counter(0), new Diverging(), CancellationToken.None));
    }

    private static FlowResult<Marks> Run(string method)
    {
        FlowResult<Marks>? result = ForwardFlow.Run(Graph(method), Marks.Empty, new MarkDomain(), CancellationToken.None);
        Assert.NotNull(result);
        return result;
    }

    private static ControlFlowGraph Graph(string method)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText("using System;\nclass C\n{\nstatic void Mark(string what) { }\nstatic bool Never() => false;\n" + method + "\n}\n");
        var compilation = CSharpCompilation.Create("Flow", [tree], TestProjects.Framework, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        MethodDeclarationSyntax declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Last();
        return ControlFlowGraph.Create((IMethodBodyOperation)model.GetOperation(declaration)!);
    }

    /// <summary>The marks a path made, as a sorted set.</summary>
    private sealed class Marks(ImmutableSortedSet<string> marks)
    {
        public static Marks Empty { get; } = new(ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

        public ImmutableSortedSet<string> Set { get; } = marks;

        public override string ToString() => string.Join(" ", Set);
    }

    private sealed class MarkDomain : FlowDomain<Marks>
    {
        public override Marks Join(Marks left, Marks right) => new(left.Set.Union(right.Set));

        public override bool Same(Marks left, Marks right) => left.Set.SetEquals(right.Set);

        public override Marks Transfer(Marks state, IOperation operation)
        {
            foreach (IOperation descendant in operation.DescendantsAndSelf())
            {
                if (descendant is IInvocationOperation { TargetMethod.Name: "Mark" } mark && mark.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string what })
                {
                    state = new Marks(state.Set.Add(what));
                }
            }

            return state;
        }

        public override Marks? Branch(Marks state, IOperation condition, bool value)
            => condition is IInvocationOperation { TargetMethod.Name: "Never" } && value ? null : state;
    }

    private sealed class Counter(int value)
    {
        public int Value { get; } = value;
    }

    /// <summary>Counts forever: every join is a new state.</summary>
    private sealed class Diverging : FlowDomain<Counter>
    {
        public override Counter Join(Counter left, Counter right) => new(Math.Max(left.Value, right.Value) + 1);

        public override bool Same(Counter left, Counter right) => left.Value == right.Value;

        public override Counter Transfer(Counter state, IOperation operation) => new(state.Value + 1);
    }
}
