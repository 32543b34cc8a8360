using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Lifetime;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Flow;

/// <summary>
/// Which bodies the pointer-lifetime analysis follows without a control-flow graph (<see cref="TreeFlow"/>),
/// and that what it finds there is what the graph finds: every body of every test is analyzed both ways
/// and compared (<see cref="WalkCheckOn"/>); these tests pin down the shapes taken and refused, and the
/// path details of findings where the walk must reproduce the graph's order of edges.
/// </summary>
public sealed class TreeFlowTests
{
    private const string Prelude = """
        using System;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.POOL_FLAGS;

        unsafe class Device
        {
            private nint _kept;

            private static bool Ready(int length) => length > 0;

        """;

    [Theory]
    [InlineData("Allocate, check, use, free", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        if (buffer == 0)
        {
            return 1;
        }

        *(int*)buffer = length;
        ExFreePoolWithTag(buffer, "Tag1");
        return 0;
        """)]
    [InlineData("if/else, a negated test, a throw", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        if (!(buffer != 0))
        {
            throw new InvalidOperationException();
        }

        if (Ready(length))
        {
            _kept = buffer;
        }
        else
        {
            ExFreePoolWithTag(buffer, "Tag1");
        }

        return 0;
        """)]
    [InlineData("Returns inside try, the free in finally", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        try
        {
            if (buffer == 0)
            {
                return 1;
            }

            *(int*)buffer = length;
        }
        finally
        {
            ExFreePoolWithTag(buffer, "Tag1");
        }

        return 0;
        """)]
    [InlineData("Loops that touch no block, branching inside", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        if (buffer == 0)
        {
            return 1;
        }

        var text = new System.Text.StringBuilder();
        foreach (char c in "name")
        {
            text.Append(char.IsDigit(c) ? '_' : c);
        }

        int i = 0;
        while (i < length && text.Length > 0)
        {
            i++;
        }

        ExFreePoolWithTag(buffer, "Tag1");
        return i;
        """)]
    [InlineData("A loop allocating, a break on NULL", """
        int cycled = 0;
        for (int i = 0; i < length; i++)
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
    [InlineData("A loop that reads a local holding the block", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        nint copy = buffer;
        for (int i = 0; i < length; i++)
        {
            _kept += copy;
        }

        return 0;
        """)]
    [InlineData("A loop that returns", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        for (int i = 0; i < length; i++)
        {
            if (i == 3)
            {
                return 1;
            }
        }

        _kept = buffer;
        return 0;
        """)]
    [InlineData("while with continue, do, nested loops", """
        nint buffer = 0;
        while (length > 0)
        {
            length--;
            if (length % 2 == 0)
            {
                continue;
            }

            do
            {
                buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            }
            while (buffer == 0);

            for (int i = 0; i < length; i++)
            {
                *(int*)buffer = i;
            }

            ExFreePoolWithTag(buffer, "Tag1");
        }

        return 0;
        """)]
    public void StructuredShapes_WalkedWithoutAGraph(string shape, string body)
    {
        Assert.NotNull(shape);
        Assert.True(Qualifies(body));
    }

    [Theory]
    [InlineData("A loop without a condition", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        for (;;)
        {
            if (length-- == 0)
            {
                break;
            }
        }

        _kept = buffer;
        return 0;
        """)]
    [InlineData("A constant condition (the graph folds it)", """
        nint buffer = 0;
        while (true)
        {
            buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            if (buffer != 0)
            {
                break;
            }
        }

        _kept = buffer;
        return 0;
        """)]
    [InlineData("A loop whose body never falls back to its head (the graph merges the head)", """
        nint buffer = 0;
        for (int i = 0; i < length; i++)
        {
            buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            break;
        }

        _kept = buffer;
        return 0;
        """)]
    [InlineData("A foreach that allocates (the graph adds an enumerator)", """
        foreach (char c in "name")
        {
            _kept = ExAllocatePool2(POOL_FLAG_NON_PAGED, (nuint)c, "Tag1");
        }

        return 0;
        """)]
    [InlineData("A loop inside try", """
        nint buffer = 0;
        try
        {
            for (int i = 0; i < length; i++)
            {
                buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            }
        }
        finally
        {
            ExFreePoolWithTag(buffer, "Tag1");
        }

        return 0;
        """)]
    [InlineData("A switch inside a loop", """
        for (int i = 0; i < length; i++)
        {
            nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            switch (i)
            {
                case 1:
                    _kept = buffer;
                    break;
                default:
                    ExFreePoolWithTag(buffer, "Tag1");
                    break;
            }
        }

        return 0;
        """)]
    [InlineData("A loop condition declaring a variable", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        while (Take(out int value))
        {
            _kept = buffer + value;
        }

        return 0;
        """)]
    [InlineData("Dead code after a jump in a loop", """
        nint buffer = 0;
        for (int i = 0; i < length; i++)
        {
            if (i == 2)
            {
                continue;
                _kept = buffer;
            }

            buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        }

        return 0;
        """)]
    [InlineData("An else ending in a jump while its then goes on (the graph goes on in the then block)", """
        nint buffer = 0;
        if (length > 0)
        {
            buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        }
        else
        {
            return 1;
        }

        _kept = buffer;
        return 0;
        """)]
    [InlineData("A short-circuit condition (the graph splits it)", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        if (buffer == 0 || length == 0)
        {
            return 1;
        }

        _kept = buffer;
        return 0;
        """)]
    [InlineData("A conditional expression", """
        nint buffer = length > 0 ? ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1") : 0;
        _kept = buffer;
        return 0;
        """)]
    [InlineData("A lambda", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        Action free = () => ExFreePoolWithTag(buffer, "Tag1");
        free();
        return 0;
        """)]
    [InlineData("A catch", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        try
        {
            _kept = buffer;
        }
        catch (InvalidOperationException)
        {
            return 1;
        }

        return 0;
        """)]
    [InlineData("An empty branch", """
        nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        if (buffer == 0)
        {
        }

        _kept = buffer;
        return 0;
        """)]
    public void OtherShapes_LeftToTheGraph(string shape, string body)
    {
        Assert.NotNull(shape);
        Assert.False(Qualifies(body));
    }

