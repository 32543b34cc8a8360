using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Lifetime;

/// <summary>
/// The transfer functions of the pointer-lifetime analysis: where blocks are allocated, which locals and
/// flow captures hold them, where they are compared with zero, used, freed, or handed to someone else.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An allocation (<see cref="RuntimeRoutine.ReturnsBlock"/>) makes its site's block
/// <see cref="BlockStates.Held"/>, and <see cref="BlockStates.Unchecked"/> when a failure returns NULL.</item>
/// <item>Assigning to a local of the function (not captured, not a ref local) makes it a holder; the value
/// flows through conversions, flow captures and pointer arithmetic (which makes the value derived: usable,
/// not freeable).</item>
/// <item>A comparison with zero (<c>== 0</c>, <c>!= 0</c>, <c>== IntPtr.Zero</c>, <c>nint.Zero</c>,
/// <c>default</c>, <c>is 0</c>, <c>is not 0</c>) splits the states on its two edges; any other condition that
/// reads a holder counts as a check the analysis cannot follow, so the block is no longer unchecked and no
/// leak is reported for it.</item>
/// <item>Returning, storing anywhere but a local, passing to a method (other than a free or a routine that
/// only reads or writes the memory), <c>ref</c>/<c>out</c> or an unknown context makes the block escape.</item>
/// <item>An exception is not followed: what a <c>catch</c> starts from no longer counts as held.</item>
/// </list>
/// Lambdas and local functions are functions of their own; locals they capture are never holders.
/// </remarks>
internal sealed class LifetimeDomain : FlowDomain<LifetimeState>, ITreeDomain<LifetimeState>
{
    private readonly RuntimeSymbols _symbols;
    private readonly ISymbol _function;
    private readonly Dictionary<IInvocationOperation, AllocationSite> _sites;
    private readonly HashSet<IOperation> _returned;
    private readonly HashSet<ILocalSymbol> _untracked;

    public LifetimeDomain(RuntimeSymbols symbols, ISymbol function, Dictionary<IInvocationOperation, AllocationSite> sites, HashSet<IOperation> returned, HashSet<ILocalSymbol> untracked)
    {
        _symbols = symbols;
        _function = function;
        _sites = sites;
        _returned = returned;
        _untracked = untracked;
        Released = new bool[sites.Count];
    }

    /// <summary>Sites whose block is freed or escapes on some path (filled during the fixed point).</summary>
    public bool[] Released { get; }

    /// <summary>Set for the final pass: receives unchecked uses and bad frees.</summary>
    public LifetimeRecorder? Recorder { get; set; }

    /// <inheritdoc/>
    public bool Recording { get; set; } = true;

    /// <summary>The loops no block passes through (<see cref="Lifetime.InertLoops"/>): their branches change nothing.</summary>
    public HashSet<SyntaxNode>? InertLoops { get; set; }

    public override LifetimeState Join(LifetimeState left, LifetimeState right) => LifetimeState.Join(left, right);

    public override bool Same(LifetimeState left, LifetimeState right) => LifetimeState.Same(left, right);

    public override LifetimeState EnterHandler(LifetimeState state) => state.Update(ulong.MaxValue, facts => facts.Released(BlockStates.Escaped));

    public override LifetimeState Transfer(LifetimeState state, IOperation operation)
    {
        Value value = Eval(ref state, operation);
        if (value.Sites != 0 && _returned.Contains(operation))
        {
            state = Escape(state, value.Sites);
        }

        return state;
    }

