using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql.Interprocedural;

/// <summary>
/// Computes member flows that depend on the exit IRQL of the methods they call, for one request of the
/// engine. Methods that call one another in a cycle form a strongly connected component (found with
/// Tarjan's algorithm as the calls are met); the flows of a component are recomputed together, each
/// exit IRQL starting at "unchanged" and only growing, until none changes, and are published together.
/// A flow is therefore the same whichever member of its component was asked for first.
/// </summary>
internal sealed class ExitComputation(IrqlEngine engine)
{
    private const int MaxComponentRounds = 16;

    private readonly Dictionary<ISymbol, Node> _nodes = new(SymbolEqualityComparer.Default);
    private readonly Stack<Node> _stack = new();
    private readonly Stack<Node> _active = new();
    private int _nextIndex;

    /// <summary>Forgets a request's half-built components (a cancelled request leaves some), ready for the next.</summary>
    public void Clear()
    {
        _nodes.Clear();
        _stack.Clear();
        _active.Clear();
        _nextIndex = 0;
    }

    /// <summary>The exit IRQL of a finished flow: null when the member leaves the IRQL as it found it; unknown when its analysis gave up.</summary>
    public static IrqlValue? ExitOf(MemberFlow flow)
        => !flow.Body.Analyzed ? IrqlValue.Unknowable
            : flow.Body.ExitValue.IsEntry ? null
            : flow.Body.ExitValue;

    /// <summary>The exit IRQL of <paramref name="method"/> (asked while another flow is built).</summary>
    public IrqlValue? ExitOf(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (_nodes.TryGetValue(method, out Node? node))
        {
            // In the component being built: its current estimate.
            if (node.OnStack && _active.Count > 0)
            {
                Node caller = _active.Peek();
                caller.Low = System.Math.Min(caller.Low, node.Index);
                caller.Recursive |= ReferenceEquals(caller, node);
            }

            return node.Exit is { IsEntry: false } estimate ? estimate : null;
        }

        MemberFlow flow = Compute(method, null, cancellationToken);
        if (_nodes.TryGetValue(method, out Node? child) && _active.Count > 0)
        {
            Node caller = _active.Peek();
            caller.Low = System.Math.Min(caller.Low, child.Low);
            return child.Exit is { IsEntry: false } estimate ? estimate : null;
        }

        return ExitOf(flow);
    }

    /// <summary>Computes and publishes the flow of <paramref name="member"/> (and of its component).</summary>
    public MemberFlow Compute(ISymbol member, IOperation? body, CancellationToken cancellationToken)
    {
        body ??= engine.BindBody(member, cancellationToken);
        if (body is null)
        {
            // Only methods with a declaration get here (callees with a source body, declarations found by the index).
            SyntaxNode declaration = member.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
            var empty = new MemberFlow(member, [new FunctionFacts(member, FunctionKind.Member, declaration, engine.ContractOf(member), [], [], [], IrqlValue.Entry, analyzed: false)]);
            engine.Publish(member, empty);
            return empty;
        }

        var node = new Node(member, body, _nextIndex++);
        _nodes.Add(member, node);
        _stack.Push(node);
        Build(node, cancellationToken);
        if (node.Low == node.Index && ReferenceEquals(_stack.Peek(), node))
        {
            // A component of one member, the usual case: settled (when it calls itself) and published alone.
            _stack.Pop();
            node.OnStack = false;
            if (node.Recursive)
            {
                Settle([node], cancellationToken);
            }

            engine.Publish(member, node.Flow!);
            _nodes.Remove(member);
        }
        else if (node.Low == node.Index)
        {
            var component = new List<Node>();
            Node popped;
            do
            {
                popped = _stack.Pop();
                popped.OnStack = false;
                component.Add(popped);
            }
            while (!ReferenceEquals(popped, node));

            if (component.Count > 1 || node.Recursive)
            {
                Settle(component, cancellationToken);
            }

            foreach (Node settled in component)
            {
                engine.Publish(settled.Member, settled.Flow!);
                _nodes.Remove(settled.Member);
            }
        }

        return node.Flow!;
    }

    private void Build(Node node, CancellationToken cancellationToken)
    {
        _active.Push(node);
        try
        {
            node.Flow = MemberFlowBuilder.Build(node.Member, node.Body, engine, cancellationToken);
        }
        finally
        {
            _active.Pop();
        }

        IrqlValue exit = Exit(node.Flow);
        node.Exit = node.Exit is { } previous ? previous.Union(exit) : exit;
    }

    /// <summary>Recomputes a component's flows, in source order, until no exit IRQL grows.</summary>
    private void Settle(List<Node> component, CancellationToken cancellationToken)
    {
        component.Sort((left, right) =>
        {
            SyntaxNode a = left.Body.Syntax, b = right.Body.Syntax;
            int byFile = string.CompareOrdinal(a.SyntaxTree.FilePath, b.SyntaxTree.FilePath);
            return byFile != 0 ? byFile : a.SpanStart.CompareTo(b.SpanStart);
        });
        for (int round = 0; round < MaxComponentRounds; round++)
        {
            bool changed = false;
            foreach (Node member in component)
            {
                IrqlValue? before = member.Exit;
                Build(member, cancellationToken);
                changed |= !member.Exit.Equals(before);
            }

            if (!changed)
            {
                return;
            }
        }
    }

    private static IrqlValue Exit(MemberFlow flow) => !flow.Body.Analyzed ? IrqlValue.Unknowable : flow.Body.ExitValue;

    private sealed class Node(ISymbol member, IOperation body, int index)
    {
        public ISymbol Member { get; } = member;

        public IOperation Body { get; } = body;

        public int Index { get; } = index;

        public int Low { get; set; } = index;

        public bool OnStack { get; set; } = true;

        public bool Recursive { get; set; }

        /// <summary>The exit IRQL so far (null before the first build, when calls back to it assume "unchanged"); it only grows.</summary>
        public IrqlValue? Exit { get; set; }

        public MemberFlow? Flow { get; set; }
    }
}
