using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Irql;

/// <summary>
/// The IRQL transfer functions: what each call, assignment and condition does to the IRQL, the spin
/// locks held and the saved IRQLs of every path class.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A call first has its requirement recorded at the current state, then takes effect: parameters
/// marked <c>[IrqlSaves]</c> receive the current IRQL; <c>[IrqlRaises(x)]</c> sets x; a parameter
/// marked <c>[IrqlRestores]</c> sets the IRQL saved in the argument (paired by the argument's
/// <see cref="AccessPath"/>), or the constant it holds. Runtime spin-lock routines (the routine table's
/// kinds) also take or release the lock named by their <c>SpinLock</c> argument or queue handle.
/// <c>KeRaiseIrql</c> raises to its constant <c>NewIrql</c>.</item>
/// <item>A direct call to a method of the project applies that method's exit IRQL; a call dispatched at
/// run time to a name some method of the project changes the IRQL under makes the IRQL unknown.</item>
/// <item>A branch on a bool local narrows the path classes to those where it has that value; a branch
/// on <c>KeGetCurrentIrql()</c> (or a local holding it) compared with a constant narrows the IRQL.</item>
/// </list>
/// Lambdas and local functions are not entered: they are functions of their own.
/// </remarks>
internal sealed class IrqlDomain(IIrqlContext context, IReadOnlyDictionary<IMethodSymbol, IrqlValue> localExits) : FlowDomain<IrqlState>
{
    /// <summary>Set during the final pass: receives every relevant call and conversion.</summary>
    public FunctionRecorder? Recorder { get; set; }

    public override IrqlState Join(IrqlState left, IrqlState right) => IrqlState.Join(left, right);

    public override bool Same(IrqlState left, IrqlState right) => IrqlState.Same(left, right);

    public override IrqlState Transfer(IrqlState state, IOperation operation)
        => state.Map(static (path, step) => step.Domain.Walk(path, step.Operation), (Domain: this, Operation: operation)) ?? state;

    public override IrqlState? Branch(IrqlState state, IOperation condition, bool value)
        => state.Map(static (path, step) => step.Domain.Narrow(path, step.Condition, step.Value)?.WithStep(step.Condition.Syntax, step.Value), (Domain: this, Condition: condition, Value: value));

    /// <summary>The path after evaluating <paramref name="operation"/> and everything nested in it, in evaluation order.</summary>
    public IrqlPath Walk(IrqlPath path, IOperation operation)
    {
        // By kind, then a cast: every operation of every body with IRQL changes passes here.
        switch (operation.Kind)
        {
            case OperationKind.Invocation:
                var invocation = (IInvocationOperation)operation;
                path = WalkOperands(path, invocation);
                return Call(path, invocation);
            case OperationKind.ObjectCreation:
                var creation = (IObjectCreationOperation)operation;
                foreach (IArgumentOperation argument in creation.Arguments)
                {
                    path = Walk(path, argument.Value);
                }

                path = Construct(path, creation);
                return creation.Initializer is null ? path : Walk(path, creation.Initializer);
            case OperationKind.SimpleAssignment:
                return Assign(path, (ISimpleAssignmentOperation)operation);
            case OperationKind.DelegateCreation:
                var delegateCreation = (IDelegateCreationOperation)operation;
                RecordConversion(delegateCreation);
                return delegateCreation.Target is IMethodReferenceOperation { Instance: { } instance } ? Walk(path, instance) : path;
            case OperationKind.AnonymousFunction or OperationKind.FlowAnonymousFunction or OperationKind.LocalFunction:
                return path;
            case OperationKind.CompoundAssignment or OperationKind.CoalesceAssignment or OperationKind.Increment or OperationKind.Decrement or OperationKind.DeconstructionAssignment:
                path = WalkChildren(path, operation);
                return ForgetWritten(path, operation.ChildOperations.Count > 0 ? First(operation) : null);
            default:
                return WalkChildren(path, operation);
        }
    }

