using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Lifetime;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Flow;

/// <summary>
/// <see cref="LoopLayout"/> must give the blocks Roslyn's control-flow graph gives a loop, edge for edge: the
/// walk of <see cref="TreeFlow"/> runs the lifetime domain over them as the graph analysis runs it over the
/// graph. Handwritten loops and a few hundred generated ones (a fixed seed) are laid out both ways and
/// compared; the generated ones are also analyzed for leaks, unchecked uses and bad frees, walk and graph
/// compared (<see cref="WalkCheckOn"/>).
/// </summary>
public sealed class LoopLayoutTests
{
    private const string Prelude = """
        using System;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.POOL_FLAGS;

        unsafe class Device
        {
            private nint _kept;

            private static bool Ready() => true;

            private static int Next(int value) => value + 1;

            private static void Touch(int value)
            {
            }

        """;

    [Theory]
    [InlineData("""
        int cycled = 0;
        for (int i = 0; i < count; i++)
        {
            nint entry = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            if (entry == 0)
            {
                break;
            }

            ExFreePoolWithTag(entry, "Tag1");
            cycled++;
        }

        return cycled;
        """)]
    [InlineData("""
        while (count > 0)
        {
            count--;
            if (count == 3)
            {
                Touch(1);
                continue;
            }

            Touch(count);
        }

        return 0;
        """)]
    [InlineData("""
        do
        {
            Touch(count);
            if (count == 2)
            {
                break;
            }

            Touch(1);
        }
        while (count-- > 0);
        return 0;
        """)]
    [InlineData("""
        do
        {
            int e = Next(count);
            Touch(e);
        }
        while (!(count-- > 0));
        return 0;
        """)]
    [InlineData("""
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (j == 2)
                {
                    break;
                }

                Touch(j);
            }

            Touch(i);
        }

        return 0;
        """)]
    [InlineData("""
        for (int i = 0; i < count; i++)
        {
            if (i == 2)
            {
                int e = Next(i);
                Touch(e);
                break;
            }
            else
            {
                int f = Next(3);
                Touch(f);
            }

            Touch(i);
            { int w = Next(1); Touch(w); }
            Touch(2);
        }

        return 0;
        """)]
    [InlineData("""
        for (int i = 0; i < count; i++)
        {
            if (i == 3)
            {
                return i;
            }

            if (i == 4)
            {
                throw new InvalidOperationException();
            }

            Touch(i);
        }

        return 0;
        """)]
    [InlineData("""
        int i = 0;
        for (; i < count;)
        {
            if (i == 3)
            {
                continue;
            }

            i++;
        }

        return 0;
        """)]
    [InlineData("""
        while (count > 0)
        {
            count--;
            if (count == 3)
            {
                if (count == 4)
                {
                    break;
                }
                else
                {
                    continue;
                }
            }

            Touch(count);
        }

        return 0;
        """)]
    public void HandwrittenLoops_LaidOutAsTheGraph(string body)
    {
        Assert.True(Compare(Prelude + "    int Work(int count)\n    {\n" + body + "\n    }\n}\n") > 0);
    }

    [Fact]
    public void GeneratedLoops_LaidOutAndAnalyzedAsTheGraph()
    {
        var random = new Random(17);
        int compared = 0;
        for (int file = 0; file < 80; file++)
        {
            var source = new StringBuilder(Prelude);
            for (int method = 0; method < 10; method++)
            {
                source.Append(new LoopWriter(random).Method("Work" + method));
            }

            source.Append("}\n");
            compared += Compare(source.ToString());
        }

        // Most generated bodies qualify; the rest (a loop whose end is not reached, dead code) go to the graph.
        Assert.True(compared >= 300, "compared " + compared);
    }

