using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// An expected diagnostic: ID, optional severity, optional message (literal or formatted from
/// the descriptor and <see cref="MessageArguments"/>) and zero or more locations, the first being
/// the primary one. Built fluently: <c>VerifyCS.Diagnostic("POOL001").WithLocation(0).WithArguments("ExAllocatePool")</c>.
/// </summary>
/// <remarks>
/// What is compared: the ID always; the severity when set (a descriptor sets it); the message when
/// <see cref="WithMessage"/> or <see cref="WithArguments"/> was used; the primary location (a result
/// without locations matches only a diagnostic without a source location), and the additional
/// locations when more than one location was given.
/// </remarks>
public readonly struct DiagnosticResult : IEquatable<DiagnosticResult>
{
    private readonly string? _message;
    private readonly ImmutableArray<DiagnosticLocation> _spans;

    private DiagnosticResult(
        string id,
        DiagnosticSeverity? severity,
        LocalizableString? messageFormat,
        string? message,
        ImmutableArray<object?> messageArguments,
        ImmutableArray<DiagnosticLocation> locations)
    {
        Id = id;
        Severity = severity;
        MessageFormat = messageFormat;
        _message = message;
        MessageArguments = messageArguments;
        _spans = locations;
    }

    /// <summary>Creates an expected diagnostic with an ID and severity.</summary>
    public DiagnosticResult(string id, DiagnosticSeverity severity)
        : this(id, severity, null, null, default, ImmutableArray<DiagnosticLocation>.Empty)
    {
    }

    /// <summary>Creates an expected diagnostic from a descriptor: its ID, default severity and message format.</summary>
    public DiagnosticResult(DiagnosticDescriptor descriptor)
        : this(descriptor.Id, descriptor.DefaultSeverity, descriptor.MessageFormat, null, default, ImmutableArray<DiagnosticLocation>.Empty)
    {
    }

    /// <summary>The diagnostic ID, e.g. <c>POOL001</c>.</summary>
    public string Id { get; }

    /// <summary>The expected severity, or null to accept any.</summary>
    public DiagnosticSeverity? Severity { get; }

    /// <summary>The descriptor's message format, when the result came from a descriptor.</summary>
    public LocalizableString? MessageFormat { get; }

    /// <summary>The message arguments given by <see cref="WithArguments"/>; default when none were given.</summary>
    public ImmutableArray<object?> MessageArguments { get; }

    /// <summary>The expected locations, the primary one first; empty means the diagnostic must have no source location.</summary>
    public ImmutableArray<DiagnosticLocation> Spans => _spans.IsDefault ? ImmutableArray<DiagnosticLocation>.Empty : _spans;

    /// <summary>True when at least one location was given.</summary>
    public bool HasLocation => !Spans.IsEmpty;

    /// <summary>
    /// The expected message: the literal from <see cref="WithMessage"/>, else the descriptor's format
    /// filled with <see cref="MessageArguments"/>, else null (not compared).
    /// </summary>
    public string? Message
    {
        get
        {
            if (_message is not null)
            {
                return _message;
            }

            if (MessageFormat is null || MessageArguments.IsDefault)
            {
                return null;
            }

            string format = MessageFormat.ToString(CultureInfo.InvariantCulture);
            try
            {
                return string.Format(CultureInfo.InvariantCulture, format, MessageArguments.ToArray());
            }
            catch (FormatException)
            {
                return format;
            }
        }
    }

    /// <summary>The same diagnostic with a location given by a <c>{|#key:…|}</c> markup span.</summary>
    public DiagnosticResult WithLocation(int markupKey) => WithAddedLocation(DiagnosticLocation.FromMarkupKey(markupKey));

    /// <summary>The same diagnostic expected to start at a 1-based line and column of the first source (end not checked).</summary>
    public DiagnosticResult WithLocation(int line, int column) => WithLocation(string.Empty, line, column);

    /// <summary>The same diagnostic expected to start at a 1-based line and column of the named source (end not checked).</summary>
    public DiagnosticResult WithLocation(string path, int line, int column)
    {
        var position = ToPosition(line, column);
        return WithAddedLocation(DiagnosticLocation.FromSpan(new FileLinePositionSpan(path, position, position), ignoreEnd: true));
    }

    /// <summary>The same diagnostic with a 1-based span in the first source.</summary>
    public DiagnosticResult WithSpan(int startLine, int startColumn, int endLine, int endColumn) =>
        WithSpan(string.Empty, startLine, startColumn, endLine, endColumn);

    /// <summary>The same diagnostic with a 1-based span in the named source (e.g. <c>/0/Test1.cs</c>).</summary>
    public DiagnosticResult WithSpan(string path, int startLine, int startColumn, int endLine, int endColumn)
    {
        var span = new FileLinePositionSpan(path, ToPosition(startLine, startColumn), ToPosition(endLine, endColumn));
        return WithAddedLocation(DiagnosticLocation.FromSpan(span, ignoreEnd: false));
    }

    /// <summary>The same diagnostic with an already resolved (0-based) span.</summary>
    public DiagnosticResult WithSpan(FileLinePositionSpan span) => WithAddedLocation(DiagnosticLocation.FromSpan(span, ignoreEnd: false));

    /// <summary>The same diagnostic with its message formatted from the descriptor and these arguments.</summary>
    public DiagnosticResult WithArguments(params object?[] arguments) =>
        new(Id, Severity, MessageFormat, _message, arguments.ToImmutableArray(), Spans);

    /// <summary>The same diagnostic with a literal expected message.</summary>
    public DiagnosticResult WithMessage(string? message) =>
        new(Id, Severity, MessageFormat, message, MessageArguments, Spans);

    /// <summary>The same diagnostic with a literal expected message format (arguments from <see cref="WithArguments"/>).</summary>
    public DiagnosticResult WithMessageFormat(LocalizableString messageFormat) =>
        new(Id, Severity, messageFormat, _message, MessageArguments, Spans);

    /// <summary>The same diagnostic with an expected severity.</summary>
    public DiagnosticResult WithSeverity(DiagnosticSeverity severity) =>
        new(Id, severity, MessageFormat, _message, MessageArguments, Spans);

    /// <summary>The same diagnostic with its severity left unchecked.</summary>
    public DiagnosticResult WithNoSeverity() =>
        new(Id, null, MessageFormat, _message, MessageArguments, Spans);

    /// <summary>The same diagnostic with every markup-key location replaced by its resolved span.</summary>
    internal DiagnosticResult WithResolvedLocations(Func<int, FileLinePositionSpan> resolve)
    {
        var builder = ImmutableArray.CreateBuilder<DiagnosticLocation>(Spans.Length);
        foreach (var location in Spans)
        {
            builder.Add(location.MarkupKey is int key ? DiagnosticLocation.FromSpan(resolve(key), ignoreEnd: false) : location);
        }

        return new DiagnosticResult(Id, Severity, MessageFormat, _message, MessageArguments, builder.MoveToImmutable());
    }

    /// <summary>The same diagnostic with every empty path replaced by <paramref name="defaultPath"/>.</summary>
    internal DiagnosticResult WithDefaultPath(string defaultPath)
    {
        var builder = ImmutableArray.CreateBuilder<DiagnosticLocation>(Spans.Length);
        foreach (var location in Spans)
        {
            if (location.MarkupKey is null && location.Span.Path.Length == 0)
            {
                var span = new FileLinePositionSpan(defaultPath, location.Span.StartLinePosition, location.Span.EndLinePosition);
                builder.Add(DiagnosticLocation.FromSpan(span, location.IgnoreEnd));
            }
            else
            {
                builder.Add(location);
            }
        }

        return new DiagnosticResult(Id, Severity, MessageFormat, _message, MessageArguments, builder.MoveToImmutable());
    }

    /// <summary>The paste-ready C# form, e.g. <c>VerifyCS.Diagnostic("POOL001").WithSpan(3, 9, 3, 40).WithArguments("x")</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("VerifyCS.Diagnostic(").Append(CSharpLiteral.Of(Id)).Append(')');
        foreach (var location in Spans)
        {
            if (location.MarkupKey is int key)
            {
                text.Append(".WithLocation(").Append(key.ToString(CultureInfo.InvariantCulture)).Append(')');
                continue;
            }

            var span = location.Span;
            text.Append(location.IgnoreEnd ? ".WithLocation(" : ".WithSpan(");
            if (span.Path.Length > 0)
            {
                text.Append(CSharpLiteral.Of(span.Path)).Append(", ");
            }

            text.Append(Invariant(span.StartLinePosition.Line + 1)).Append(", ").Append(Invariant(span.StartLinePosition.Character + 1));
            if (!location.IgnoreEnd)
            {
                text.Append(", ").Append(Invariant(span.EndLinePosition.Line + 1)).Append(", ").Append(Invariant(span.EndLinePosition.Character + 1));
            }

            text.Append(')');
        }

        if (_message is not null)
        {
            text.Append(".WithMessage(").Append(CSharpLiteral.Of(_message)).Append(')');
        }
        else if (!MessageArguments.IsDefault)
        {
            text.Append(".WithArguments(").Append(string.Join(", ", MessageArguments.Select(CSharpLiteral.Of))).Append(')');
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(DiagnosticResult other) =>
        Id == other.Id && Severity == other.Severity && Message == other.Message && ToString() == other.ToString();

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DiagnosticResult other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Severity, ToString());

    /// <summary>Value equality.</summary>
    public static bool operator ==(DiagnosticResult left, DiagnosticResult right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(DiagnosticResult left, DiagnosticResult right) => !left.Equals(right);

    private DiagnosticResult WithAddedLocation(DiagnosticLocation location) =>
        new(Id, Severity, MessageFormat, _message, MessageArguments, Spans.Add(location));

    private static LinePosition ToPosition(int line, int column)
    {
        if (line < 1 || column < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(line), $"Lines and columns are 1-based; got line {line}, column {column}.");
        }

        return new LinePosition(line - 1, column - 1);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
