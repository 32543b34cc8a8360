using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.Irql.Index;

/// <summary>
/// The simple names a stretch of source may call, construct or pass as a method group, read from its
/// text: every identifier followed (past spaces and comments) by <c>(</c>, <c>&lt;</c> or <c>{</c> (a
/// call, a generic call, a creation) or by <c>)</c>, <c>,</c>, <c>;</c>, <c>]</c> or <c>}</c> (where a
/// method group converted to a delegate ends: an argument, an initializer, an assignment's value, a
/// return, an arrow body), and the operand of a cast.
/// </summary>
/// <remarks>
/// <para>
/// The syntax index only has to over-approximate: a name it lists that is not a call costs a member
/// body bound for nothing; a call it misses would lose a caller. Reading the text finds every name
/// the syntax tree would (strings, comments and inactive code are read too, which only adds names),
/// without the syntax nodes of every member body of the compilation, which walking the tree creates
/// before the compiler gets there (16 MB and about 55 ms at 1,000 files).
/// </para>
/// <para>
/// One form is not read: the cast of a method group reached through a call's result and followed by
/// an operator, <c>(Action)Find().Run + other</c>; the name after the call's ')' is not taken as the
/// cast's operand.
/// </para>
/// <para>
/// Two spellings only the syntax tree reads right are left to it (<see cref="Scan"/> returns false):
/// a Unicode escape, which an identifier may contain (<c>\u0041</c> for <c>A</c>), and a preprocessor
/// directive, which may stand between a name and its argument list.
/// </para>
/// <para>
/// One scanner reads the trees of one index: it keeps one string per distinct name across them (the
/// same routine names recur in every file), one buffer, and the set and list a tree's members and
/// their names are gathered in before each is copied to its final size.
/// </para>
/// </remarks>
internal sealed class MentionScanner
{
    private const byte Start = 1;
    private const byte Part = 2;

    /// <summary>Which ASCII characters start and continue an identifier: one load per character of the text.</summary>
    private static readonly byte[] s_ascii = AsciiClasses();

    private readonly Dictionary<int, Entry[]> _names = [];
    private char[] _buffer = new char[4096];

    /// <summary>Where the names of one member are gathered (<see cref="TreeIndex"/>), emptied for each.</summary>
    internal HashSet<string> Gathered { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the members of one tree are gathered (<see cref="TreeIndex"/>), emptied for each.</summary>
    internal List<IndexedMember> Members { get; } = [];

    /// <summary>The declarations of one tree still to visit (<see cref="TreeIndex"/>), empty between trees.</summary>
    internal Stack<SyntaxNode> Pending { get; } = new();

    /// <summary>Adds to <paramref name="mentions"/> the names <paramref name="span"/> of <paramref name="text"/> mentions; false when only the syntax tree can tell (the names read until then stay: more is allowed).</summary>
    public bool Scan(SourceText text, TextSpan span, HashSet<string> mentions)
    {
        if (_buffer.Length < span.Length)
        {
            _buffer = new char[Math.Max(span.Length, _buffer.Length * 2)];
        }

        char[] buffer = _buffer;
        text.CopyTo(span.Start, buffer, 0, span.Length);
        int end = span.Length;
        int i = 0;
        bool castChain = false;
        while (i < end)
        {
            char c = buffer[i];
            if (IsIdentifierStart(c))
            {
                int start = i;
                while (++i < end && IsIdentifierPart(buffer[i]))
                {
                }

                // A cast's operand, `(Action)Handler` or `(int)Limits.Size - 1`: the last name of a
                // dotted chain that starts right after a ')' is read whatever follows it.
                char before = Before(buffer, start);
                castChain = before == ')' || (before == '.' && castChain);
                char after = After(buffer, i, end);
                if ((EndsMention(after) || (castChain && after != '.')) && Name(buffer, start, i - start) is { } name)
                {
                    mentions.Add(name);
                }
            }
            else if (c is >= '0' and <= '9')
            {
                // A number, suffixes and hex digits included: no name starts inside it.
                while (++i < end && IsIdentifierPart(buffer[i]))
                {
                }
            }
            else if (NeedsSyntax(buffer, i, end))
            {
                return false;
            }
            else
            {
                i++;
            }
        }

        return true;
    }

    /// <summary>True at a Unicode escape or a preprocessor directive (a '#' first on its line; elsewhere it is in a string or comment).</summary>
    private static bool NeedsSyntax(char[] buffer, int i, int end)
    {
        switch (buffer[i])
        {
            case '\\':
                return i + 1 < end && buffer[i + 1] is 'u' or 'U';
            case '#':
                int j = i - 1;
                while (j >= 0 && buffer[j] is ' ' or '\t')
                {
                    j--;
                }

                return j < 0 || buffer[j] is '\n' or '\r';
            default:
                return false;
        }
    }

    /// <summary>True when <paramref name="next"/>, the character after a name, ends a call's, creation's or method group's name.</summary>
    /// <remarks>The end of the stretch (NUL) counts: an expression body ends with its expression.</remarks>
    private static bool EndsMention(char next) => next is '(' or '<' or '{' or ')' or ',' or ';' or ']' or '}' or '\0';

    /// <summary>The character before <paramref name="start"/> past spaces and a verbatim '@'; NUL at the start.</summary>
    private static char Before(char[] buffer, int start)
    {
        int i = start - 1;
        while (i >= 0 && (buffer[i] == '@' || char.IsWhiteSpace(buffer[i])))
        {
            i--;
        }

        return i < 0 ? '\0' : buffer[i];
    }

    /// <summary>The character at or after <paramref name="i"/> past spaces and comments; NUL at the end.</summary>
    private static char After(char[] buffer, int i, int end)
    {
        while (i < end)
        {
            char c = buffer[i];
            char next = i + 1 < end ? buffer[i + 1] : '\0';
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && next == '/')
            {
                while (i < end && buffer[i] is not ('\n' or '\r'))
                {
                    i++;
                }
            }
            else if (c == '/' && next == '*')
            {
                i += 2;
                while (i < end && !(buffer[i] == '*' && i + 1 < end && buffer[i + 1] == '/'))
                {
                    i++;
                }

                i += 2;
            }
            else
            {
                return c;
            }
        }

        return '\0';
    }

