using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql.Interprocedural;

/// <summary>
/// The IRQLs a function may be entered at, as far as anything says (its attributes, its role as a
/// delegate, its callers), each with the reason it is possible. Levels nothing speaks for are not in
/// the set: an unknown entry IRQL is an empty one, and produces no finding.
/// </summary>
internal sealed class EntryIrql
{
    private readonly Origin?[] _origins;

    private EntryIrql(ushort levels, Origin?[] origins)
    {
        Levels = levels;
        _origins = origins;
    }

    public static EntryIrql None { get; } = new(0, new Origin?[IrqlLevels.High + 1]);

    public ushort Levels { get; }

    /// <summary>The entry the function's requirement attributes state.</summary>
    public static EntryIrql Stated(IrqlContract contract, SyntaxNode declaration)
    {
        var origins = new Origin?[IrqlLevels.High + 1];
        var origin = Origin.Annotation(declaration, contract.Annotation ?? string.Empty);
        for (int level = 0; level <= IrqlLevels.High; level++)
        {
            if ((contract.EntryLevels & IrqlLevels.Bit(level)) != 0)
            {
                origins[level] = origin;
            }
        }

        return new EntryIrql(contract.EntryLevels, origins);
    }

    public Origin? OriginOf(int level) => _origins[level];

    /// <summary>The entry with <paramref name="level"/> added for <paramref name="why"/>; this one when the level is known already.</summary>
    public EntryIrql With(int level, Origin why)
    {
        if ((Levels & IrqlLevels.Bit(level)) != 0)
        {
            return this;
        }

        var origins = (Origin?[])_origins.Clone();
        origins[level] = why;
        return new EntryIrql((ushort)(Levels | IrqlLevels.Bit(level)), origins);
    }
}
