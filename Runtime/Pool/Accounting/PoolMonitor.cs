using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PoolAnalyzers.Runtime;

/// <summary>Prints pool-tag accounting the way poolmon does.</summary>
public static class PoolMonitor
{
    /// <summary>
    /// A table with the columns Tag, Type, Allocs, Frees, Diff, Bytes and Per Alloc, one line per row,
    /// ordered by tag then pool.
    /// </summary>
    public static string Format(IEnumerable<PoolTagStatistics> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sorted = new List<PoolTagStatistics>(rows);
        sorted.Sort(static (a, b) =>
        {
            int byTag = string.CompareOrdinal(a.Tag.ToString(), b.Tag.ToString());
            return byTag != 0 ? byTag : a.IsPaged.CompareTo(b.IsPaged);
        });

        var text = new StringBuilder();
        AppendLine(text, "Tag", "Type", "Allocs", "Frees", "Diff", "Bytes", "Per Alloc");
        foreach (PoolTagStatistics row in sorted)
        {
            AppendLine(text, row.Tag.ToString(), row.TypeName, Number(row.Allocs), Number(row.Frees), Number(row.Diff), Number(row.Bytes), Number(row.PerAlloc));
        }

        return text.ToString();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AppendLine(StringBuilder text, string tag, string type, string allocs, string frees, string diff, string bytes, string perAlloc)
        => text.Append(CultureInfo.InvariantCulture, $"{tag,-4} {type,-5} {allocs,12} {frees,12} {diff,10} {bytes,14} {perAlloc,10}").Append('\n');
}