    [Fact]
    public void LastIfWithoutElse_FalseEdgeLeavesFirst()
    {
        // The graph's condition block sends the false edge to the exit before the return is walked: the
        // leak is reported on that edge (the end of the body), not on the return.
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            if (buffer == 0)
            {
                return;
            }

            if (length > 8)
            {
                return;
            }
            """, returns: "void");

        BodyFinding leak = Assert.Single(findings);
        Assert.Equal(DiagnosticIds.PoolLeak, leak.RuleId);
        Assert.Equal("ExAllocatePool2", leak.Arguments[0]);
        Assert.Equal(", on the path where 'length > 8' (line 19) is false", leak.Arguments[3]);
    }

    [Fact]
    public void ReturnInsideTry_LeavesThroughTheFinally()
    {
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            nint other = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag2");
            try
            {
                if (buffer == 0)
                {
                    return 1;
                }

                *(int*)buffer = length;
            }
            finally
            {
                ExFreePoolWithTag(buffer, "Tag1");
            }

            ExFreePoolWithTag(other, "Tag2");
            return 0;
            """);

        // 'other' leaks on the early return (through the finally, which frees only 'buffer').
        BodyFinding leak = Assert.Single(findings);
        Assert.Equal(DiagnosticIds.PoolLeak, leak.RuleId);
        Assert.Equal("14", leak.Arguments[1]);
        Assert.Equal(" at line 19, on the path where 'buffer == 0' (line 17) is true", leak.Arguments[3]);
    }

    [Fact]
    public void LoopTouchingNoBlock_IsNoStepOfThePath()
    {
        // The leak's path is told by the branch before the loop, on the walk and on the graph alike: the
        // loop's own condition and the branch inside it decide nothing about the block.
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            if (buffer == 0)
            {
                return 0;
            }

            int total = 0;
            for (int i = 0; i < length; i++)
            {
                if (i % 2 == 0)
                {
                    total += i;
                }
            }

            return total;
            """);

        BodyFinding leak = Assert.Single(findings);
        Assert.Equal(DiagnosticIds.PoolLeak, leak.RuleId);
        Assert.Equal(" at line 28, on the path where 'buffer == 0' (line 14) is false", leak.Arguments[3]);
    }

    [Fact]
    public void ElseEndingInAJump_LeftToTheGraph()
    {
        // The graph goes on after the if in the then block, ahead of the else: it numbers 'last' before
        // 'other', and reaches the final return before the else's. Walked in the order of the statements,
        // the three leaks came out in another order.
        (IOperation operation, ISymbol method, Compilation compilation) = Bind("""
            nint first = 0;
            if (length > 0)
            {
                first = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            }
            else
            {
                nint other = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag2");
                return 1;
            }

            nint last = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag3");
            return 0;
            """, "int");

        Assert.False(TreeFlow.Qualifies(operation, [], new InertLoops(operation, RuntimeSymbols.TryCreate(compilation)!).Contains));
        ImmutableArray<BodyFinding> findings = LifetimeAnalysis.For(compilation, RuntimeSymbols.TryCreate(compilation)!).FindingsOf(method, operation, default);
        Assert.Equal(["16", "24", "20"], findings.Select(leak => leak.Arguments[1]));
    }

    [Fact]
    public void LoopExit_JoinsTheBreakIntoWhatFollows()
    {
        // The block is held only on the break's path: what follows the loop joins the condition's false edge
        // and the break, and the leak names the branch the break took.
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint kept = 0;
            for (int i = 0; i < length; i++)
            {
                if (i == 2)
                {
                    kept = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
                    if (kept == 0)
                    {
                        return 1;
                    }

                    break;
                }
            }

            return 0;
            """);

        BodyFinding leak = Assert.Single(findings);
        Assert.Equal(DiagnosticIds.PoolLeak, leak.RuleId);
        Assert.Equal(" at line 28, on the path where 'kept == 0' (line 19) is false", leak.Arguments[3]);
    }

    [Fact]
    public void ReturnInsideALoop_LeavesBeforeTheEnd()
    {
        // The graph reaches the return inside the loop before the end of the body: leaks are reported in that order.
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint first = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            for (int i = 0; i < length; i++)
            {
                if (i == 3)
                {
                    return 2;
                }
            }

            ExFreePoolWithTag(first, "Tag1");
            nint second = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag2");
            return 0;
            """);

        Assert.Equal(2, findings.Length);
        Assert.Equal("13", findings[0].Arguments[1]);
        Assert.Equal(" at line 18, on the path where 'i == 3' (line 16) is true", findings[0].Arguments[3]);
        Assert.Equal("23", findings[1].Arguments[1]);
        Assert.Equal(" at line 24", findings[1].Arguments[3]);
    }

    [Fact]
    public void UseAfterALoop_NamesTheLoopsLastBranch()
    {
        // Each iteration's branch on 'entry' steps the held buffer's path; the loop leaves on its condition's false edge.
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
            int i = 0;
            do
            {
                nint entry = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, "Tag2");
                if (entry != 0)
                {
                    ExFreePoolWithTag(entry, "Tag2");
                }
            }
            while (++i < length);

            *(int*)buffer = i;
            ExFreePoolWithTag(buffer, "Tag1");
            return 0;
            """);

        BodyFinding use = Assert.Single(findings);
        Assert.Equal(DiagnosticIds.UncheckedAllocation, use.RuleId);
        Assert.Equal(", on the path where '++i < length' (line 23) is false", use.Arguments[3]);
    }

    [Fact]
    public void LoopLast_EachEdgeLeavesApart()
    {
        // Nothing follows the loop: each of its ways out is an edge of its own into the exit, as in the graph.
        // Joined, the break's held block would meet the freed and NULL ones and the leak would go unreported.
        ImmutableArray<BodyFinding> findings = Analyze("""
            nint buffer = 0;
            for (int i = 0; i < length; i++)
            {
                buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
                if (buffer == 0)
                {
                    return;
                }

                if (i == 3)
                {
                    break;
                }

                ExFreePoolWithTag(buffer, "Tag1");
            }
            """, returns: "void");

        BodyFinding leak = Assert.Single(findings);
        Assert.Equal(DiagnosticIds.PoolLeak, leak.RuleId);
        Assert.Equal(", on the path where 'i == 3' (line 22) is true", leak.Arguments[3]);
    }

    private static bool Qualifies(string body)
    {
        (IOperation operation, _, Compilation compilation) = Bind(body, "int");
        return TreeFlow.Qualifies(operation, [], new InertLoops(operation, RuntimeSymbols.TryCreate(compilation)!).Contains);
    }

    private static ImmutableArray<BodyFinding> Analyze(string body, string returns = "int")
    {
        (IOperation operation, ISymbol method, Compilation compilation) = Bind(body, returns);
        Assert.True(TreeFlow.Qualifies(operation, [], new InertLoops(operation, RuntimeSymbols.TryCreate(compilation)!).Contains));
        return LifetimeAnalysis.For(compilation, RuntimeSymbols.TryCreate(compilation)!).FindingsOf(method, operation, default);
    }

    private static (IOperation Body, ISymbol Method, Compilation Compilation) Bind(string body, string returns)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(Prelude + "    " + returns + " Work(int length)\n    {\n" + body + "\n    }\n\n    private static bool Take(out int value) => (value = 1) > 0;\n}\n", TestProjects.ParseOptions);
        var compilation = CSharpCompilation.Create("Walk", [tree], [.. TestProjects.Framework, TestProjects.Runtime], TestProjects.CompilationOptions.WithAllowUnsafe(true));
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        MethodDeclarationSyntax method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == "Work");
        return (model.GetOperation(method)!, model.GetDeclaredSymbol(method)!, compilation);
    }
}
