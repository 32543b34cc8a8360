using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Irql;

/// <summary>A spin lock the function holds: which lock (or in-stack queue handle), and where it was acquired.</summary>
internal sealed class HeldLock(AccessPath? @lock, AccessPath? handle, bool queued, Origin acquired)
{
    public AccessPath? Lock { get; } = @lock;

    public AccessPath? Handle { get; } = handle;

    public bool Queued { get; } = queued;

    public Origin Acquired { get; } = acquired;

    public bool Same(HeldLock other) => Queued == other.Queued && Acquired.Equals(other.Acquired) && Equals(Lock, other.Lock) && Equals(Handle, other.Handle);
}

/// <summary>An IRQL stored in a variable or handle by <c>[IrqlSaves]</c>, with the reason for its levels.</summary>
internal readonly struct SavedIrql(AccessPath slot, IrqlValue value, Origin? reason)
{
    public AccessPath Slot { get; } = slot;

    public IrqlValue Value { get; } = value;

    public Origin? Reason { get; } = reason;
}

/// <summary>A condition a path went through, and which way, for the path in a message.</summary>
internal readonly struct PathStep(SyntaxNode condition, bool value)
{
    public SyntaxNode Condition { get; } = condition;

    public bool Value { get; } = value;
}

/// <summary>What a path knows about a local or parameter: a bool's value, or that it holds the current IRQL.</summary>
internal readonly struct PathFact(ISymbol variable, bool holdsCurrentIrql, bool value)
{
    public ISymbol Variable { get; } = variable;

    /// <summary>The variable was assigned <c>KeGetCurrentIrql()</c> and the IRQL has not changed since.</summary>
    public bool HoldsCurrentIrql { get; } = holdsCurrentIrql;

    /// <summary>For a bool: its value on this path.</summary>
    public bool Value { get; } = value;

    public bool Same(PathFact other) => HoldsCurrentIrql == other.HoldsCurrentIrql && Value == other.Value && SymbolEqualityComparer.Default.Equals(Variable, other.Variable);
}

/// <summary>
/// One class of paths through a function: paths that hold the same locks and owe their IRQL to the same
/// last change (<see cref="Reason"/>) are kept together, so a message can name the acquire still in force
/// and paths that take a lock are not confused with paths that do not.
/// </summary>
internal sealed class IrqlPath
{
    private const int MaxSteps = 3;

    public IrqlPath(IrqlValue irql, Origin? reason, ImmutableArray<HeldLock> held, ImmutableArray<SavedIrql> saved, ImmutableArray<PathStep> steps, ImmutableArray<PathFact> facts)
    {
        Irql = irql;
        Reason = reason;
        Held = held;
        Saved = saved;
        Steps = steps;
        Facts = facts;
    }

    /// <summary>A path at the function's entry.</summary>
    public static IrqlPath Start { get; } = new(IrqlValue.Entry, null, [], [], [], []);

    public IrqlValue Irql { get; }

    /// <summary>The last change of the IRQL still in force (a lock, a raise, a callee), or null when the entry IRQL holds.</summary>
    public Origin? Reason { get; }

    public ImmutableArray<HeldLock> Held { get; }

    public ImmutableArray<SavedIrql> Saved { get; }

    /// <summary>The last conditions passed since the function left its entry state.</summary>
    public ImmutableArray<PathStep> Steps { get; }

    public ImmutableArray<PathFact> Facts { get; }

    /// <summary>True when nothing the function did is in force: no lock held, no change of the IRQL.</summary>
    public bool IsClean => Reason is null && Held.IsEmpty;

    public IrqlPath WithIrql(IrqlValue irql, Origin? reason)
    {
        ImmutableArray<PathFact> facts = Facts;
        if (!irql.Equals(Irql))
        {
            facts = ForgetCurrentIrql(facts);
        }

        var changed = new IrqlPath(irql, reason, Held, Saved, Steps, facts);
        return changed.IsClean && !Steps.IsEmpty ? changed.WithSteps([]) : changed;
    }

    public IrqlPath WithHeld(ImmutableArray<HeldLock> held)
    {
        var changed = new IrqlPath(Irql, Reason, held, Saved, Steps, Facts);
        return changed.IsClean && !Steps.IsEmpty ? changed.WithSteps([]) : changed;
    }

    public IrqlPath WithSaved(AccessPath slot, IrqlValue value, Origin? reason)
    {
        ImmutableArray<SavedIrql>.Builder saved = ImmutableArray.CreateBuilder<SavedIrql>(Saved.Length + 1);
        foreach (SavedIrql entry in Saved)
        {
            if (!entry.Slot.Equals(slot))
            {
                saved.Add(entry);
            }
        }

        saved.Add(new SavedIrql(slot, value, reason));
        return new IrqlPath(Irql, Reason, Held, saved.ToImmutable(), Steps, Facts);
    }