    public override LifetimeState? Branch(LifetimeState state, IOperation condition, bool value)
    {
        if (InertLoops is not null && InInertLoop(condition.Syntax))
        {
            // No block is tested there, and a branch of a loop that touches none is no step of a block's path.
            return state;
        }

        if (NullTest(state, condition, out ulong tested, out bool nullWhenTrue))
        {
            bool isNull = value == nullWhenTrue;
            state = state.Update(tested, facts => isNull
                ? facts.With((facts.States & ~(BlockStates.Held | BlockStates.Unchecked)) | (facts.MayBe(BlockStates.Held) ? BlockStates.Null : BlockStates.None))
                : facts.With(NonNull(facts.States)));
        }
        else if (ReadHolders(state, condition) is var read and not 0)
        {
            // A helper or a comparison the analysis does not follow decided on the block.
            state = state.Update(read, facts => facts.With(facts.States & ~BlockStates.Unchecked).AsOpaque());
        }

        SyntaxNode syntax = condition.Syntax;
        return state.Update(ulong.MaxValue, facts => facts.Through(syntax, value));
    }

    private bool InInertLoop(SyntaxNode syntax)
    {
        for (SyntaxNode? node = syntax; node is not null; node = node.Parent)
        {
            if (InertLoops!.Contains(node))
            {
                return true;
            }
        }

        return false;
    }

    private static BlockStates NonNull(BlockStates states)
    {
        BlockStates result = states & ~(BlockStates.Null | BlockStates.Unchecked);
        return (result & ~BlockStates.Unchecked) == 0 ? BlockStates.Held : result;
    }

    private Value Eval(ref LifetimeState state, IOperation operation)
    {
        // By kind, then a cast: every operation of every analyzed body passes here.
        switch (operation.Kind)
        {
            case OperationKind.Invocation:
                return Invoke(ref state, (IInvocationOperation)operation);
            case OperationKind.ObjectCreation:
                Construct(ref state, (IObjectCreationOperation)operation);
                return default;
            case OperationKind.SimpleAssignment:
                return Assign(ref state, (ISimpleAssignmentOperation)operation);
            case OperationKind.LocalReference:
                ILocalSymbol local = ((ILocalReferenceOperation)operation).Local;
                return IsHolder(local) ? new Value(state.HeldBy(local), derived: false) : default;
            case OperationKind.FlowCapture:
                var capture = (IFlowCaptureOperation)operation;
                Value captured = Eval(ref state, capture.Value);
                state = state.WithHolder(capture.Id, captured.Sites);
                return default;
            case OperationKind.FlowCaptureReference:
                return new Value(state.HeldBy(((IFlowCaptureReferenceOperation)operation).Id), derived: false);
            case OperationKind.Conversion:
                return Eval(ref state, ((IConversionOperation)operation).Operand);
            case OperationKind.ExpressionStatement:
                // The value is dropped: a block allocated here is held by nobody.
                Eval(ref state, ((IExpressionStatementOperation)operation).Operation);
                return default;
            case OperationKind.Binary:
                var binary = (IBinaryOperation)operation;
                Value left = Eval(ref state, binary.LeftOperand);
                Value right = Eval(ref state, binary.RightOperand);
                return binary.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract && (left.Sites | right.Sites) != 0
                    ? new Value(left.Sites | right.Sites, derived: true)
                    : default;
            case OperationKind.IsPattern:
                Eval(ref state, ((IIsPatternOperation)operation).Value);
                return default;
            case OperationKind.AnonymousFunction or OperationKind.FlowAnonymousFunction or OperationKind.LocalFunction or OperationKind.DelegateCreation:
                return default;
            case OperationKind.CompoundAssignment or OperationKind.Increment or OperationKind.Decrement or OperationKind.CoalesceAssignment or OperationKind.DeconstructionAssignment:
                WalkChildren(ref state, operation);
                Forget(ref state, operation.ChildOperations.Count > 0 ? First(operation) : null);
                return default;
            case OperationKind.AddressOf:
                WalkChildren(ref state, operation);
                return default;
            default:
                if (operation.Kind == OperationKind.None && (IsDereference(operation.Syntax) || operation.Parent?.Syntax.IsKind(SyntaxKind.PointerMemberAccessExpression) == true))
                {
                    // *p, p->f, p[i]: the compiler's pointer operations have no operation kind of their own.
                    IOperation? pointer = null;
                    Value value = default;
                    foreach (IOperation child in operation.ChildOperations)
                    {
                        Value childValue = Eval(ref state, child);
                        if (value.Sites == 0 && childValue.Sites != 0)
                        {
                            (pointer, value) = (child, childValue);
                        }
                    }

                    state = pointer is null ? state : Use(state, value, pointer);
                    return default;
                }

                WalkChildren(ref state, operation);
                return default;
        }
    }

