using System;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Lifetime;

/// <summary>What may be true of one allocated block on the paths reaching a point: a union of these.</summary>
[Flags]
internal enum BlockStates
{
    None = 0,

    /// <summary>Held in locals only: the method still owns the memory (when the allocation succeeded).</summary>
    Held = 1,

    /// <summary>Known to be NULL: the allocation failed, there is nothing to free.</summary>
    Null = 2,

    /// <summary>Given back to its allocator.</summary>
    Freed = 4,

    /// <summary>Returned, stored, passed to another method or captured: no longer this method's alone.</summary>
    Escaped = 8,

    /// <summary>Never compared with zero on some path, though the allocation can return NULL.</summary>
    Unchecked = 16,
}

/// <summary>
/// The facts about one allocation site's block at a program point: its possible states, and what a
/// message needs to describe the path (the last branch taken while the block was owned, the free
/// that released it).
/// </summary>
internal sealed class BlockFacts : IEquatable<BlockFacts>
{
    public BlockFacts(BlockStates states, bool conditional, bool opaque, SyntaxNode? step, bool stepValue, SyntaxNode? freedAt)
    {
        States = states;
        Conditional = conditional;
        Opaque = opaque;
        Step = step;
        StepValue = stepValue;
        FreedAt = freedAt;
    }

    public BlockStates States { get; }

    /// <summary>Allocated on some paths to this point only (a branch or a loop joined it with a path that never allocated).</summary>
    public bool Conditional { get; }

    /// <summary>Tested or changed in a way the analysis does not model (a helper deciding on it, pointer arithmetic on the local): no leak is reported.</summary>
    public bool Opaque { get; }

    /// <summary>The condition of the last branch taken while the block was owned, for messages.</summary>
    public SyntaxNode? Step { get; }

    public bool StepValue { get; }

    /// <summary>The free call that released the block on some path, for messages.</summary>
    public SyntaxNode? FreedAt { get; }

    public static BlockFacts Fresh(bool mayBeNull) => new(mayBeNull ? BlockStates.Held | BlockStates.Unchecked : BlockStates.Held, conditional: false, opaque: false, step: null, stepValue: false, freedAt: null);

    public bool MayBe(BlockStates states) => (States & states) != 0;

    public BlockFacts With(BlockStates states) => states == States ? this : new(states, Conditional, Opaque, Step, StepValue, FreedAt);

    /// <summary>Held becomes <paramref name="state"/> (freed, escaped); the other possibilities stay.</summary>
    public BlockFacts Released(BlockStates state) => MayBe(BlockStates.Held) ? With((States & ~BlockStates.Held) | state) : this;

    public BlockFacts Freed(SyntaxNode at) => MayBe(BlockStates.Held) ? new((States & ~BlockStates.Held) | BlockStates.Freed, Conditional, Opaque, Step, StepValue, FreedAt ?? at) : this;

    public BlockFacts AsOpaque() => Opaque ? this : new(States, Conditional, opaque: true, Step, StepValue, FreedAt);

    public BlockFacts AsConditional() => Conditional ? this : new(States, conditional: true, Opaque, Step, StepValue, FreedAt);

    public BlockFacts Through(SyntaxNode condition, bool value)
        => MayBe(BlockStates.Held) && (condition != Step || value != StepValue) ? new(States, Conditional, Opaque, condition, value, FreedAt) : this;

    public static BlockFacts Join(BlockFacts left, BlockFacts right)
    {
        if (left.Equals(right))
        {
            return left;
        }

        return new BlockFacts(
            left.States | right.States,
            left.Conditional || right.Conditional,
            left.Opaque || right.Opaque,
            left.Step ?? right.Step,
            left.Step is null ? right.StepValue : left.StepValue,
            left.FreedAt ?? right.FreedAt);
    }

    public bool Equals(BlockFacts? other)
        => other is not null
            && States == other.States
            && Conditional == other.Conditional
            && Opaque == other.Opaque
            && Step == other.Step
            && StepValue == other.StepValue
            && FreedAt == other.FreedAt;

    public override bool Equals(object? obj) => Equals(obj as BlockFacts);

    public override int GetHashCode() => ((int)States * 4) + (Conditional ? 2 : 0) + (Opaque ? 1 : 0);
}
