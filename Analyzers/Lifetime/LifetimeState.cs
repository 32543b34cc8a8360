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

    private static readonly Holder[] s_noHolders = [];

    /// <summary>
    /// Locals (<see cref="ILocalSymbol"/>) and flow captures (<c>CaptureId</c>) with the sites whose block they may
    /// hold, none of them holding nothing. A function has a handful at a time: an array copied on write is
    /// cheaper to search and change than a hashed immutable map.
    /// </summary>
    private readonly Holder[] _holders;

    private LifetimeState(ImmutableArray<BlockFacts?> blocks, Holder[] holders)
    {
        Blocks = blocks;
        _holders = holders;
    }

    public ImmutableArray<BlockFacts?> Blocks { get; }

    public static LifetimeState Entry(int sites) => new(ImmutableArray.Create(new BlockFacts?[sites]), s_noHolders);

    public ulong HeldBy(object holder) => IndexOf(_holders, holder) is var index and >= 0 ? _holders[index].Sites : 0;

    public LifetimeState WithHolder(object holder, ulong sites)
    {
        int index = IndexOf(_holders, holder);
        if (sites == 0)
        {
            return index < 0 ? this : new LifetimeState(Blocks, Without(_holders, index));
        }

        if (index >= 0)
        {
            if (_holders[index].Sites == sites)
            {
                return this;
            }

            var changed = (Holder[])_holders.Clone();
            changed[index] = new Holder(holder, sites);
            return new LifetimeState(Blocks, changed);
        }

        var added = new Holder[_holders.Length + 1];
        System.Array.Copy(_holders, added, _holders.Length);
        added[_holders.Length] = new Holder(holder, sites);
        return new LifetimeState(Blocks, added);
    }

    public LifetimeState WithBlock(int site, BlockFacts? facts)
        => Equals(Blocks[site], facts) ? this : new LifetimeState(Blocks.SetItem(site, facts), _holders);

    /// <summary>A new block at <paramref name="site"/>: holders of the block the site made before (an earlier loop iteration) stop following it.</summary>
    public LifetimeState Allocated(int site, bool mayBeNull)
    {
        ulong bit = 1UL << site;
        Holder[] holders = _holders;
        for (int i = holders.Length - 1; i >= 0; i--)
        {
            if ((holders[i].Sites & bit) != 0)
            {
                ulong rest = holders[i].Sites & ~bit;
                if (rest == 0)
                {
                    holders = Without(holders, i);
                }
                else
                {
                    holders = ReferenceEquals(holders, _holders) ? (Holder[])holders.Clone() : holders;
                    holders[i] = new Holder(holders[i].Key, rest);
                }
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

        return builder is null ? this : new LifetimeState(builder.MoveToImmutable(), _holders);
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

        List<Holder>? holders = null;
        foreach (Holder holder in right._holders)
        {
            int index = IndexOf(left._holders, holder.Key);
            ulong mine = index >= 0 ? left._holders[index].Sites : 0;
            if ((mine | holder.Sites) != mine)
            {
                // The right side's holders are distinct, so one missing on the left is added once.
                holders ??= [.. left._holders];
                if (index >= 0)
                {
                    holders[index] = new Holder(holder.Key, mine | holder.Sites);
                }
                else
                {
                    holders.Add(holder);
                }
            }
        }

        return new LifetimeState(ImmutableArray.Create(blocks), holders is null ? left._holders : [.. holders]);
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

        if (left._holders.Length != right._holders.Length)
        {
            return false;
        }

        foreach (Holder holder in left._holders)
        {
            if (right.HeldBy(holder.Key) != holder.Sites)
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOf(Holder[] holders, object key)
    {
        for (int i = 0; i < holders.Length; i++)
        {
            if (SameHolder(holders[i].Key, key))
            {
                return i;
            }
        }

        return -1;
    }

    private static Holder[] Without(Holder[] holders, int index)
    {
        if (holders.Length == 1)
        {
            return s_noHolders;
        }

        var rest = new Holder[holders.Length - 1];
        System.Array.Copy(holders, rest, index);
        System.Array.Copy(holders, index + 1, rest, index, holders.Length - index - 1);
        return rest;
    }

    /// <summary>Locals compare as symbols, flow captures by their id.</summary>
    private static bool SameHolder(object x, object y)
        => ReferenceEquals(x, y) || (x is ISymbol left && y is ISymbol right ? SymbolEqualityComparer.Default.Equals(left, right) : x.Equals(y));

    private readonly struct Holder(object key, ulong sites)
    {
        public object Key { get; } = key;

        public ulong Sites { get; } = sites;
    }
}
