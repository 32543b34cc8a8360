using System;
using System.Globalization;
using System.IO;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>What made an IRQL possible at a point, for messages.</summary>
internal enum OriginKind
{
    /// <summary>A spin lock acquired (the routine raises to DISPATCH_LEVEL).</summary>
    SpinLock,

    /// <summary>An in-stack queued spin lock acquired.</summary>
    QueuedSpinLock,

    /// <summary>The IRQL raised by a runtime routine (<c>KeRaiseIrql</c>, <c>KeRaiseIrqlToDpcLevel</c>).</summary>
    Raise,

    /// <summary>The IRQL set to a constant (<c>KeLowerIrql(PASSIVE_LEVEL)</c>).</summary>
    Set,

    /// <summary>The IRQL left raised by a call to a method of the project.</summary>
    Callee,

    /// <summary>The function's own requirement attributes.</summary>
    Annotation,

    /// <summary>The function converted to a delegate type with IRQL attributes.</summary>
    Role,

    /// <summary>The function given as a DPC's deferred routine (<c>KeInitializeDpc</c>): it runs at DISPATCH_LEVEL, for the DPC and for any timer that queues it.</summary>
    DeferredRoutine,

    /// <summary>A call from another function that runs at the level.</summary>
    Caller,
}

/// <summary>
/// Why a level is possible: the call or conversion that made it so, and for a caller the reason the
/// caller runs there, so a message can show the whole chain. Equal origins name the same site.
/// </summary>
internal sealed class Origin : IEquatable<Origin>
{
    private Origin(OriginKind kind, SyntaxNode? site, string name, Origin? inner)
    {
        Kind = kind;
        Site = site;
        Name = name;
        Inner = inner;
    }

    public OriginKind Kind { get; }

    /// <summary>The call, conversion or declaration the origin points at.</summary>
    public SyntaxNode? Site { get; }

    /// <summary>The routine called, the delegate type, the DPC initializer, the annotation text, or the calling function.</summary>
    public string Name { get; }

    /// <summary>For <see cref="OriginKind.Caller"/>: why the caller runs at the level.</summary>
    public Origin? Inner { get; }

    public static Origin Change(OriginKind kind, SyntaxNode site, string routine) => new(kind, site, routine, null);

    public static Origin Annotation(SyntaxNode? declaration, string annotation) => new(OriginKind.Annotation, declaration, annotation, null);

    public static Origin Role(SyntaxNode conversion, string delegateType) => new(OriginKind.Role, conversion, delegateType, null);

    public static Origin DeferredRoutine(SyntaxNode argument, string initializer) => new(OriginKind.DeferredRoutine, argument, initializer, null);

    public static Origin Caller(SyntaxNode call, string caller, Origin? why) => new(OriginKind.Caller, call, caller, why);

    /// <summary>Where a site is, the way messages cite it: <c>Send.cs:12</c>.</summary>
    public static string Cite(SyntaxNode node)
    {
        FileLinePositionSpan span = node.GetLocation().GetLineSpan();
        string file = Path.GetFileName(span.Path);
        return (file.Length == 0 ? "line " : file + ":") + (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The origin as a clause: <c>spin lock acquired at Send.cs:12</c>.</summary>
    public string Describe() => Kind switch
    {
        OriginKind.SpinLock => "spin lock acquired at " + Cite(Site!),
        OriginKind.QueuedSpinLock => "queued spin lock acquired at " + Cite(Site!),
        OriginKind.Raise => "IRQL raised at " + Cite(Site!),
        OriginKind.Set => "IRQL set at " + Cite(Site!),
        OriginKind.Callee => "IRQL raised by '" + Name + "' at " + Cite(Site!),
        OriginKind.Annotation => "annotated " + Name,
        OriginKind.Role => "a '" + Name + "' routine, converted at " + Cite(Site!),
        OriginKind.DeferredRoutine => "the deferred routine of a DPC, " + Name + " at " + Cite(Site!),
        _ => "called from '" + Name + "'" + (Inner is null ? string.Empty : ", " + Inner.DescribeChain()),
    };

    /// <summary>A caller chain without its first <c>called from</c>: <c>'SendPacket' (spin lock acquired at Send.cs:12)</c>.</summary>
    public string DescribeChain() => Kind == OriginKind.Caller
        ? "'" + Name + "'" + (Inner is null ? string.Empty : Inner.Kind == OriginKind.Caller ? ", called from " + Inner.DescribeChain() : " (" + Inner.Describe() + ")")
        : Describe();

    public bool Equals(Origin? other)
        => other is not null
            && Kind == other.Kind
            && Name == other.Name
            && SameSite(Site, other.Site)
            && (Inner is null ? other.Inner is null : Inner.Equals(other.Inner));

    public override bool Equals(object? obj) => Equals(obj as Origin);

    public override int GetHashCode() => ((int)Kind * 397) ^ (Site?.SpanStart ?? 0) ^ StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>The same node of the same tree (nodes are compared by position, so a tree bound twice still matches).</summary>
    public static bool SameSite(SyntaxNode? left, SyntaxNode? right)
        => ReferenceEquals(left, right)
            || (left is not null && right is not null && left.RawKind == right.RawKind && left.Span == right.Span && left.SyntaxTree == right.SyntaxTree);
}
