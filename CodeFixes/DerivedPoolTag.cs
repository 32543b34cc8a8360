using System.Text;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// The tag a fix proposes when the code offers none: the first four ASCII letters or digits of the
/// containing type's name, padded with spaces ("Driver" → "Driv", "Io" → "Io  "). A name without any
/// gives "Pool". A result the kernel reserves ("BIG ") or that defeats tagging ("None", "Ddk ", "Wdm ")
/// keeps its first three characters and ends in '_' ("BIG_", "Non_", "Ddk_", "Wdm_"). The result
/// always passes POOL002 and is never a default tag.
/// </summary>
internal static class DerivedPoolTag
{
    private const string Fallback = "Pool";

    public static string For(string? typeName)
    {
        var tag = new StringBuilder(4);
        if (typeName is not null)
        {
            foreach (char c in typeName)
            {
                if (PoolTagRules.IsAsciiLetterOrDigit(c))
                {
                    tag.Append(c);
                    if (tag.Length == 4)
                    {
                        break;
                    }
                }
            }
        }

        if (tag.Length == 0)
        {
            return Fallback;
        }

        tag.Append(' ', 4 - tag.Length);
        string result = tag.ToString();
        return PoolTagRules.Check(result).Problem == TagProblem.Reserved || PoolTagRules.IsDefaultTag(result)
            ? result.Substring(0, 3) + "_"
            : result;
    }
}
