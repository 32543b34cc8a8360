using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Lifetime;

/// <summary>
/// The loops of a body that no block passes through: nothing in them allocates, and no local they read or
/// write can ever hold a block. The lifetime analysis treats them as nothing at all: their branches are not
/// steps of any block's path (<see cref="LifetimeDomain"/>), so a graph leaves them with the state it
/// entered them with, and <see cref="Flow.TreeFlow"/> steps over them without a graph when no other loop
/// encloses them (inside a loop, the graph joins what each iteration brings to them, which the walk then follows).
/// </summary>
/// <remarks>
/// A loop qualifies only when its normal exit is reached the way the tree walk assumes: a <c>foreach</c>, or a
/// loop with a condition that is not constant. Nothing in it may return, jump with <c>goto</c>, await, make a
/// function (lambda, local function), take an address or enter a <c>try</c>, <c>using</c> or <c>lock</c>
/// (whose handlers and finallies a graph routes differently).
/// </remarks>
internal sealed class InertLoops(IOperation body, RuntimeSymbols symbols)
{
    private HashSet<SyntaxNode>? _syntax;
    private bool _found;

    /// <summary>The syntax of each inert loop, when a loop has been asked about (<see cref="Contains"/>) or the set computed; otherwise null.</summary>
    public HashSet<SyntaxNode>? Found => _found ? _syntax : null;

    /// <summary>The syntax of each inert loop of the body (found on first use); null when it has none.</summary>
    public HashSet<SyntaxNode>? All()
    {
        if (!_found)
        {
            _syntax = Of(body, symbols);
            _found = true;
        }

        return _syntax;
    }

    /// <summary>True when <paramref name="loop"/> is inert: the first loop asked about finds them all, a body without loops pays nothing.</summary>
    public bool Contains(ILoopOperation loop) => All() is { } syntax && syntax.Contains(loop.Syntax);

    private static HashSet<SyntaxNode>? Of(IOperation body, RuntimeSymbols symbols)
    {
        List<ILoopOperation>? loops = null;
        List<(ILocalSymbol Local, IOperation Value)>? stores = null;
        Collect(body, ref loops, ref stores);
        if (loops is null)
        {
            return null;
        }

        HashSet<ILocalSymbol> mayHold = MayHold(stores, symbols);
        HashSet<SyntaxNode>? inert = null;
        foreach (ILoopOperation loop in loops)
        {
            if (ExitsNormally(loop) && loop.All((MayHold: mayHold, Symbols: symbols), static (node, known) => !Touches(node, known.MayHold, known.Symbols)))
            {
                (inert ??= []).Add(loop.Syntax);
            }
        }

        return inert;
    }

    private static void Collect(IOperation operation, ref List<ILoopOperation>? loops, ref List<(ILocalSymbol Local, IOperation Value)>? stores)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            switch (child)
            {
                case ILoopOperation loop:
                    (loops ??= []).Add(loop);
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment:
                    (stores ??= []).Add((target.Local, assignment.Value));
                    break;
                case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator:
                    (stores ??= []).Add((declarator.Symbol, value));
                    break;
            }

            Collect(child, ref loops, ref stores);
        }
    }

    /// <summary>The locals that may hold a block: stored a value that allocates or reads such a local (to a fixed point).</summary>
    private static HashSet<ILocalSymbol> MayHold(List<(ILocalSymbol Local, IOperation Value)>? stores, RuntimeSymbols symbols)
    {
        var mayHold = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        if (stores is null)
        {
            return mayHold;
        }

        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach ((ILocalSymbol local, IOperation value) in stores)
            {
                if (!mayHold.Contains(local) && !value.All((MayHold: mayHold, Symbols: symbols), static (node, known) => !Carries(node, known.MayHold, known.Symbols)))
                {
                    mayHold.Add(local);
                    grew = true;
                }
            }
        }

        return mayHold;
    }

    private static bool Carries(IOperation node, HashSet<ILocalSymbol> mayHold, RuntimeSymbols symbols) => node switch
    {
        IInvocationOperation invocation => symbols.Classify(invocation.TargetMethod) is { ReturnsBlock: true },
        ILocalReferenceOperation local => mayHold.Contains(local.Local),
        _ => false,
    };

    private static bool ExitsNormally(ILoopOperation loop) => loop switch
    {
        IForEachLoopOperation => true,
        IWhileLoopOperation { Condition: { ConstantValue.HasValue: false } } => true,
        IForLoopOperation { Condition: { ConstantValue.HasValue: false } } => true,
        _ => false,
    };

    private static bool Touches(IOperation node, HashSet<ILocalSymbol> mayHold, RuntimeSymbols symbols) => node switch
    {
        IInvocationOperation or ILocalReferenceOperation => Carries(node, mayHold, symbols),
        IVariableDeclaratorOperation declarator => mayHold.Contains(declarator.Symbol),
        IReturnOperation or IBranchOperation { BranchKind: BranchKind.GoTo } or ILabeledOperation or IAwaitOperation => true,
        IAnonymousFunctionOperation or ILocalFunctionOperation or IAddressOfOperation => true,
        ITryOperation or IUsingOperation or IUsingDeclarationOperation or ILockOperation => true,
        _ => false,
    };
}
