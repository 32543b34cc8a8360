using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Lifetime;

/// <summary>
/// The state of the pointer-lifetime analysis at a program point: the facts of each allocation site's
/// block (null where no path to the point allocated it), and which blocks each local or flow capture may
/// hold, as a mask of site numbers (a method has at most <see cref="MaxSites"/> sites the analysis follows).
/// </summary>
internal sealed class LifetimeState
{
    /// <summary>Allocation sites per function the analysis follows; a function with more is not analyzed.</summary>
    public const int MaxSites = 64;

    private static readonly ImmutableDictionary<object, ulong> s_noAliases = ImmutableDictionary.Create<object, ulong>(HolderComparer.Instance);

    private LifetimeState(ImmutableArray<BlockFacts?> blocks, ImmutableDictionary<object, ulong> holders)
    {
        Blocks = blocks;
        Holders = holders;
    }

    public ImmutableArray<BlockFacts?> Blocks { get; }

    /// <summary>Locals (<see cref="ILocalSymbol"/>) and flow captures (<c>CaptureId</c>) to the sites whose block they may hold.</summary>
    public ImmutableDictionary<object, ulong> Holders { get; }

    public static LifetimeState Entry(int sites) => new(ImmutableArray.Create(new BlockFacts?[sites]), s_noAliases);

    public ulong HeldBy(object holder) => Holders.TryGetValue(holder, out ulong sites) ? sites : 0;

    public LifetimeState WithHolder(object holder, ulong sites)
    {
        if (sites == 0)
        {
            return Holders.ContainsKey(holder) ? new LifetimeState(Blocks, Holders.Remove(holder)) : this;
        }

        return HeldBy(holder) == sites ? this : new LifetimeState(Blocks, Holders.SetItem(holder, sites));
    }

    public LifetimeState WithBlock(int site, BlockFacts? facts)
        => Equals(Blocks[site], facts) ? this : new LifetimeState(Blocks.SetItem(site, facts), Holders);

    /// <summary>A new block at <paramref name="site"/>: holders of the block the site made before (an earlier loop iteration) stop following it.</summary>
    public LifetimeState Allocated(int site, bool mayBeNull)
    {
        ulong bit = 1UL << site;
        ImmutableDictionary<object, ulong> holders = Holders;
        foreach (KeyValuePair<object, ulong> holder in Holders)
        {
            if ((holder.Value & bit) != 0)
            {
                ulong rest = holder.Value & ~bit;
                holders = rest == 0 ? holders.Remove(holder.Key) : holders.SetItem(holder.Key, rest);
            }
        }

        return new LifetimeState(Blocks.SetItem(site, BlockFacts.Fresh(mayBeNull)), holders);
    }

    /// <summary>Applies <paramref name="change"/> to the facts of every site in <paramref name="sites"/> that has a block here.</summary>
    public LifetimeState Update(ulong sites, System.Func<BlockFacts, BlockFacts> change)
    {
        if (sites == 0)
        {
            return this;
        }

        ImmutableArray<BlockFacts?>.Builder? builder = null;
        for (int site = 0; site < Blocks.Length; site++)
        {
            if ((sites & (1UL << site)) != 0 && Blocks[site] is { } facts)
            {
                BlockFacts changed = change(facts);
                if (!ReferenceEquals(changed, facts))
                {
                    builder ??= Blocks.ToBuilder();
                    builder[site] = changed;
                }
            }
        }

        return builder is null ? this : new LifetimeState(builder.MoveToImmutable(), Holders);
    }

    public static LifetimeState Join(LifetimeState left, LifetimeState right)
    {
        if (ReferenceEquals(left, right))
        {
            return left;
        }

        var blocks = new BlockFacts?[left.Blocks.Length];
        for (int site = 0; site < blocks.Length; site++)
        {
            blocks[site] = (left.Blocks[site], right.Blocks[site]) switch
            {
                (null, null) => null,
                ({ } l, null) => l.AsConditional(),
                (null, { } r) => r.AsConditional(),
                ({ } l, { } r) => BlockFacts.Join(l, r),
            };
        }

        ImmutableDictionary<object, ulong> holders = left.Holders;
        foreach (KeyValuePair<object, ulong> holder in right.Holders)
        {
            ulong mine = left.HeldBy(holder.Key);
            if ((mine | holder.Value) != mine)
            {
                holders = holders.SetItem(holder.Key, mine | holder.Value);
            }
        }

        return new LifetimeState(ImmutableArray.Create(blocks), holders);
    }

    public static bool Same(LifetimeState left, LifetimeState right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        for (int site = 0; site < left.Blocks.Length; site++)
        {
            if (!Equals(left.Blocks[site], right.Blocks[site]))
            {
                return false;
            }
        }

        if (left.Holders.Count != right.Holders.Count)
        {
            return false;
        }

        foreach (KeyValuePair<object, ulong> holder in left.Holders)
        {
            if (right.HeldBy(holder.Key) != holder.Value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Locals compare as symbols, flow captures by their id.</summary>
    private sealed class HolderComparer : IEqualityComparer<object>
    {
        public static readonly HolderComparer Instance = new();

        public new bool Equals(object? x, object? y)
            => x is ISymbol left && y is ISymbol right ? SymbolEqualityComparer.Default.Equals(left, right) : object.Equals(x, y);

        public int GetHashCode(object obj) => obj is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : obj.GetHashCode();
    }
}
