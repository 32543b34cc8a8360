using System;
using System.Text;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A pool tag: a ULONG of up to four printable characters that names the code path owning a block.
/// </summary>
/// <remarks>
/// The first character goes in the lowest byte, so <c>"Fred"</c> is <c>0x64657246</c> and
/// displays as <c>Fred</c>, the way pool dumps print it. Shorter text is padded with spaces.
/// <see cref="PROTECTED_POOL"/> may be ORed into a numeric tag: such a block can only be freed by
/// <c>ExFreePoolWithTag</c> with the same tag. <c>default(PoolTag)</c> is tag 0, "no tag".
/// </remarks>
public readonly struct PoolTag : IEquatable<PoolTag>
{
    /// <summary>The tag bit that marks a block as freeable only with its own tag.</summary>
    public const uint PROTECTED_POOL = 0x80000000;

    /// <summary>Creates a tag from its numeric value, validated like <see cref="op_Implicit(uint)"/>.</summary>
    public PoolTag(uint value)
    {
        string? error = Validate(value);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(value));
        }

        Value = value;
    }

    private PoolTag(uint value, bool _) => Value = value;

    /// <summary>The ULONG the kernel stores, <see cref="PROTECTED_POOL"/> bit included.</summary>
    public uint Value { get; }

    /// <summary>True when <see cref="PROTECTED_POOL"/> is set.</summary>
    public bool IsProtected => (Value & PROTECTED_POOL) != 0;

    /// <summary>The tag with <see cref="PROTECTED_POOL"/> removed: the value accounting and comparisons use.</summary>
    public PoolTag Unprotected => new(Value & ~PROTECTED_POOL, false);

    /// <summary>True for tag 0 (no tag).</summary>
    public bool IsNone => Value == 0;

    /// <summary>Converts text of 1–4 characters in 0x20–0x7E; shorter text is padded with spaces.</summary>
    /// <exception cref="ArgumentException">The text breaks a tag rule; the message says which.</exception>
    public static implicit operator PoolTag(string text) => FromString(text);

    /// <summary>Converts a numeric tag: 0, or 1–4 bytes in 0x20–0x7E from the lowest byte up (NUL only above the last character), optionally with <see cref="PROTECTED_POOL"/>.</summary>
    /// <exception cref="ArgumentException">A byte breaks a tag rule; the message says which.</exception>
    public static implicit operator PoolTag(uint value) => new(value);

    /// <summary>The numeric value of <paramref name="tag"/>.</summary>
    public static implicit operator uint(PoolTag tag) => tag.Value;

    /// <summary>Named alternative to the string conversion.</summary>
    public static PoolTag FromString(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text), "A pool tag cannot be null; write 1 to 4 characters such as \"Fred\".");
        }

        string? error = ValidateText(text);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(text));
        }

        uint value = 0;
        for (int i = 0; i < 4; i++)
        {
            uint c = i < text.Length ? text[i] : ' ';
            value |= c << (8 * i);
        }

        return new PoolTag(value, false);
    }

    /// <summary>Named alternative to the numeric conversion.</summary>
    public static PoolTag FromUInt32(uint value) => new(value);

    /// <summary>The numeric value of the tag.</summary>
    public uint ToUInt32() => Value;

    /// <summary>Returns null when <paramref name="text"/> is a valid tag, otherwise why it is not.</summary>
    public static string? ValidateText(string text)
    {
        if (text.Length == 0)
        {
            return "A pool tag needs 1 to 4 characters; the text is empty.";
        }

        if (text.Length > 4)
        {
            return $"A pool tag has at most 4 characters; \"{text}\" has {text.Length}.";
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x20 || c > 0x7E)
            {
                return $"Pool tag \"{Escape(text)}\" has character {Describe(c)} at position {i}; every character must be printable ASCII (0x20-0x7E).";
            }
        }

        return null;
    }

    /// <summary>Returns null when <paramref name="value"/> is a valid numeric tag (or 0), otherwise why it is not.</summary>
    public static string? Validate(uint value)
    {
        uint bare = value & ~PROTECTED_POOL;
        if (bare == 0)
        {
            return value == 0 ? null : "Pool tag 0x80000000 is PROTECTED_POOL with no characters; a tag needs 1 to 4 characters.";
        }

        bool ended = false;
        for (int i = 0; i < 4; i++)
        {
            uint b = (bare >> (8 * i)) & 0xFF;
            if (b == 0)
            {
                ended = true;
                continue;
            }

            if (ended)
            {
                return $"Pool tag 0x{value:X8} has a NUL byte before character {i}; characters run from the lowest byte up with no gaps.";
            }

            if (b < 0x20 || b > 0x7E)
            {
                return $"Pool tag 0x{value:X8} has byte 0x{b:X2} at position {i}; every character must be printable ASCII (0x20-0x7E).";
            }
        }

        return null;
    }

    /// <summary>True when at least one character is a letter or a digit (the kernel bug-checks tags without one).</summary>
    public bool HasLetterOrDigit
    {
        get
        {
            uint bare = Value & ~PROTECTED_POOL;
            for (int i = 0; i < 4; i++)
            {
                char c = (char)((bare >> (8 * i)) & 0xFF);
                if (c is >= '0' and <= '9' or >= 'A' and <= 'Z' or >= 'a' and <= 'z')
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The four characters in dump order (lowest byte first); "(none)" for tag 0. A protected tag is shown without its bit.</summary>
    public override string ToString()
    {
        uint bare = Value & ~PROTECTED_POOL;
        if (bare == 0)
        {
            return "(none)";
        }

        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            uint b = (bare >> (8 * i)) & 0xFF;
            chars[i] = b is >= 0x20 and <= 0x7E ? (char)b : b == 0 ? ' ' : '?';
        }

        return new string(chars);
    }

    /// <inheritdoc/>
    public bool Equals(PoolTag other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PoolTag other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Value;

    /// <summary>Compares the numeric values, protection bit included.</summary>
    public static bool operator ==(PoolTag left, PoolTag right) => left.Value == right.Value;

    /// <summary>Compares the numeric values, protection bit included.</summary>
    public static bool operator !=(PoolTag left, PoolTag right) => left.Value != right.Value;

    private static string Describe(char c) => $"'{Escape(c.ToString())}' (U+{(int)c:X4})";

    private static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= (char)0x20 and <= (char)0x7E)
            {
                sb.Append(c);
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
