using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The operations of a member body that the flow analyses decide on before they build anything: calls,
/// object and delegate creations, lambdas, local functions and addresses taken. Every body of a
/// compilation is asked about by the IRQL engine and by the pointer-lifetime analysis; one walk of its
/// operation tree usually answers both.
/// </summary>
/// <remarks>
/// Remembered, weakly, for the last body each thread scanned: the rules on one body run one after
/// another, and the operation tree stays cached in its semantic model, so when the memo is gone a
/// second walk only re-reads it. A weak table keyed by every body of the compilation would cost a GC
/// handle per body; a strong memo would keep the last compilation alive on every thread. The memo is
/// one object per thread, overwritten by each scan: a new one is made only after a collection took it.
/// </remarks>
internal static class BodyScan
{
    [ThreadStatic]
    private static WeakReference<Scanned>? t_last;

    /// <summary>One growing buffer per thread, so each body's result is allocated once, at its final size.</summary>
    [ThreadStatic]
    private static ImmutableArray<IOperation>.Builder? t_found;

    /// <summary>The deciding operations of <paramref name="body"/> and everything nested in it (lambdas and local functions included), in tree order.</summary>
    public static ImmutableArray<IOperation> Of(IOperation body) => ScanOf(body).Operations;

    /// <summary>True when <paramref name="body"/> contains a lambda or anonymous method (which a flow analysis must analyze as a function of its own).</summary>
    public static bool HasLambdas(IOperation body) => ScanOf(body).HasLambdas;

    private static Scanned ScanOf(IOperation body)
    {
        WeakReference<Scanned> last = t_last ??= new WeakReference<Scanned>(null!);
        if (!last.TryGetTarget(out Scanned? memo))
        {
            memo = new Scanned();
            last.SetTarget(memo);
        }
        else if (ReferenceEquals(memo.Body, body))
        {
            return memo;
        }

        Scan(body, memo);
        return memo;
    }

    private static void Scan(IOperation body, Scanned memo)
    {
        ImmutableArray<IOperation>.Builder found = t_found ??= ImmutableArray.CreateBuilder<IOperation>(64);
        bool hasLambdas = false;
        Collect(body, found, ref hasLambdas);
        memo.Body = body;
        memo.Operations = found.ToImmutable();
        memo.HasLambdas = hasLambdas;
        found.Clear(); // Holds no operation tree alive until the next body.
    }

    // Recursion over ChildOperations (a struct enumerator) instead of Descendants(), whose iterator
    // allocates a stack of enumerators for every body of the compilation.
    private static void Collect(IOperation operation, ImmutableArray<IOperation>.Builder found, ref bool hasLambdas)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            switch (child.Kind)
            {
                case OperationKind.Literal or OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.InstanceReference
                    or OperationKind.DefaultValue or OperationKind.TypeOf or OperationKind.SizeOf:
                    // Leaves, most of a body's operations: nothing below them to look at.
                    continue;
                case OperationKind.AnonymousFunction:
                    hasLambdas = true;
                    found.Add(child);
                    break;
                case OperationKind.Invocation or OperationKind.ObjectCreation or OperationKind.DelegateCreation or OperationKind.LocalFunction or OperationKind.AddressOf:
                    found.Add(child);
                    break;
            }

            Collect(child, found, ref hasLambdas);
        }
    }

    /// <summary>The last scan of a thread; only <see cref="Scan"/> writes it, and only its own thread reads it.</summary>
    private sealed class Scanned
    {
        public IOperation? Body { get; set; }

        public ImmutableArray<IOperation> Operations { get; set; } = [];

        public bool HasLambdas { get; set; }
    }
}
