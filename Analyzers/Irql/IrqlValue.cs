using System;

namespace PoolAnalyzers.Irql;

/// <summary>
/// What is known about the IRQL at a point of a function, relative to the IRQL it was entered at, so
/// one analysis of a body serves every caller: a set of <see cref="Levels"/> reached by code of the
/// function itself (a spin lock taken, a raise), the part of the entry IRQL still in force
/// (<see cref="EntryMask"/>: the entry levels not ruled out by a check such as
/// <c>KeGetCurrentIrql() &lt;= APC_LEVEL</c>), and whether some path gives an IRQL nobody can know
/// (<see cref="Unknown"/>, e.g. lowered to a parameter). Unknown never produces a finding.
/// </summary>
internal readonly struct IrqlValue : IEquatable<IrqlValue>
{
    public IrqlValue(ushort levels, ushort entryMask, bool unknown)
    {
        Levels = levels;
        EntryMask = entryMask;
        Unknown = unknown;
    }

    /// <summary>The IRQL the function was entered at, whatever that was.</summary>
    public static IrqlValue Entry { get; } = new(0, IrqlLevels.All, false);

    /// <summary>An IRQL nothing is known about.</summary>
    public static IrqlValue Unknowable { get; } = new(0, 0, true);

    /// <summary>Levels set by the function's own code.</summary>
    public ushort Levels { get; }

    /// <summary>The entry levels that may still be current (all of them until a check narrows it).</summary>
    public ushort EntryMask { get; }

    public bool Unknown { get; }

    /// <summary>True when the value is exactly the entry IRQL: nothing set, nothing ruled out, nothing unknown.</summary>
    public bool IsEntry => Levels == 0 && EntryMask == IrqlLevels.All && !Unknown;

    public static IrqlValue Level(int level) => new(IrqlLevels.Bit(level), 0, false);

    public IrqlValue Union(IrqlValue other) => new((ushort)(Levels | other.Levels), (ushort)(EntryMask | other.EntryMask), Unknown | other.Unknown);

    /// <summary>The value on a path where the IRQL is known to be one of <paramref name="allowed"/>.</summary>
    public IrqlValue Restrict(ushort allowed) => new((ushort)(Levels & allowed), (ushort)(EntryMask & allowed), Unknown);

    /// <summary>The levels possible when the function was entered at one of <paramref name="entryLevels"/> (unknown parts add nothing).</summary>
    public ushort Resolve(ushort entryLevels) => (ushort)(Levels | (entryLevels & EntryMask));

    /// <summary>
    /// What a callee whose exit value is this one leaves behind when called at <paramref name="current"/>:
    /// the callee's own levels, plus the caller's value wherever the callee returns at its entry IRQL.
    /// </summary>
    public IrqlValue AppliedTo(IrqlValue current)
    {
        if (EntryMask == 0)
        {
            return this;
        }

        IrqlValue kept = current.Restrict(EntryMask);
        return new((ushort)(Levels | kept.Levels), kept.EntryMask, Unknown | kept.Unknown);
    }

    public bool Equals(IrqlValue other) => Levels == other.Levels && EntryMask == other.EntryMask && Unknown == other.Unknown;

    public override bool Equals(object? obj) => obj is IrqlValue other && Equals(other);

    public override int GetHashCode() => (Levels << 16) ^ EntryMask ^ (Unknown ? 1 << 31 : 0);
}