    /// <summary>Lays out every outermost loop of every method both ways; analyzes every method; returns how many loops were compared.</summary>
    private static int Compare(string source)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, TestProjects.ParseOptions);
        var compilation = CSharpCompilation.Create("Loops", [tree], [.. TestProjects.Framework, TestProjects.Runtime], TestProjects.CompilationOptions.WithAllowUnsafe(true));
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        RuntimeSymbols symbols = RuntimeSymbols.TryCreate(compilation)!;
        int compared = 0;
        foreach (MethodDeclarationSyntax method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            IOperation body = model.GetOperation(method)!;
            if (!TreeFlow.Qualifies(body, []))
            {
                continue;
            }

            var graph = ControlFlowGraph.Create((IMethodBodyOperation)body);
            foreach (ILoopOperation loop in Outermost(body))
            {
                string expected = Describe(graph, loop);
                string actual = Describe(LoopLayout.Of(loop)!);
                if (!expected.Contains("-> out"))
                {
                    // Nothing follows the loop: its way out is the function's exit, where the walk sends it too.
                    actual = actual.Replace("-> out", "-> exit");
                }

                Assert.True(expected == actual, method + "\ngraph:\n" + expected + "layout:\n" + actual);
                compared++;
            }

            // Throws when the walk's findings differ from the graph's.
            try
            {
                LifetimeAnalysis.For(compilation, symbols).FindingsOf(model.GetDeclaredSymbol(method)!, body, default);
            }
            catch (InvalidOperationException difference)
            {
                throw new InvalidOperationException(method + "\n" + difference.Message, difference);
            }
        }

        return compared;
    }

    private static IEnumerable<ILoopOperation> Outermost(IOperation operation)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            if (child is ILoopOperation loop)
            {
                yield return loop;
            }
            else
            {
                foreach (ILoopOperation nested in Outermost(child))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>A layout's blocks as text, one a line: operations, branch and edges.</summary>
    private static string Describe(LoopLayout layout)
    {
        var text = new StringBuilder();
        for (int i = 0; i < layout.Blocks.Count; i++)
        {
            LoopBlock block = layout.Blocks[i];
            text.Append('B').Append(i).Append(':');
            foreach (IOperation operation in block.Operations)
            {
                text.Append(" [").Append(operation.Syntax).Append(']');
            }

            text.Append(' ').Append(block.End);
            if (block.BranchValue is { } value)
            {
                text.Append(" '").Append(value.Syntax).Append('\'');
            }

            if (block.End == LoopBlockEnd.Condition)
            {
                text.Append(" when ").Append(block.ConditionalValue ? "true" : "false").Append(" -> ").Append(Target(block.Conditional));
            }

            if (block.End is LoopBlockEnd.Jump or LoopBlockEnd.Condition)
            {
                text.Append(" else -> ").Append(Target(block.FallThrough));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>How the descriptions name an edge's target.</summary>
    private static string Target(int target) => target switch
    {
        LoopLayout.Out => "out",
        LoopLayout.Exit => "exit",
        LoopLayout.Unset => "?",
        _ => "B" + target,
    };

    /// <summary>The graph's blocks of <paramref name="loop"/>, from its head to its last block, as <see cref="Describe(LoopLayout)"/> writes a layout.</summary>
    private static string Describe(ControlFlowGraph graph, ILoopOperation loop)
    {
        SyntaxNode condition = Stripped(loop is IWhileLoopOperation whileLoop ? whileLoop.Condition! : ((IForLoopOperation)loop).Condition!).Syntax;
        BasicBlock test = graph.Blocks.Single(block => block.BranchValue?.Syntax == condition);
        int first = loop is IWhileLoopOperation { ConditionIsTop: false } ? test.ConditionalSuccessor!.Destination!.Ordinal : test.Ordinal;
        int last = graph.Blocks.Where(block => Within(block, loop.Syntax)).Max(block => block.Ordinal);
        var text = new StringBuilder();
        for (int ordinal = first; ordinal <= last; ordinal++)
        {
            BasicBlock block = graph.Blocks[ordinal];
            text.Append('B').Append(ordinal - first).Append(':');
            foreach (IOperation operation in block.Operations)
            {
                text.Append(" [").Append(operation.Syntax).Append(']');
            }

            LoopBlockEnd end = block.ConditionKind != ControlFlowConditionKind.None ? LoopBlockEnd.Condition
                : block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return ? LoopBlockEnd.Return
                : block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Throw ? LoopBlockEnd.Throw
                : LoopBlockEnd.Jump;
            text.Append(' ').Append(end);
            if (block.BranchValue is { } value)
            {
                text.Append(" '").Append(value.Syntax).Append('\'');
            }

            if (end == LoopBlockEnd.Condition)
            {
                text.Append(" when ").Append(block.ConditionKind == ControlFlowConditionKind.WhenTrue ? "true" : "false").Append(" -> ").Append(Target(block.ConditionalSuccessor!, first, last));
            }

            if (end is LoopBlockEnd.Jump or LoopBlockEnd.Condition)
            {
                text.Append(" else -> ").Append(Target(block.FallThroughSuccessor!, first, last));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Target(ControlFlowBranch branch, int first, int last)
        => branch.Destination is not { } destination ? "?"
            : destination.Kind == BasicBlockKind.Exit ? Target(LoopLayout.Exit)
            : destination.Ordinal < first || destination.Ordinal > last ? Target(LoopLayout.Out)
            : Target(destination.Ordinal - first);

    private static bool Within(BasicBlock block, SyntaxNode loop)
        => block.Operations.Any(operation => loop.Span.Contains(operation.Syntax.Span)) || (block.BranchValue is { } value && loop.Span.Contains(value.Syntax.Span));

    private static IOperation Stripped(IOperation condition)
    {
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            condition = not.Operand;
        }

        return condition;
    }

    /// <summary>Writes methods around a loop of random statements: allocations, frees, uses, tests, jumps and nested loops.</summary>
    private sealed class LoopWriter(Random random)
    {
        private readonly StringBuilder _text = new();
        private int _names;
        private bool _returnsValue;

        public string Method(string name)
        {
            _text.Clear();
            _returnsValue = random.Next(2) == 0;
            _text.Append("    ").Append(_returnsValue ? "int " : "void ").Append(name).Append("(int count)\n    {\n");
            _text.Append(random.Next(3) == 0 ? "nint p = 0;\n" : "nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, \"Tag1\");\n");
            _text.Append("nint q = 0;\nint m = 0;\n");
            if (random.Next(2) == 0)
            {
                Simple();
            }

            switch (random.Next(4))
            {
                case 0:
                    _text.Append("if (").Append(Condition()).Append(")\n{\n");
                    Loop(depth: 0);
                    _text.Append(random.Next(2) == 0 ? "}\n" : "}\nelse\n{\nTouch(1);\n}\n");
                    break;
                case 1:
                    Loop(depth: 0);
                    Simple();
                    Loop(depth: 0);
                    break;
                default:
                    Loop(depth: 0);
                    break;
            }

            bool last = !_returnsValue && random.Next(3) == 0;
            if (!last)
            {
                Simple();
                _text.Append(_returnsValue ? "return m;\n" : "return;\n");
            }

            _text.Append("    }\n\n");
            return _text.ToString();
        }

        private string Fresh(string prefix) => prefix + _names++;

        private void Loop(int depth)
        {
            switch (random.Next(5))
            {
                case 0:
                    string i = Fresh("i");
                    _text.Append("for (int ").Append(i).Append(" = 0; ").Append(i).Append(" < count; ").Append(i).Append("++)\n");
                    Body(depth);
                    break;
                case 1:
                    _text.Append("for (m = 0; ").Append(Condition()).Append(random.Next(2) == 0 ? "; m++, count--)\n" : ";)\n");
                    Body(depth);
                    break;
                case 2:
                case 3:
                    _text.Append("while (").Append(Condition()).Append(")\n");
                    Body(depth);
                    break;
                default:
                    _text.Append("do\n");
                    Body(depth);
                    _text.Append("while (").Append(Condition()).Append(");\n");
                    break;
            }
        }

        private void Body(int depth)
        {
            _text.Append("{\n");
            int count = random.Next(1, 5);
            for (int k = 0; k < count; k++)
            {
                Statement(depth + 1, inLoop: true);
            }

            if (random.Next(10) == 0)
            {
                Jump(inLoop: true);
            }

            _text.Append("}\n");
        }

        private void Statement(int depth, bool inLoop)
        {
            switch (random.Next(depth < 3 ? 13 : 10))
            {
                case 0:
                case 1:
                    Simple();
                    break;
                case 2:
                    Entry(inLoop);
                    break;
                case 3:
                    string w = Fresh("w");
                    _text.Append("{\nint ").Append(w).Append(" = Next(count);\nTouch(").Append(w).Append(");\n");
                    Simple();
                    _text.Append("}\n");
                    break;
                case 4:
                case 5:
                case 6:
                    If(depth, inLoop, withElse: false);
                    break;
                case 7:
                case 8:
                    If(depth, inLoop, withElse: true);
                    break;
                case 9:
                    Entry(inLoop);
                    break;
                default:
                    Loop(depth);
                    break;
            }
        }

        /// <summary>A block allocated into a local of the current scope, then tested, used, freed or kept.</summary>
        private void Entry(bool inLoop)
        {
            string entry = Fresh("e");
            _text.Append("nint ").Append(entry).Append(" = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, \"Tag3\");\n");
            int uses = random.Next(4);
            for (int k = 0; k < uses; k++)
            {
                switch (random.Next(6))
                {
                    case 0:
                        _text.Append("if (").Append(entry).Append(random.Next(2) == 0 ? " == 0)\n{\n" : " is not 0)\n{\n");
                        Simple();
                        if (random.Next(2) == 0)
                        {
                            Jump(inLoop);
                        }

                        _text.Append("}\n");
                        break;
                    case 1:
                        _text.Append("*(int*)").Append(entry).Append(" = count;\n");
                        break;
                    case 2:
                        _text.Append("ExFreePoolWithTag(").Append(entry).Append(random.Next(3) == 0 ? ", \"Tag9\");\n" : ", \"Tag3\");\n");
                        break;
                    case 3:
                        _text.Append("_kept = ").Append(entry).Append(";\n");
                        break;
                    case 4:
                        _text.Append("p = ").Append(entry).Append(";\n");
                        break;
                    default:
                        Simple();
                        break;
                }
            }
        }

        private void If(int depth, bool inLoop, bool withElse)
        {
            _text.Append("if (").Append(Condition()).Append(")\n");
            Branch(depth, inLoop);
            if (withElse)
            {
                _text.Append("else\n");
                Branch(depth, inLoop);
            }
        }

        private void Branch(int depth, bool inLoop)
        {
            _text.Append("{\n");
            if (random.Next(3) != 0)
            {
                Statement(depth + 1, inLoop);
            }
            else
            {
                Simple();
            }

            if (random.Next(2) == 0)
            {
                Jump(inLoop);
            }

            _text.Append("}\n");
        }

        private void Jump(bool inLoop)
        {
            switch (random.Next(inLoop ? 6 : 2))
            {
                case 0:
                    _text.Append(_returnsValue ? "return m;\n" : "return;\n");
                    break;
                case 1:
                    _text.Append("throw new InvalidOperationException();\n");
                    break;
                case 2:
                case 3:
                    _text.Append("break;\n");
                    break;
                default:
                    _text.Append("continue;\n");
                    break;
            }
        }

        private void Simple()
        {
            _text.Append(random.Next(9) switch
            {
                0 => "p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, \"Tag1\");\n",
                1 => "q = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, \"Tag2\");\n",
                2 => "ExFreePoolWithTag(p, \"Tag1\");\n",
                3 => "ExFreePoolWithTag(q, \"Tag2\");\n",
                4 => "*(int*)p = count;\n",
                5 => "_kept = q;\n",
                6 => "count--;\n",
                7 => "m = Next(m);\n",
                _ => "Touch(count);\n",
            });
        }

        private string Condition() => random.Next(9) switch
        {
            0 => "p == 0",
            1 => "p != 0",
            2 => "!(q == 0)",
            3 => "q is 0",
            4 => "!Ready()",
            5 => "count > " + random.Next(5),
            6 => "m < count",
            7 => "Ready()",
            _ => "count-- > 0",
        };
    }
}
