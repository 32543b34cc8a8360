using System.Globalization;
using System.Text;

namespace PoolAnalyzers;

/// <summary>What is wrong with a constant pool tag.</summary>
internal enum TagProblem
{
    None,
    Null,
    Empty,
    TooLong,
    NotPrintable,
    NulGap,
    Reserved,
    NoLetterOrDigit,
    Zero,
    ProtectedOnly,
}

/// <summary>The outcome of checking one constant tag: the problem and, where it matters, the position or length involved.</summary>
internal readonly struct TagCheck
{
    public TagCheck(TagProblem problem, int detail = 0)
    {
        Problem = problem;
        Detail = detail;
    }

    public TagProblem Problem { get; }

    /// <summary>The offending position (characters, bytes) or the text length (too long).</summary>
    public int Detail { get; }

    public bool IsValid => Problem == TagProblem.None;
}

/// <summary>
/// The kernel's rules for a pool tag (KERNEL-FACTS §2), applied to constants: 1–4 characters in
/// 0x20–0x7E, not the big-page tracker's <c>"BIG "</c>, at least one letter or digit, not 0.
/// Numeric tags put the first character in the lowest byte; <c>PROTECTED_POOL</c> is ignored.
/// </summary>
internal static class PoolTagRules
{
    public const uint ProtectedPool = 0x80000000;

    /// <summary>The numeric value of <c>"BIG "</c>, reserved for the big-page tracker.</summary>
    private const uint BigPageTag = 0x20474942;

    /// <summary>The default tags' numeric values: <c>"None"</c>, <c>"Ddk "</c>, <c>"Wdm "</c>.</summary>
    private const uint NoneTag = 0x656E6F4E;
    private const uint DdkTag = 0x206B6444;
    private const uint WdmTag = 0x206D6457;

    public static TagCheck Check(string? text)
    {
        if (text is null)
        {
            return new TagCheck(TagProblem.Null);
        }

        if (text.Length == 0)
        {
            return new TagCheck(TagProblem.Empty);
        }

        if (text.Length > 4)
        {
            return new TagCheck(TagProblem.TooLong, text.Length);
        }

        bool hasLetterOrDigit = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x20 || c > 0x7E)
            {
                return new TagCheck(TagProblem.NotPrintable, i);
            }