    /// <summary>
    /// Records, at <paramref name="path"/>, what <see cref="Walk"/> records for one call, creation or conversion
    /// that cannot change the state (its callee changes nothing, may change nothing, queries nothing): the
    /// deciding operations of a body without IRQL changes, or of a quiet statement, read from its body scan.
    /// </summary>
    public void RecordInPlace(IrqlPath path, IOperation operation)
    {
        switch (operation.Kind)
        {
            case OperationKind.Invocation when Recorder is not null:
                var invocation = (IInvocationOperation)operation;
                IMethodSymbol target = invocation.TargetMethod.OriginalDefinition;
                Callee callee = context.CalleeOf(target);
                if (IsRecorded(callee, target))
                {
                    Recorder.Call(invocation, callee, IsDispatched(invocation, target), path, checksRequirement: true);
                }

                break;
            case OperationKind.ObjectCreation when Recorder is not null && ((IObjectCreationOperation)operation).Constructor?.OriginalDefinition is { } constructor:
                Callee created = context.CalleeOf(constructor);
                if (IsRecorded(created, constructor))
                {
                    Recorder.Call(operation, created, isVirtual: false, path, checksRequirement: true);
                }

                break;
            case OperationKind.DelegateCreation:
                RecordConversion((IDelegateCreationOperation)operation);
                break;
        }
    }