    public SavedIrql? SavedIn(AccessPath slot)
    {
        foreach (SavedIrql entry in Saved)
        {
            if (entry.Slot.Equals(slot))
            {
                return entry;
            }
        }

        return null;
    }

    public IrqlPath WithStep(SyntaxNode condition, bool value)
    {
        if (IsClean)
        {
            return this;
        }

        ImmutableArray<PathStep> steps = Steps.Length < MaxSteps ? Steps : Steps.RemoveAt(0);
        return WithSteps(steps.Add(new PathStep(condition, value)));
    }

    public IrqlPath WithFacts(ImmutableArray<PathFact> facts) => new(Irql, Reason, Held, Saved, Steps, facts);

    /// <summary>Forgets what the path knew about <paramref name="variable"/> (it was written).</summary>
    public IrqlPath Forget(ISymbol variable)
    {
        for (int i = 0; i < Facts.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(Facts[i].Variable, variable))
            {
                return WithFacts(Facts.RemoveAt(i)).Forget(variable);
            }
        }

        return this;
    }

    public PathFact? FactAbout(ISymbol variable)
    {
        foreach (PathFact fact in Facts)
        {
            if (SymbolEqualityComparer.Default.Equals(fact.Variable, variable))
            {
                return fact;
            }
        }

        return null;
    }

    /// <summary>True when both paths belong to the same class: same last change in force, same locks held.</summary>
    public bool SameClass(IrqlPath other)
    {
        if (!(Reason is null ? other.Reason is null : Reason.Equals(other.Reason)) || Held.Length != other.Held.Length)
        {
            return false;
        }

        for (int i = 0; i < Held.Length; i++)
        {
            if (!Held[i].Same(other.Held[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The path class reached both ways: IRQLs and saved values united, facts both agree on kept, this path's steps kept.</summary>
    public IrqlPath Merge(IrqlPath other)
    {
        if (ReferenceEquals(this, other))
        {
            return this;
        }

        if (Saved.IsEmpty && other.Saved.IsEmpty && (Facts.IsEmpty || other.Facts.IsEmpty))
        {
            // Nothing saved and no fact both agree on: only the IRQLs unite.
            IrqlValue united = Irql.Union(other.Irql);
            return united.Equals(Irql) && Facts.IsEmpty ? this : new IrqlPath(united, Reason, Held, Saved, Steps, []);
        }

        ImmutableArray<SavedIrql>.Builder saved = ImmutableArray.CreateBuilder<SavedIrql>(Saved.Length);
        foreach (SavedIrql entry in Saved)
        {
            IrqlValue value = other.SavedIn(entry.Slot) is { } match ? entry.Value.Union(match.Value) : entry.Value.Union(IrqlValue.Unknowable);
            saved.Add(new SavedIrql(entry.Slot, value, entry.Reason ?? other.SavedIn(entry.Slot)?.Reason));
        }

        foreach (SavedIrql entry in other.Saved)
        {
            if (SavedIn(entry.Slot) is null)
            {
                saved.Add(new SavedIrql(entry.Slot, entry.Value.Union(IrqlValue.Unknowable), entry.Reason));
            }
        }

        ImmutableArray<PathFact>.Builder facts = ImmutableArray.CreateBuilder<PathFact>();
        foreach (PathFact fact in Facts)
        {
            if (other.FactAbout(fact.Variable) is { } match && match.Same(fact))
            {
                facts.Add(fact);
            }
        }

        return new IrqlPath(Irql.Union(other.Irql), Reason, Held, saved.ToImmutable(), Steps, facts.ToImmutable());
    }

    public bool Same(IrqlPath other)
    {
        if (!Irql.Equals(other.Irql) || !SameClass(other) || Saved.Length != other.Saved.Length || Facts.Length != other.Facts.Length || Steps.Length != other.Steps.Length)
        {
            return false;
        }

        foreach (SavedIrql entry in Saved)
        {
            if (other.SavedIn(entry.Slot) is not { } match || !match.Value.Equals(entry.Value))
            {
                return false;
            }
        }

        foreach (PathFact fact in Facts)
        {
            if (other.FactAbout(fact.Variable) is not { } match || !match.Same(fact))
            {
                return false;
            }
        }

        return true;
    }

    private IrqlPath WithSteps(ImmutableArray<PathStep> steps) => new(Irql, Reason, Held, Saved, steps, Facts);

    private static ImmutableArray<PathFact> ForgetCurrentIrql(ImmutableArray<PathFact> facts)
    {
        if (facts.IsEmpty)
        {
            return facts;
        }

        ImmutableArray<PathFact>.Builder kept = ImmutableArray.CreateBuilder<PathFact>(facts.Length);
        foreach (PathFact fact in facts)
        {
            if (!fact.HoldsCurrentIrql)
            {
                kept.Add(fact);
            }
        }

        return kept.Count == facts.Length ? facts : kept.ToImmutable();
    }
}
