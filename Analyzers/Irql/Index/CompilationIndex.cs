using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql.Index;

/// <summary>
/// The <see cref="TreeIndex"/> of every tree of a compilation, merged: which member bodies mention a
/// name (the candidates among which the callers of a method are found by binding), and which method
/// names may change the IRQL.
/// </summary>
/// <remarks>
/// A name may change the IRQL when it is one of the runtime routines that raise, lower, acquire or
/// release, when a method of that name is declared with <c>[IrqlRaises]</c>, <c>[IrqlSaves]</c> or
/// <c>[IrqlRestores]</c>, or when a method of that name mentions such a name (to a fixed point). By name
/// it over-approximates, which is all a filter must do: only methods whose name passes get their exit
/// IRQL computed, and a virtual call to a name that does not pass leaves the IRQL alone. A method
/// of another assembly annotated to change the IRQL, called from a helper of this project, is not
/// seen through that helper (the helper's own body still is).
/// </remarks>
internal sealed class CompilationIndex
{
    private static readonly List<IndexedMember> s_none = [];

    private readonly Dictionary<string, List<IndexedMember>> _mentioning;
    private readonly HashSet<string> _changers;

    private CompilationIndex(Dictionary<string, List<IndexedMember>> mentioning, HashSet<string> changers)
    {
        _mentioning = mentioning;
        _changers = changers;
    }

    public static CompilationIndex Build(Compilation compilation, IEnumerable<string> changingRoutines, CancellationToken cancellationToken)
    {
        var mentioning = new Dictionary<string, List<IndexedMember>>(StringComparer.Ordinal);
        var changers = new HashSet<string>(changingRoutines, StringComparer.Ordinal);
        var pending = new Queue<string>(changers);
        var scanner = new MentionScanner();
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            foreach (IndexedMember member in TreeIndex.For(tree, scanner, cancellationToken).Members)
            {
                foreach (string name in member.Mentions)
                {
                    if (!mentioning.TryGetValue(name, out List<IndexedMember>? members))
                    {
                        members = [];
                        mentioning.Add(name, members);
                    }

                    members.Add(member);
                }

                if (member.DeclaresIrqlEffect && member.Name is { } annotated && changers.Add(annotated))
                {
                    pending.Enqueue(annotated);
                }
            }
        }

        while (pending.Count > 0)
        {
            if (!mentioning.TryGetValue(pending.Dequeue(), out List<IndexedMember>? callers))
            {
                continue;
            }

            foreach (IndexedMember caller in callers)
            {
                if (caller.Name is { } name && changers.Add(name))
                {
                    pending.Enqueue(name);
                }
            }
        }

        return new CompilationIndex(mentioning, changers);
    }

    /// <summary>The member bodies that mention <paramref name="name"/>, in compilation order.</summary>
    public IReadOnlyList<IndexedMember> Mentioning(string name) => _mentioning.TryGetValue(name, out List<IndexedMember>? members) ? members : s_none;

    public bool MayChangeIrql(string name) => _changers.Contains(name);
}
