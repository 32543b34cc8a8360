using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Irql;

/// <summary>
/// Collects, during the final pass over a function body, the calls that matter to the IRQL rules with
/// the state of every path class that reaches them, and the conversions to IRQL-annotated delegates.
/// </summary>
internal sealed class FunctionRecorder
{
    /// <summary>Up to this many recorded calls are searched; a longer function gets an index.</summary>
    private const int SearchedCalls = 32;

    private readonly List<Entry> _calls = [];
    private Dictionary<IOperation, Entry>? _index;
    private readonly List<ConversionFact> _conversions = [];

    /// <summary>Records the state of one path class at a call, before the call's effect.</summary>
    public void Call(IOperation call, Callee callee, bool isVirtual, IrqlPath path, bool checksRequirement)
    {
        var state = new CallState(path.Irql, path.Reason, checksRequirement);
        if (Find(call) is { } entry)
        {
            entry.Add(state);
            return;
        }

        (IOperation? argument, bool paged) = PagedUse(call, callee.Routine);
        entry = new Entry(call, callee, isVirtual, argument, paged, state);
        _calls.Add(entry);
        _index?.Add(call, entry);
    }

    /// <summary>
    /// The entry of a call already recorded. Path classes are walked one after another over the same
    /// operation, and blocks in order, so a repeated call is found near the end: searching backwards is
    /// cheaper than hashing every operation.
    /// </summary>
    private Entry? Find(IOperation call)
    {
        if (_index is null && _calls.Count > SearchedCalls)
        {
            _index = [];
            foreach (Entry recorded in _calls)
            {
                _index.Add(recorded.Call, recorded);
            }
        }

        if (_index is not null)
        {
            return _index.TryGetValue(call, out Entry? indexed) ? indexed : null;
        }

        for (int i = _calls.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_calls[i].Call, call))
            {
                return _calls[i];
            }
        }

        return null;
    }

    public void Conversion(IOperation conversion, IMethodSymbol target, INamedTypeSymbol delegateType, IrqlContract contract, string? dpcInitializer)
    {
        foreach (ConversionFact known in _conversions)
        {
            if (ReferenceEquals(known.Syntax, conversion.Syntax))
            {
                return;
            }
        }

        _conversions.Add(new ConversionFact(conversion.Syntax, target, delegateType, contract, dpcInitializer));
    }

    public ImmutableArray<CallFact> Calls()
    {
        ImmutableArray<CallFact>.Builder calls = ImmutableArray.CreateBuilder<CallFact>(_calls.Count);
        foreach (Entry entry in _calls)
        {
            calls.Add(new CallFact(entry.Call.Syntax, entry.Callee, entry.IsVirtual, entry.PagedArgument?.Syntax, entry.IsPaged, entry.States()));
        }

        return calls.MoveToImmutable();
    }

    public ImmutableArray<ConversionFact> Conversions() => [.. _conversions];

    /// <summary>
    /// Whether the call uses paged pool: a paged routine, a pool type with the paged bit
    /// (<c>(type &amp; 1) != 0</c>, evaluated exactly on the constant), or POOL_FLAGS with exactly the paged
    /// pool flag among the three pool flags (a mix is POOL008's, not a paged request). Non-constant
    /// types (<c>ExDefaultNonPagedPoolType</c>, a parameter) are not known to be paged.
    /// </summary>
    private static (IOperation? Argument, bool Paged) PagedUse(IOperation call, RuntimeRoutine? routine)
    {
        if (routine is null || call is not IInvocationOperation invocation)
        {
            return (null, false);
        }

        if (routine.Pool == RoutinePool.Paged)
        {
            return (null, true);
        }

        if (routine.PoolType is { } poolType && invocation.GetArgument(poolType) is { } typeArgument && Constant(typeArgument.Value) is { } type && (type & 1) != 0)
        {
            return (typeArgument.Value, true);
        }

        const long PoolFlagPaged = 0x100;
        const long PoolFlagKinds = 0x40 | 0x80 | PoolFlagPaged;
        if (routine.PoolFlags is { } poolFlags && invocation.GetArgument(poolFlags) is { } flagsArgument && Constant(flagsArgument.Value) is { } flags && (flags & PoolFlagKinds) == PoolFlagPaged)
        {
            return (flagsArgument.Value, true);
        }

        return (null, false);
    }

    private static long? Constant(IOperation value)
    {
        Optional<object?> constant = value.GetFoldedConstant();
        return constant.HasValue ? OperationExtensions.AsInt64(constant.Value) : null;
    }

    private sealed class Entry(IOperation call, Callee callee, bool isVirtual, IOperation? pagedArgument, bool isPaged, CallState first)
    {
        public IOperation Call { get; } = call;

        public Callee Callee { get; } = callee;

        public bool IsVirtual { get; } = isVirtual;

        public IOperation? PagedArgument { get; } = pagedArgument;

        public bool IsPaged { get; } = isPaged;

        // Most calls are reached by one path class: the first state is kept inline, a list only for the others.
        private List<CallState>? _others;

        public void Add(CallState state) => (_others ??= []).Add(state);

        public ImmutableArray<CallState> States() => _others is null ? [first] : [first, .. _others];
    }
}