    /// <summary>The name as a string, one object per distinct name; null for a reserved keyword, unless written with '@'.</summary>
    private string? Name(char[] buffer, int start, int length)
    {
        bool verbatim = start > 0 && buffer[start - 1] == '@';
        int hash = length;
        for (int i = start; i < start + length; i++)
        {
            hash = unchecked((hash * 31) + buffer[i]);
        }

        if (_names.TryGetValue(hash, out Entry[]? candidates))
        {
            foreach (Entry candidate in candidates)
            {
                if (candidate.Is(buffer, start, length))
                {
                    return candidate.IsKeyword && !verbatim ? null : candidate.Text;
                }
            }
        }

        var entry = new Entry(new string(buffer, start, length));
        var grown = new Entry[(candidates?.Length ?? 0) + 1];
        candidates?.CopyTo(grown, 0);
        grown[grown.Length - 1] = entry;
        _names[hash] = grown;
        return entry.IsKeyword && !verbatim ? null : entry.Text;
    }

    private static bool IsIdentifierStart(char c) => c < 128 ? (s_ascii[c] & Start) != 0 : SyntaxFacts.IsIdentifierStartCharacter(c);

    private static bool IsIdentifierPart(char c) => c < 128 ? (s_ascii[c] & Part) != 0 : SyntaxFacts.IsIdentifierPartCharacter(c);

    private static byte[] AsciiClasses()
    {
        byte[] classes = new byte[128];
        for (char c = '\0'; c < 128; c++)
        {
            bool letter = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';
            classes[c] = (byte)((letter ? Start : 0) | (letter || c is >= '0' and <= '9' ? Part : 0));
        }

        return classes;
    }

    /// <summary>A name read before, and whether it is a reserved keyword (<c>if</c>, <c>return</c>: never a method's name unless written with '@').</summary>
    private sealed class Entry(string text)
    {
        public string Text { get; } = text;

        public bool IsKeyword { get; } = SyntaxFacts.GetKeywordKind(text) != SyntaxKind.None;

        public bool Is(char[] buffer, int start, int length)
        {
            if (Text.Length != length)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                if (Text[i] != buffer[start + i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
