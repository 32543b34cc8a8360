using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The findings a shared analysis made in each member body, so the other rules on it report them without
/// analyzing again. Keyed by the body's syntax, which is the same object for every rule's callback and
/// lives as long as the compilation anyway: a lookup hashes one reference, where a key by member symbol
/// hashes the symbol's names, and a weak table keyed by the operation tree pays a GC handle per body.
/// </summary>
/// <remarks>
/// Only answers that were expensive are kept for the whole compilation (<see cref="Keep"/>; the IRQL
/// engine keeps its own on each member's flow instead, which it holds anyway). A cheap one
/// (most bodies touch nothing the analysis follows) is remembered for the last body only, or rather the
/// last with findings and the last without (<see cref="Remember"/>): the rules on one body run one after
/// another, and if another body came in between, the answer is simply worked out again.
/// </remarks>
internal sealed class BodyFindings
{
    private readonly ConcurrentDictionary<SyntaxNode, ImmutableArray<BodyFinding>> _kept = new(ReferenceComparer<SyntaxNode>.Instance);
    private Last? _last;

    // The usual answer, no finding, needs no object: the body alone says it. Each field holds a body and
    // its own answer, so a reader that sees either sees a true one.
    private SyntaxNode? _lastWithout;

    public bool TryGet(IOperation body, out ImmutableArray<BodyFinding> findings)
    {
        SyntaxNode syntax = body.Syntax;
        if (ReferenceEquals(Volatile.Read(ref _lastWithout), syntax))
        {
            findings = [];
            return true;
        }

        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Body, syntax))
        {
            findings = last.Findings;
            return true;
        }

        return _kept.TryGetValue(syntax, out findings);
    }

    /// <summary>Keeps an expensive answer for the compilation: <paramref name="findings"/>, unless another thread kept its own first.</summary>
    public ImmutableArray<BodyFinding> Keep(IOperation body, ImmutableArray<BodyFinding> findings)
        => Remember(body, _kept.GetOrAdd(body.Syntax, findings));

    /// <summary>Remembers a cheap answer until the next body's.</summary>
    public ImmutableArray<BodyFinding> Remember(IOperation body, ImmutableArray<BodyFinding> findings)
    {
        if (findings.IsEmpty)
        {
            Volatile.Write(ref _lastWithout, body.Syntax);
        }
        else
        {
            Volatile.Write(ref _last, new Last(body.Syntax, findings));
        }

        return findings;
    }

    private sealed class Last(SyntaxNode body, ImmutableArray<BodyFinding> findings)
    {
        public SyntaxNode Body { get; } = body;

        public ImmutableArray<BodyFinding> Findings { get; } = findings;
    }
}
