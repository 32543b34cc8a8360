using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql.Interprocedural;

/// <summary>
/// The IRQLs a function may be entered at, as far as anything says (its attributes, its role as a
/// delegate, its callers), each with the reason it is possible. Levels nothing speaks for are not in
/// the set: an unknown entry IRQL is an empty one, and produces no finding.
/// </summary>
internal sealed class EntryIrql
{
    // Per level; null when every level in the set has the same reason (an entry stated by attributes).
    private readonly Origin?[]? _origins;
    private readonly Origin? _shared;

    private EntryIrql(ushort levels, Origin?[]? origins, Origin? shared)
    {
        Levels = levels;
        _origins = origins;
        _shared = shared;
    }

    public static EntryIrql None { get; } = new(0, origins: null, shared: null);

    public ushort Levels { get; }

    /// <summary>The entry the function's requirement attributes state.</summary>
    public static EntryIrql Stated(IrqlContract contract, SyntaxNode declaration)
        => new(contract.EntryLevels, origins: null, Origin.Annotation(declaration, contract.Annotation ?? string.Empty));

    public Origin? OriginOf(int level)
        => _origins is not null ? _origins[level]
            : (Levels & IrqlLevels.Bit(level)) != 0 ? _shared
            : null;

    /// <summary>The entry with <paramref name="level"/> added for <paramref name="why"/>; this one when the level is known already.</summary>
    public EntryIrql With(int level, Origin why)
    {
        if ((Levels & IrqlLevels.Bit(level)) != 0)
        {
            return this;
        }

        var origins = new Origin?[IrqlLevels.High + 1];
        for (int known = 0; known <= IrqlLevels.High; known++)
        {
            origins[known] = OriginOf(known);
        }

        origins[level] = why;
        return new EntryIrql((ushort)(Levels | IrqlLevels.Bit(level)), origins, shared: null);
    }
}
