using System;
using System.Collections.Immutable;

namespace PoolAnalyzers.Irql;

/// <summary>
/// The IRQL state at a program point: a few path classes (<see cref="IrqlPath"/>), at most
/// <see cref="MaxPaths"/>. Beyond that every class is merged into one and the state is marked
/// <see cref="Collapsed"/>: its IRQLs still count, but which lock or raise is in force is no longer
/// known, so nothing is reported about returning with it.
/// </summary>
internal sealed class IrqlState
{
    public const int MaxPaths = 8;

    private IrqlState(ImmutableArray<IrqlPath> paths, bool collapsed)
    {
        Paths = paths;
        Collapsed = collapsed;
    }

    /// <summary>The state at a function's entry.</summary>
    public static IrqlState Entry { get; } = new([IrqlPath.Start], false);

    public ImmutableArray<IrqlPath> Paths { get; }

    public bool Collapsed { get; }

    public static IrqlState Join(IrqlState left, IrqlState right)
    {
        if (ReferenceEquals(left, right))
        {
            return left;
        }

        var paths = left.Paths.ToBuilder();
        bool changed = false;
        foreach (IrqlPath path in right.Paths)
        {
            int match = IndexOfClass(paths, path);
            if (match < 0)
            {
                paths.Add(path);
                changed = true;
            }
            else
            {
                IrqlPath merged = paths[match].Merge(path);
                if (!merged.Same(paths[match]))
                {
                    paths[match] = merged;
                    changed = true;
                }
            }
        }

        bool collapsed = left.Collapsed | right.Collapsed;
        if (!changed && collapsed == left.Collapsed)
        {
            return left;
        }

        return paths.Count > MaxPaths ? Collapse(paths) : new IrqlState(paths.ToImmutable(), collapsed);
    }

    public static bool Same(IrqlState left, IrqlState right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Collapsed != right.Collapsed || left.Paths.Length != right.Paths.Length)
        {
            return false;
        }

        foreach (IrqlPath path in left.Paths)
        {
            int match = IndexOfClass(right.Paths, path);
            if (match < 0 || !right.Paths[match].Same(path))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Each path transformed; a null result drops the path. Null when no path is left (the point is unreachable).</summary>
    /// <remarks>The argument is passed through so a caller's transform needs no closure (one per operation walked).</remarks>
    public IrqlState? Map<TArgument>(Func<IrqlPath, TArgument, IrqlPath?> transform, TArgument argument)
    {
        if (Paths.Length == 1)
        {
            // The common case (no lock or raise whose pairing differs between paths): no builder.
            IrqlPath? only = transform(Paths[0], argument);
            return only is null ? null : ReferenceEquals(only, Paths[0]) ? this : new IrqlState([only], Collapsed);
        }

        ImmutableArray<IrqlPath>.Builder? paths = null;
        for (int i = 0; i < Paths.Length; i++)
        {
            IrqlPath? result = transform(Paths[i], argument);
            if (paths is null && !ReferenceEquals(result, Paths[i]))
            {
                paths = ImmutableArray.CreateBuilder<IrqlPath>(Paths.Length);
                for (int j = 0; j < i; j++)
                {
                    paths.Add(Paths[j]);
                }
            }

            if (paths is not null && result is not null)
            {
                int match = IndexOfClass(paths, result);
                if (match < 0)
                {
                    paths.Add(result);
                }
                else
                {
                    paths[match] = paths[match].Merge(result);
                }
            }
        }

        if (paths is null)
        {
            return this;
        }

        return paths.Count == 0 ? null : paths.Count > MaxPaths ? Collapse(paths) : new IrqlState(paths.ToImmutable(), Collapsed);
    }

    private static IrqlState Collapse(ImmutableArray<IrqlPath>.Builder paths)
    {
        IrqlPath merged = paths[0];
        for (int i = 1; i < paths.Count; i++)
        {
            merged = merged.Merge(paths[i]);
        }

        return new IrqlState([merged], collapsed: true);
    }

    private static int IndexOfClass(ImmutableArray<IrqlPath>.Builder paths, IrqlPath path)
    {
        for (int i = 0; i < paths.Count; i++)
        {
            if (paths[i].SameClass(path))
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfClass(ImmutableArray<IrqlPath> paths, IrqlPath path)
    {
        for (int i = 0; i < paths.Length; i++)
        {
            if (paths[i].SameClass(path))
            {
                return i;
            }
        }

        return -1;
    }
}
