using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>
/// What the IRQL engine needs to know about a called method, resolved once per method and compilation:
/// its row of the routine table when it is a runtime routine, and its IRQL contract (for a delegate's
/// <c>Invoke</c>, the delegate type's).
/// </summary>
internal sealed class Callee
{
    public Callee(IMethodSymbol method, RuntimeRoutine? routine, IrqlContract contract, bool hasSourceBody)
    {
        Method = method;
        Routine = routine;
        Contract = contract;
        HasSourceBody = hasSourceBody;
    }

    public IMethodSymbol Method { get; }

    public RuntimeRoutine? Routine { get; }

    public IrqlContract Contract { get; }

    /// <summary>A method of this compilation whose body the engine can analyze (not a local function: those belong to their member).</summary>
    public bool HasSourceBody { get; }

    /// <summary>True when a call to it matters to the IRQL rules by itself: a runtime routine, or a method or delegate with IRQL attributes.</summary>
    public bool IsIrqlRelevant => Routine is not null || Contract.IsAnnotated;

    /// <summary>True when the call changes the IRQL or takes or releases a spin lock, so the function needs a control-flow graph.</summary>
    public bool ChangesState
        => Contract.ChangesIrqlByContract
            || Routine?.Kind is RoutineKind.IrqlRaise or RoutineKind.IrqlLower or RoutineKind.SpinLockAcquire or RoutineKind.SpinLockRelease;

    /// <summary><c>KeGetCurrentIrql</c>: a comparison with its result narrows the IRQL on each branch.</summary>
    public bool QueriesIrql => Routine?.Kind == RoutineKind.IrqlQuery;

    public static Callee Resolve(IMethodSymbol method, RuntimeSymbols symbols)
    {
        RuntimeRoutine? routine = symbols.Classify(method);
        IrqlContract contract = method is { MethodKind: MethodKind.DelegateInvoke, ContainingType: { } delegateType }
            ? IrqlContract.Of(delegateType)
            : IrqlContract.Of(method);
        return new Callee(method, routine, contract, HasBody(method));
    }

    private static bool HasBody(IMethodSymbol method)
    {
        if (method.IsAbstract || method.IsExtern || method.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction or MethodKind.DelegateInvoke)
        {
            return false;
        }

        IMethodSymbol implementation = method.PartialImplementationPart ?? method;
        if (implementation.IsPartialDefinition)
        {
            return false;
        }

        foreach (SyntaxReference reference in implementation.DeclaringSyntaxReferences)
        {
            return reference.SyntaxTree is not null;
        }

        return false;
    }
}