            hasLetterOrDigit |= IsAsciiLetterOrDigit(c);
        }

        // Short text is padded with spaces, so "BIG" is the reserved tag too.
        if (text.Length >= 3 && text[0] == 'B' && text[1] == 'I' && text[2] == 'G' && (text.Length == 3 || text[3] == ' '))
        {
            return new TagCheck(TagProblem.Reserved);
        }

        return hasLetterOrDigit ? default : new TagCheck(TagProblem.NoLetterOrDigit);
    }

    public static TagCheck Check(uint value)
    {
        if (value == 0)
        {
            return new TagCheck(TagProblem.Zero);
        }

        uint bare = value & ~ProtectedPool;
        if (bare == 0)
        {
            return new TagCheck(TagProblem.ProtectedOnly);
        }

        bool ended = false;
        bool hasLetterOrDigit = false;
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
                return new TagCheck(TagProblem.NulGap, i);
            }

            if (b < 0x20 || b > 0x7E)
            {
                return new TagCheck(TagProblem.NotPrintable, i);
            }

            hasLetterOrDigit |= IsAsciiLetterOrDigit((char)b);
        }

        if (bare == BigPageTag)
        {
            return new TagCheck(TagProblem.Reserved);
        }

        return hasLetterOrDigit ? default : new TagCheck(TagProblem.NoLetterOrDigit);
    }

    public static bool IsAsciiLetterOrDigit(char c) => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');

    /// <summary>
    /// True for the tags that defeat tagging (KERNEL-FACTS §2, PREfast C28147): <c>"None"</c>, which the
    /// untagged <c>ExAllocatePool</c> routines use, and <c>"Ddk "</c> / <c>"Wdm "</c>, the defaults of the
    /// DDK header macros (short text is padded, so <c>"Ddk"</c> and <c>"Wdm"</c> count too). They are
    /// valid tags, so POOL002 accepts them; a fix never writes one.
    /// </summary>
    public static bool IsDefaultTag(string text) => text is "None" or "Ddk " or "Wdm " or "Ddk" or "Wdm";

    /// <summary>The numeric form of <see cref="IsDefaultTag(string)"/>, <c>PROTECTED_POOL</c> ignored.</summary>
    public static bool IsDefaultTag(uint value) => (value & ~ProtectedPool) is NoneTag or DdkTag or WdmTag;

    /// <summary>Where a default tag comes from, for messages: the text as the tag displays and its origin.</summary>
    public static string DescribeDefaultTag(object? constant)
    {
        uint value = constant switch
        {
            string text => TagValue(text),
            uint number => number & ~ProtectedPool,
            _ => 0,
        };

        return value == NoneTag
            ? "\"None\", the tag the untagged ExAllocatePool routines give every block"
            : "\"" + (value == DdkTag ? "Ddk " : "Wdm ") + "\", the default of the DDK header macros";
    }

    /// <summary>The ULONG of a 1–4 character text tag: first character in the lowest byte, padded with spaces.</summary>
    public static uint TagValue(string text)
    {
        uint value = 0;
        for (int i = 3; i >= 0; i--)
        {
            value = (value << 8) | (i < text.Length ? (uint)(text[i] & 0xFF) : 0x20u);
        }

        return value;
    }

    /// <summary>The first four characters of a too-long tag when they make a valid tag that is not a default tag; otherwise null.</summary>
    public static string? TruncatedTag(string text)
    {
        if (text.Length <= 4)
        {
            return null;
        }

        string head = text.Substring(0, 4);
        return Check(head).IsValid && !IsDefaultTag(head) ? head : null;
    }

    /// <summary>The tag the way the message names it: quoted text or eight hex digits.</summary>
    public static string Display(object? constant) => constant switch
    {
        null => "null",
        string text => "\"" + Escape(text) + "\"",
        uint value => "0x" + value.ToString("X8", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(constant, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>Why the tag is invalid, for the diagnostic message.</summary>
    public static string Describe(TagCheck check, object? constant) => check.Problem switch
    {
        TagProblem.Null => "a tag cannot be null",
        TagProblem.Empty => "it is empty; a tag has 1 to 4 characters",
        TagProblem.TooLong => "it has " + check.Detail.ToString(CultureInfo.InvariantCulture) + " characters; a tag has at most 4",
        TagProblem.NotPrintable => DescribeNotPrintable(check.Detail, constant),
        TagProblem.NulGap => "byte " + check.Detail.ToString(CultureInfo.InvariantCulture) + " follows a NUL byte; characters run from the lowest byte up with no gaps",
        TagProblem.Reserved => "\"BIG \" is reserved for the kernel's big-page tracker (BAD_POOL_CALLER 0x9C)",
        TagProblem.NoLetterOrDigit => "it has no letter or digit (BAD_POOL_CALLER 0x9D)",
        TagProblem.Zero => "tag 0 means 'no tag' and allocation routines reject it (BAD_POOL_CALLER 0x9B)",
        TagProblem.ProtectedOnly => "it is PROTECTED_POOL (0x80000000) with no characters",
        _ => "it breaks a pool tag rule",
    };

    private static string DescribeNotPrintable(int position, object? constant)
    {
        int code = constant switch
        {
            string text when position < text.Length => text[position],
            uint value => (int)(((value & ~ProtectedPool) >> (8 * position)) & 0xFF),
            _ => 0,
        };

        return "character " + position.ToString(CultureInfo.InvariantCulture) + " is 0x" + code.ToString("X2", CultureInfo.InvariantCulture)
            + ", outside printable ASCII 0x20-0x7E";
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
