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
    public void StructuredShapes_WalkedWithoutAGraph(string shape, string body)
    {
        Assert.NotNull(shape);
        Assert.True(Qualifies(body));
    }

    [Theory]
    [InlineData("A loop", """
        for (int i = 0; i < length; i++)
        {
            _kept = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        }

        return 0;
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
        SyntaxTree tree = CSharpSyntaxTree.ParseText(Prelude + "    " + returns + " Work(int length)\n    {\n" + body + "\n    }\n}\n", TestProjects.ParseOptions);
        var compilation = CSharpCompilation.Create("Walk", [tree], [.. TestProjects.Framework, TestProjects.Runtime], TestProjects.CompilationOptions.WithAllowUnsafe(true));
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        MethodDeclarationSyntax method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == "Work");
        return (model.GetOperation(method)!, model.GetDeclaredSymbol(method)!, compilation);
    }
}
