using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Lifetime;

/// <summary>The ULONG value of a constant pool tag, the way the kernel compares tags on free (without <c>PROTECTED_POOL</c>).</summary>
internal static class TagValue
{
    /// <summary>The tag of the untagged routines (KERNEL-FACTS §2): <c>"None"</c>.</summary>
    public const uint None = 0x656E6F4E;

    /// <summary>The value of a tag argument that folds to a valid text or numeric tag (or 0); null otherwise.</summary>
    public static uint? Of(IOperation? argument)
    {
        IOperation? current = argument;
        while (current is not null)
        {
            if (current.ConstantValue is { HasValue: true, Value: var constant })
            {
                return Of(constant);
            }

            current = current is IConversionOperation conversion ? conversion.Operand : null;
        }

        return null;
    }

    public static uint? Of(object? constant)
    {
        if (constant is string text)
        {
            if (!PoolTagRules.Check(text).IsValid)
            {
                return null;
            }

            uint value = 0;
            for (int i = 3; i >= 0; i--)
            {
                value = (value << 8) | (i < text.Length ? text[i] : ' ');
            }

            return value;
        }

        return OperationExtensions.AsInt64(constant) is { } number and >= 0 and <= uint.MaxValue ? (uint)number & ~PoolTagRules.ProtectedPool : null;
    }

    public static string Display(uint value)
    {
        char[] text = new char[4];
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((value >> (8 * i)) & 0xFF);
            if (c is < ' ' or > '~')
            {
                return "0x" + value.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
            }

            text[i] = c;
        }

        return "\"" + new string(text) + "\"";
    }
}