    private IrqlPath WalkChildren(IrqlPath path, IOperation operation)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            path = Walk(path, child);
        }

        return path;
    }

    private IrqlPath WalkOperands(IrqlPath path, IInvocationOperation invocation)
    {
        if (invocation.Instance is { } instance)
        {
            path = Walk(path, instance);
        }

        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            path = Walk(path, argument.Value);
            if (argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref)
            {
                path = ForgetWritten(path, argument.Value);
            }
        }

        return path;
    }

    private IrqlPath Call(IrqlPath path, IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod.OriginalDefinition;
        Callee callee = context.CalleeOf(target);
        bool dispatched = IsDispatched(invocation, target);
        RuntimeRoutine? routine = callee.Routine;
        bool isRelease = routine?.Kind == RoutineKind.SpinLockRelease;
        int held = isRelease ? FindHeld(path, invocation, routine!) : -1;
        if (Recorder is not null && IsRecorded(callee, target))
        {
            Recorder.Call(invocation, callee, dispatched, path, checksRequirement: !isRelease || held >= 0);
        }

        if (!callee.ChangesState)
        {
            return ApplyExit(path, invocation, target, callee, dispatched);
        }

        path = Save(path, invocation, callee.Contract, path.Irql, path.Reason);
        string name = target.Name;
        switch (routine?.Kind)
        {
            case RoutineKind.SpinLockAcquire:
                bool queued = routine.Has(RoutineTraits.Queued);
                var acquired = Origin.Change(queued ? OriginKind.QueuedSpinLock : OriginKind.SpinLock, invocation.Syntax, name);
                var @lock = new HeldLock(PathOf(invocation, routine.Target), PathOf(invocation, routine.Handle), queued, acquired);
                path = path.WithHeld(path.Held.Add(@lock));
                return callee.Contract.Raises is { } lockLevel ? path.WithIrql(IrqlValue.Level(lockLevel), acquired) : path;
            case RoutineKind.SpinLockRelease:
                if (held >= 0)
                {
                    path = path.WithHeld(path.Held.RemoveAt(held));
                }

                return callee.Contract.RestoresParameter >= 0 ? Restore(path, invocation, callee.Contract.RestoresParameter, name) : path;
        }

        if (callee.Contract.Raises is { } raises)
        {
            return path.WithIrql(IrqlValue.Level(raises), Origin.Change(routine is null ? OriginKind.Callee : OriginKind.Raise, invocation.Syntax, name));
        }

        if (routine is { Kind: RoutineKind.IrqlRaise, Irql: { } irqlParameter })
        {
            return invocation.GetArgument(irqlParameter) is { } argument && ConstantLevel(argument.Value) is { } level
                ? path.WithIrql(IrqlValue.Level(level), Origin.Change(OriginKind.Raise, invocation.Syntax, name))
                : path.WithIrql(IrqlValue.Unknowable, null);
        }

        return callee.Contract.RestoresParameter >= 0 ? Restore(path, invocation, callee.Contract.RestoresParameter, name) : path;
    }

    /// <summary>True when a call to <paramref name="target"/> is recorded: the rules check it, or it is a call site of a function the engine analyzes.</summary>
    public static bool IsRecorded(Callee callee, IMethodSymbol target) => callee.IsIrqlRelevant || callee.HasSourceBody || target.MethodKind == MethodKind.LocalFunction;

    /// <summary>True when the method a call runs is chosen at run time (virtual dispatch or a delegate).</summary>
    public static bool IsDispatched(IInvocationOperation invocation, IMethodSymbol target) => invocation.IsVirtual || target.MethodKind == MethodKind.DelegateInvoke;

    /// <summary>A call that changes nothing by contract: a method of the project applies its exit IRQL; a call dispatched at run time may make the IRQL unknown.</summary>
    private IrqlPath ApplyExit(IrqlPath path, IOperation call, IMethodSymbol target, Callee callee, bool dispatched)
    {
        IrqlValue? exit = null;
        if (target.MethodKind == MethodKind.LocalFunction)
        {
            exit = localExits.TryGetValue(target, out IrqlValue local) ? local : null;
        }
        else if (dispatched)
        {
            exit = context.MayChangeIrql(target) ? IrqlValue.Unknowable : null;
        }
        else if (callee.HasSourceBody && !callee.Contract.RequiresSame)
        {
            exit = context.ExitOf(target);
        }

        if (exit is not { } value || value.IsEntry)
        {
            return path;
        }

        Origin? reason = value.Levels != 0 ? Origin.Change(OriginKind.Callee, call.Syntax, target.MethodKind == MethodKind.Constructor ? target.ContainingType.Name : target.Name) : value.Unknown ? null : path.Reason;
        return path.WithIrql(value.AppliedTo(path.Irql), reason);
    }

    private IrqlPath Construct(IrqlPath path, IObjectCreationOperation creation)
    {
        if (creation.Constructor?.OriginalDefinition is not { } constructor)
        {
            return path;
        }

        Callee callee = context.CalleeOf(constructor);
        if (Recorder is not null && IsRecorded(callee, constructor))
        {
            Recorder.Call(creation, callee, isVirtual: false, path, checksRequirement: true);
        }

        if (!callee.ChangesState)
        {
            return ApplyExit(path, creation, constructor, callee, dispatched: false);
        }

        path = Save(path, creation, callee.Contract, path.Irql, path.Reason);
        if (callee.Contract.Raises is { } raises)
        {
            return path.WithIrql(IrqlValue.Level(raises), Origin.Change(OriginKind.Callee, creation.Syntax, constructor.ContainingType.Name));
        }

        return callee.Contract.RestoresParameter >= 0 ? Restore(path, creation, callee.Contract.RestoresParameter, constructor.ContainingType.Name) : path;
    }

    private IrqlPath Assign(IrqlPath path, ISimpleAssignmentOperation assignment)
        => Store(path, AccessPath.Of(assignment.Target), assignment.Target, declared: null, assignment.Value, assignment.Syntax);

    /// <summary>
    /// A local declared with an initializer, as a graph sees it: an assignment to the local. For walks of
    /// the operation tree itself, where the declaration is not lowered (<see cref="StructuredWalk"/>).
    /// </summary>
    public IrqlPath Declare(IrqlPath path, IVariableDeclaratorOperation declarator, IOperation initializer)
        => Store(path, AccessPath.OfDeclared(declarator.Symbol, declarator.Syntax), target: null, declarator.Symbol, initializer, declarator.Syntax);

    /// <summary>A store of <paramref name="assigned"/> into <paramref name="target"/> (or the newly <paramref name="declared"/> local), whose path is <paramref name="slot"/>.</summary>
    private IrqlPath Store(IrqlPath path, AccessPath? slot, IOperation? target, ILocalSymbol? declared, IOperation assigned, SyntaxNode syntax)
    {
        IOperation value = Unwrap(assigned);
        if (value is IInvocationOperation invocation && context.CalleeOf(invocation.TargetMethod.OriginalDefinition).Contract.SavesReturn)
        {
            // [return: IrqlSaves]: the variable receives the IRQL current before the call.
            path = WalkOperands(path, invocation);
            IrqlValue before = path.Irql;
            Origin? reason = path.Reason;
            path = Call(path, invocation);
            path = Forget(path, target, declared);
            return slot is null ? path : path.WithSaved(slot, before, reason);
        }

        path = Walk(path, assigned);
        if (target is not (null or ILocalReferenceOperation or IParameterReferenceOperation))
        {
            path = WalkChildren(path, target);
        }

        path = Forget(path, target, declared);
        if (slot is null)
        {
            return path;
        }

        if (slot.Variable is { } variable)
        {
            if (value.ConstantValue is { HasValue: true, Value: bool flag })
            {
                path = path.WithFacts(path.Facts.Add(new PathFact(variable, holdsCurrentIrql: false, flag)));
            }
            else if (value is IInvocationOperation query && context.CalleeOf(query.TargetMethod.OriginalDefinition).QueriesIrql)
            {
                path = path.WithFacts(path.Facts.Add(new PathFact(variable, holdsCurrentIrql: true, value: false)));
            }
        }

        if (ConstantLevel(value) is { } level && IsIrqlType(target?.Type ?? declared?.Type))
        {
            return path.WithSaved(slot, IrqlValue.Level(level), Origin.Change(OriginKind.Set, syntax, slot.Text));
        }

        if (!path.Saved.IsEmpty && AccessPath.Of(value) is { } source && path.SavedIn(source) is { } copied)
        {
            return path.WithSaved(slot, copied.Value, copied.Reason);
        }

        return path.SavedIn(slot) is null ? path : path.WithSaved(slot, IrqlValue.Unknowable, null);
    }

    private static IrqlPath Forget(IrqlPath path, IOperation? target, ILocalSymbol? declared)
        => declared is null ? ForgetWritten(path, target) : path.Facts.IsEmpty ? path : path.Forget(declared);

    /// <summary>Stores the IRQL current at the call into every argument of an <c>[IrqlSaves]</c> parameter.</summary>
    private static IrqlPath Save(IrqlPath path, IOperation call, IrqlContract contract, IrqlValue current, Origin? reason)
    {
        foreach (int ordinal in contract.SavesParameters)
        {
            if (ArgumentAt(call, ordinal) is { } argument && AccessPath.Of(argument.Value) is { } slot)
            {
                path = path.WithSaved(slot, current, reason);
            }
        }

        return path;
    }

    /// <summary>Sets the IRQL the <c>[IrqlRestores]</c> argument holds: what was saved in it, the constant it is, or unknown.</summary>
    private static IrqlPath Restore(IrqlPath path, IOperation call, int ordinal, string routine)
    {
        if (ArgumentAt(call, ordinal) is not { } argument)
        {
            return path.WithIrql(IrqlValue.Unknowable, null);
        }

        if (AccessPath.Of(argument.Value) is { } slot && path.SavedIn(slot) is { } saved)
        {
            // A constant stored in the variable is set by this call, not by the assignment.
            Origin? reason = saved.Reason is { Kind: OriginKind.Set } ? Origin.Change(OriginKind.Set, call.Syntax, routine) : saved.Reason;
            return path.WithIrql(saved.Value, reason);
        }

        return ConstantLevel(argument.Value) is { } level
            ? path.WithIrql(IrqlValue.Level(level), Origin.Change(OriginKind.Set, call.Syntax, routine))
            : path.WithIrql(IrqlValue.Unknowable, null);
    }

    /// <summary>The held lock a release call gives back: matched by queue handle or lock path, most recent first; -1 when the path holds none that matches.</summary>
    private static int FindHeld(IrqlPath path, IInvocationOperation invocation, RuntimeRoutine routine)
    {
        bool queued = routine.Has(RoutineTraits.Queued);
        AccessPath? key = queued ? PathOf(invocation, routine.Handle) : PathOf(invocation, routine.Target);
        for (int i = path.Held.Length - 1; i >= 0; i--)
        {
            HeldLock held = path.Held[i];
            AccessPath? candidate = queued ? held.Handle : held.Lock;
            if (held.Queued == queued && (key is null || candidate is null || key.Equals(candidate)))
            {
                return i;
            }
        }

        return -1;
    }

    private IrqlPath? Narrow(IrqlPath path, IOperation condition, bool value)
    {
        condition = Unwrap(condition);
        switch (condition)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Narrow(path, not.Operand, !value);
            case ILocalReferenceOperation or IParameterReferenceOperation when condition.Type?.SpecialType == SpecialType.System_Boolean:
                ISymbol variable = condition is ILocalReferenceOperation local ? local.Local : ((IParameterReferenceOperation)condition).Parameter;
                if (path.FactAbout(variable) is { } fact)
                {
                    return !fact.HoldsCurrentIrql && fact.Value != value ? null : path;
                }

                return path.WithFacts(path.Facts.Add(new PathFact(variable, holdsCurrentIrql: false, value)));
            case IBinaryOperation binary when CurrentIrqlComparison(path, binary) is { } allowed:
                IrqlValue narrowed = path.Irql.Restrict(value ? allowed : (ushort)~allowed);
                if (narrowed.Levels == 0 && narrowed.EntryMask == 0 && !narrowed.Unknown)
                {
                    return null;
                }

                return new IrqlPath(narrowed, path.Reason, path.Held, path.Saved, path.Steps, path.Facts);
            default:
                return path;
        }
    }

    /// <summary>For <c>KeGetCurrentIrql() &lt;= APC_LEVEL</c> and its variants (a local holding it, the constant on either side): the levels for which it is true.</summary>
    private ushort? CurrentIrqlComparison(IrqlPath path, IBinaryOperation binary)
    {
        IOperation left = Unwrap(binary.LeftOperand);
        IOperation right = Unwrap(binary.RightOperand);
        BinaryOperatorKind kind = binary.OperatorKind;
        int? constant;
        if (IsCurrentIrql(path, left) && (constant = ConstantLevel(right)) is not null)
        {
        }
        else if (IsCurrentIrql(path, right) && (constant = ConstantLevel(left)) is not null)
        {
            kind = kind switch
            {
                BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
                BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
                BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
                BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
                _ => kind,
            };
        }
        else
        {
            return null;
        }

        int c = constant.Value;
        return kind switch
        {
            BinaryOperatorKind.LessThan => IrqlLevels.Range(IrqlLevels.Passive, c - 1),
            BinaryOperatorKind.LessThanOrEqual => IrqlLevels.Range(IrqlLevels.Passive, c),
            BinaryOperatorKind.GreaterThan => IrqlLevels.Range(c + 1, IrqlLevels.High),
            BinaryOperatorKind.GreaterThanOrEqual => IrqlLevels.Range(c, IrqlLevels.High),
            BinaryOperatorKind.Equals => IrqlLevels.Bit(c),
            BinaryOperatorKind.NotEquals => (ushort)~IrqlLevels.Bit(c),
            _ => null,
        };
    }

    private bool IsCurrentIrql(IrqlPath path, IOperation operation) => operation switch
    {
        IInvocationOperation invocation => context.CalleeOf(invocation.TargetMethod.OriginalDefinition).QueriesIrql,
        ILocalReferenceOperation local => path.FactAbout(local.Local) is { HoldsCurrentIrql: true },
        _ => false,
    };

    /// <summary>Records a conversion to a delegate type whose attributes state the IRQL its target runs at.</summary>
    public void RecordConversion(IDelegateCreationOperation creation)
    {
        if (Recorder is null || creation.Type is not INamedTypeSymbol { TypeKind: TypeKind.Delegate } delegateType)
        {
            return;
        }

        IMethodSymbol? target = creation.Target switch
        {
            IMethodReferenceOperation reference => reference.Method.OriginalDefinition,
            IAnonymousFunctionOperation lambda => lambda.Symbol,
            IFlowAnonymousFunctionOperation flowLambda => flowLambda.Symbol,
            _ => null,
        };
        IrqlContract contract = context.CalleeOf(delegateType.DelegateInvokeMethod!).Contract;
        if (target is not null && contract.StatesEntry)
        {
            Recorder.Conversion(creation, target, delegateType, contract, DpcInitializerOf(creation));
        }
    }

    /// <summary>The DPC initializer (<c>KeInitializeDpc</c>) whose deferred-routine argument <paramref name="creation"/> is, or null.</summary>
    private string? DpcInitializerOf(IDelegateCreationOperation creation)
        => creation.Parent is IArgumentOperation { Parameter.Name: { } parameter, Parent: IInvocationOperation invocation }
            && context.CalleeOf(invocation.TargetMethod.OriginalDefinition).Routine is { Kind: RoutineKind.DpcInitialize, Routine: { } role } routine
            && parameter == role
                ? routine.Name
                : null;

    private static IrqlPath ForgetWritten(IrqlPath path, IOperation? target)
    {
        if (path.Facts.IsEmpty || target is null)
        {
            return path;
        }

        switch (AccessPath.Of(target)?.Variable)
        {
            case { } variable:
                return path.Forget(variable);
            default:
                if (target is IDeclarationExpressionOperation or ITupleOperation)
                {
                    foreach (IOperation descendant in target.DescendantsAndSelf())
                    {
                        if (descendant is ILocalReferenceOperation local)
                        {
                            path = path.Forget(local.Local);
                        }
                    }
                }

                return path;
        }
    }

    /// <summary>The first child of <paramref name="operation"/>: the target of an assignment or increment.</summary>
    internal static IOperation? First(IOperation operation)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            return child;
        }

        return null;
    }

    private static AccessPath? PathOf(IInvocationOperation invocation, string? parameter)
        => parameter is not null && invocation.GetArgument(parameter) is { } argument ? AccessPath.Of(argument.Value) : null;

    private static IArgumentOperation? ArgumentAt(IOperation call, int ordinal)
    {
        ImmutableArray<IArgumentOperation> arguments = call switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => [],
        };
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
            {
                return argument;
            }
        }

        return null;
    }

    private static int? ConstantLevel(IOperation value)
    {
        Optional<object?> constant = value.GetFoldedConstant();
        return constant.HasValue && OperationExtensions.AsInt64(constant.Value) is { } level && IrqlLevels.IsValid(level) ? (int)level : null;
    }

    internal static bool IsIrqlType(ITypeSymbol? type) => type is { Name: "KIRQL", TypeKind: TypeKind.Enum };

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { OperatorMethod: null } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }
}
