using System;
using System.Globalization;
using System.Text;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>Renders values as C# literals so failure reports can be pasted into a test.</summary>
internal static class CSharpLiteral
{
    public static string Of(object? value) => value switch
    {
        null => "null",
        string text => Quote(text),
        char c => "'" + Escape(c.ToString(), '\'') + "'",
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? string.Empty),
    };

    private static string Quote(string text) => "\"" + Escape(text, '"') + "\"";

    private static string Escape(string text, char quote)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\0': builder.Append("\\0"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\');
                    }

                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }
}