    /// <summary>Children whose value is not consumed by a known context: a block reaching them escapes.</summary>
    private void WalkChildren(ref LifetimeState state, IOperation operation)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            Value value = Eval(ref state, child);
            if (value.Sites != 0)
            {
                state = Escape(state, value.Sites);
            }
        }
    }

    private Value Invoke(ref LifetimeState state, IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod;
        RuntimeRoutine? routine = _symbols.Classify(target);
        PointerCall call = routine is null ? PointerApis.Classify(target) : PointerCall.None;
        if (invocation.Instance is { } instance)
        {
            // A method of the pointer itself (p.ToInt64()) neither uses nor takes the block.
            Eval(ref state, instance);
        }

        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            Value value = Eval(ref state, argument.Value);
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                Forget(ref state, argument.Value);
                continue;
            }

            if (value.Sites == 0)
            {
                continue;
            }

            if (routine is not null && routine.ReleasesBlock && argument.Parameter?.Name == routine.Block)
            {
                state = Free(state, value, invocation, routine);
            }
            else if ((routine is not null && routine.TouchesMemory) || call == PointerCall.Use)
            {
                state = PointerApis.CarriesAddress(argument.Parameter) ? Use(state, value, argument.Value) : state;
            }
            else if (call == PointerCall.ForeignFree && PointerApis.CarriesAddress(argument.Parameter))
            {
                state = Free(state, value, invocation, routine: null);
            }
            else
            {
                state = Escape(state, value.Sites);
            }
        }

        if (_sites.TryGetValue(invocation, out AllocationSite? site))
        {
            state = state.Allocated(site.Number, site.MayBeNull);
            return new Value(1UL << site.Number, derived: false);
        }

        return default;
    }

    private void Construct(ref LifetimeState state, IObjectCreationOperation creation)
    {
        bool uses = creation.Constructor is { } constructor && PointerApis.Classify(constructor) == PointerCall.Use;
        foreach (IArgumentOperation argument in creation.Arguments)
        {
            Value value = Eval(ref state, argument.Value);
            if (value.Sites != 0)
            {
                state = uses && PointerApis.CarriesAddress(argument.Parameter) ? Use(state, value, argument.Value) : Escape(state, value.Sites);
            }
        }

        if (creation.Initializer is { } initializer)
        {
            WalkChildren(ref state, initializer);
        }
    }

    /// <inheritdoc/>
    public LifetimeState Declare(LifetimeState state, ILocalSymbol local, IOperation value)
    {
        if (IsHolder(local))
        {
            Hold(ref state, local, value);
            return state;
        }

        // What the graph's assignment to a local that holds nothing does: the value is stored away.
        Value stored = Eval(ref state, value);
        return stored.Sites != 0 ? Escape(state, stored.Sites) : state;
    }

    private Value Assign(ref LifetimeState state, ISimpleAssignmentOperation assignment)
    {
        if (assignment.Target is ILocalReferenceOperation local && IsHolder(local.Local))
        {
            return Hold(ref state, local.Local, assignment.Value);
        }

        // Stored anywhere else: an element, a field, a property, through a pointer, a ref local.
        Value target = Eval(ref state, assignment.Target);
        Value stored = Eval(ref state, assignment.Value);
        if (target.Sites != 0)
        {
            state = Escape(state, target.Sites);
        }

        if (stored.Sites != 0)
        {
            state = Escape(state, stored.Sites);
        }

        return stored;
    }

    /// <summary>A holder takes <paramref name="assigned"/>: it now holds the blocks the value may be.</summary>
    private Value Hold(ref LifetimeState state, ILocalSymbol local, IOperation assigned)
    {
        Value value = Eval(ref state, assigned);
        if (assigned.Type?.SpecialType == SpecialType.System_Boolean && ReadHolders(state, assigned) is var tested and not 0)
        {
            // bool ok = p != 0; if (ok) …: the test is kept for later, so the block counts as checked.
            state = state.Update(tested, facts => facts.With(facts.States & ~BlockStates.Unchecked).AsOpaque());
        }

        if (value.Derived)
        {
            // An interior pointer: usable, but the analysis does not follow it back to its block.
            state = state.Update(value.Sites, facts => facts.AsOpaque()).WithHolder(local, 0);
        }
        else
        {
            state = state.WithHolder(local, value.Sites);
        }

        return value;
    }

    private LifetimeState Use(LifetimeState state, Value value, IOperation use)
    {
        ulong unchecked_ = 0;
        for (int site = 0; site < state.Blocks.Length; site++)
        {
            if ((value.Sites & (1UL << site)) != 0 && state.Blocks[site] is { } facts && facts.MayBe(BlockStates.Unchecked))
            {
                if (unchecked_ == 0 && Recording)
                {
                    // One report per use, naming the first of the blocks the pointer may hold.
                    Recorder?.Unchecked(SiteOf(site), facts, Holder(use));
                }

                unchecked_ |= 1UL << site;
            }
        }

        // Past a use the code goes on as if the block were there, as PREfast does: one report per block.
        return state.Update(unchecked_, facts => facts.With(facts.States & ~BlockStates.Unchecked));
    }

    private LifetimeState Free(LifetimeState state, Value value, IInvocationOperation free, RuntimeRoutine? routine)
    {
        if (value.Derived)
        {
            return Escape(state, value.Sites);
        }

        if (Recording)
        {
            Recorder?.Free(state, value.Sites, free, routine);
        }

        for (int site = 0; site < Released.Length; site++)
        {
            if ((value.Sites & (1UL << site)) != 0)
            {
                Released[site] = true;
            }
        }

        SyntaxNode at = free.Syntax;
        return state.Update(value.Sites, facts => facts.Freed(at));
    }

    private LifetimeState Escape(LifetimeState state, ulong sites)
    {
        for (int site = 0; site < Released.Length; site++)
        {
            if ((sites & (1UL << site)) != 0)
            {
                Released[site] = true;
            }
        }

        return state.Update(sites, facts => facts.Released(BlockStates.Escaped));
    }

    /// <summary>A holder written in a way the analysis does not follow (<c>p += 8</c>, <c>out p</c>, <c>ref p</c>): its blocks become opaque and it holds nothing.</summary>
    private void Forget(ref LifetimeState state, IOperation? written)
    {
        object? holder = written switch
        {
            ILocalReferenceOperation local when IsHolder(local.Local) => local.Local,
            IFlowCaptureReferenceOperation capture => capture.Id,
            _ => null,
        };
        if (holder is not null)
        {
            state = state.Update(state.HeldBy(holder), facts => facts.AsOpaque()).WithHolder(holder, 0);
        }
    }

    /// <summary>The reference to the holder inside a used pointer expression (<c>buffer</c> in <c>(T*)(buffer + 8)</c>), for the diagnostic's location.</summary>
    private static IOperation Holder(IOperation pointer)
    {
        IOperation current = pointer;
        while (true)
        {
            switch (current)
            {
                case IConversionOperation conversion:
                    current = conversion.Operand;
                    continue;
                case IBinaryOperation binary:
                    current = binary.LeftOperand.Type?.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr || binary.LeftOperand.Type?.TypeKind == TypeKind.Pointer ? binary.LeftOperand : binary.RightOperand;
                    continue;
                default:
                    return current is ILocalReferenceOperation or IFlowCaptureReferenceOperation ? current : pointer;
            }
        }
    }

    private bool IsHolder(ILocalSymbol local)
        => !local.IsRef && SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, _function) && !_untracked.Contains(local);

    private AllocationSite SiteOf(int number)
    {
        foreach (AllocationSite site in _sites.Values)
        {
            if (site.Number == number)
            {
                return site;
            }
        }

        throw new KeyNotFoundException();
    }

    /// <summary>The blocks held by a holder, conversions looked through, without evaluating anything.</summary>
    private ulong Peek(LifetimeState state, IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation switch
        {
            ILocalReferenceOperation local when IsHolder(local.Local) => state.HeldBy(local.Local),
            IFlowCaptureReferenceOperation capture => state.HeldBy(capture.Id),
            _ => 0,
        };
    }

    /// <summary>True when <paramref name="condition"/> compares a holder with zero; <paramref name="nullWhenTrue"/> says which edge is the NULL one.</summary>
    private bool NullTest(LifetimeState state, IOperation condition, out ulong sites, out bool nullWhenTrue)
    {
        sites = 0;
        nullWhenTrue = false;
        bool negated = false;
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            negated = !negated;
            condition = not.Operand;
        }

        switch (condition)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary:
                if (IsZero(binary.RightOperand))
                {
                    sites = Peek(state, binary.LeftOperand);
                }
                else if (IsZero(binary.LeftOperand))
                {
                    sites = Peek(state, binary.RightOperand);
                }

                nullWhenTrue = binary.OperatorKind == BinaryOperatorKind.Equals;
                break;
            case IIsPatternOperation pattern:
                IPatternOperation tested = pattern.Pattern;
                bool equal = true;
                while (tested is INegatedPatternOperation negatedPattern)
                {
                    equal = !equal;
                    tested = negatedPattern.Pattern;
                }

                if (tested is IConstantPatternOperation constant && IsZero(constant.Value))
                {
                    sites = Peek(state, pattern.Value);
                    nullWhenTrue = equal;
                }

                break;
        }

        nullWhenTrue ^= negated;
        return sites != 0;
    }

    /// <summary>0, <c>null</c>, <c>default</c>, <c>IntPtr.Zero</c>, <c>nint.Zero</c> and their conversions.</summary>
    private static bool IsZero(IOperation operation)
    {
        while (true)
        {
            if (operation.ConstantValue is { HasValue: true, Value: var constant })
            {
                return constant is null || OperationExtensions.AsInt64(constant) == 0;
            }

            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    continue;
                case IDefaultValueOperation:
                    return true;
                case IFieldReferenceOperation { Field: { IsStatic: true, Name: "Zero", ContainingType.SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } }:
                case IPropertyReferenceOperation { Property: { IsStatic: true, Name: "Zero", ContainingType.SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr } }:
                    return true;
                default:
                    return false;
            }
        }
    }

    private ulong ReadHolders(LifetimeState state, IOperation condition)
    {
        ulong sites = 0;
        foreach (IOperation operation in condition.DescendantsAndSelf())
        {
            sites |= operation switch
            {
                ILocalReferenceOperation local when IsHolder(local.Local) => state.HeldBy(local.Local),
                IFlowCaptureReferenceOperation capture => state.HeldBy(capture.Id),
                _ => 0,
            };
        }

        return sites;
    }

    private static bool IsDereference(SyntaxNode syntax) => syntax.Kind() is SyntaxKind.PointerIndirectionExpression or SyntaxKind.PointerMemberAccessExpression or SyntaxKind.ElementAccessExpression;

    private static IOperation? First(IOperation operation)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            return child;
        }

        return null;
    }

    /// <summary>What an expression evaluates to, as far as blocks go: the sites it may hold, and whether it points inside them.</summary>
    private readonly struct Value(ulong sites, bool derived)
    {
        public ulong Sites { get; } = sites;

        public bool Derived { get; } = derived;
    }
}
