using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PoolAnalyzers.Irql;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Irql;

/// <summary>
/// Which bodies the IRQL engine follows without a control-flow graph, and what it finds there. That the
/// facts equal the graph's is checked on every body of every test (<see cref="WalkCheckOn"/>);
/// these tests pin down the shapes taken and refused.
/// </summary>
public sealed class StructuredWalkTests
{
    private const string Prelude = """
        using System.Collections.Generic;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.Ke;
        using static PoolAnalyzers.Runtime.KIRQL;
        using static PoolAnalyzers.Runtime.POOL_FLAGS;

        class Device
        {
            private readonly KSPIN_LOCK _lock = new();
            private readonly List<nint> _list = new();
            private nint[] _array = [];
            private nint _buffer;

        """;

    [Theory]
    [InlineData("Lock, work, unlock", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        _buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Tag1");
        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("A branch and a loop between lock and unlock", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        if (_buffer != 0)
        {
            _list.Add(_buffer);
        }

        for (int i = 0; i < _list.Count; i++)
        {
            _buffer += _list[i];
        }

        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("Returns inside try, release in finally", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        try
        {
            if (_buffer == 0)
            {
                return;
            }

            _list.Add(_buffer);
        }
        finally
        {
            KeReleaseSpinLock(_lock, oldIrql);
        }
        """)]
    [InlineData("Raise and lower around foreach over an array", """
        KIRQL irql = KeRaiseIrqlToDpcLevel();
        foreach (nint item in _array)
        {
            _list.Add(item);
        }

        KeLowerIrql(irql);
        """)]
    [InlineData("An early return before the lock", """
        if (_buffer == 0)
        {
            return;
        }

        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        _list.Clear();
        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    public void StraightShapes_WalkedWithoutAGraph(string shape, string body)
    {
        Assert.NotNull(shape);
        (FunctionFacts? facts, _) = Walk(body);

        Assert.NotNull(facts);
        Assert.True(facts.Analyzed);
        Assert.All(facts.Exits, exit => Assert.True(exit.Path.IsClean));
    }

    [Fact]
    public void ConstantReturnsInsideTry_WalkedWithoutAGraph()
    {
        // A returned true or false is no condition: nothing for a graph to fold.
        (FunctionFacts? facts, _) = Walk("""
            KeAcquireSpinLock(_lock, out KIRQL oldIrql);
            try
            {
                if (_buffer == 0)
                {
                    return false;
                }

                _list.Add(_buffer);
                return true;
            }
            finally
            {
                KeReleaseSpinLock(_lock, oldIrql);
            }
            """, returns: "bool");

        Assert.NotNull(facts);
        Assert.Equal(2, facts.Exits.Length);
        Assert.All(facts.Exits, exit => Assert.True(exit.Path.IsClean));
    }

    [Theory]
    [InlineData("Lock left held on one path", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        if (_buffer == 0)
        {
            return;
        }

        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("A lock taken inside a branch", """
        if (_buffer != 0)
        {
            KeAcquireSpinLock(_lock, out KIRQL oldIrql);
            KeReleaseSpinLock(_lock, oldIrql);
        }
        """)]
    [InlineData("A bool condition between lock and unlock", """
        bool empty = _buffer == 0;
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        if (empty)
        {
            _list.Clear();
        }

        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("foreach over a list (its enumerator is called)", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        foreach (nint item in _list)
        {
            _buffer += item;
        }

        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("A saved IRQL overwritten in a branch", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        if (_buffer == 0)
        {
            oldIrql = PASSIVE_LEVEL;
        }

        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("A constant condition", """
        KeAcquireSpinLock(_lock, out KIRQL oldIrql);
        if (false)
        {
            _list.Clear();
        }

        KeReleaseSpinLock(_lock, oldIrql);
        """)]
    [InlineData("An IRQL test", """
        if (KeGetCurrentIrql() == PASSIVE_LEVEL)
        {
            KeAcquireSpinLock(_lock, out KIRQL oldIrql);
            KeReleaseSpinLock(_lock, oldIrql);
        }
        """)]
    [InlineData("A constant IRQL stored in a variable", """
        KIRQL target = DISPATCH_LEVEL;
        KeRaiseIrql(target, out KIRQL oldIrql);
        KeLowerIrql(oldIrql);
        """)]
    public void OtherShapes_LeftToTheGraph(string shape, string body)
    {
        Assert.NotNull(shape);
        (FunctionFacts? facts, _) = Walk(body);

        Assert.Null(facts);
    }

    [Fact]
    public void CallsUnderTheLock_RecordedAtDispatchLevel()
    {
        (FunctionFacts? facts, _) = Walk("""
            KeAcquireSpinLock(_lock, out KIRQL oldIrql);
            if (_buffer == 0)
            {
                _buffer = ExAllocatePool2(POOL_FLAG_PAGED, 64, "Tag1");
            }

            KeReleaseSpinLock(_lock, oldIrql);
            _buffer = ExAllocatePool2(POOL_FLAG_PAGED, 64, "Tag2");
            """);

        Assert.NotNull(facts);
        CallFact[] allocations = [.. facts.Calls.Where(call => call.Callee.Method.Name == "ExAllocatePool2")];
        Assert.Equal(2, allocations.Length);
        Assert.Equal(IrqlValue.Level(IrqlLevels.Dispatch), Assert.Single(allocations[0].States).Irql);
        Assert.Equal(OriginKind.SpinLock, allocations[0].States[0].Reason?.Kind);
        Assert.Equal(IrqlValue.Entry, Assert.Single(allocations[1].States).Irql);
    }

    private static (FunctionFacts? Facts, IrqlEngine Engine) Walk(string body, string returns = "void")
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(Prelude + "    " + returns + " Work()\n    {\n" + body + "\n    }\n}\n", TestProjects.ParseOptions);
        var compilation = CSharpCompilation.Create("Walk", [tree], [.. TestProjects.Framework, TestProjects.Runtime], TestProjects.CompilationOptions);
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        SemanticModel model = compilation.GetSemanticModel(tree);
        MethodDeclarationSyntax method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        var engine = IrqlEngine.For(compilation, RuntimeSymbols.TryCreate(compilation)!);
        return (StructuredWalk.TryAnalyze(model.GetDeclaredSymbol(method)!, model.GetOperation(method)!, engine), engine);
    }
}
