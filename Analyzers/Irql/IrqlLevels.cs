using System.Globalization;

namespace PoolAnalyzers.Irql;

/// <summary>
/// IRQL levels as bits of a 16-bit mask (bit n = level n, x64 values PASSIVE_LEVEL 0 … HIGH_LEVEL 15),
/// and their names for messages.
/// </summary>
internal static class IrqlLevels
{
    public const int Passive = 0;
    public const int Apc = 1;
    public const int Dispatch = 2;
    public const int High = 15;

    /// <summary>Every level.</summary>
    public const ushort All = 0xFFFF;

    /// <summary>DISPATCH_LEVEL and above: where paged memory may not be touched.</summary>
    public const ushort DispatchOrAbove = 0xFFFC;

    public static ushort Bit(int level) => (ushort)(1 << level);

    /// <summary>The levels from <paramref name="min"/> to <paramref name="max"/>, both included; 0 when the range is empty.</summary>
    public static ushort Range(int min, int max) => min > max ? (ushort)0 : (ushort)(((1 << (max + 1)) - 1) & ~((1 << min) - 1));

    public static bool IsValid(long level) => level is >= Passive and <= High;

    /// <summary>The highest level in <paramref name="mask"/>; -1 for none.</summary>
    public static int Highest(ushort mask)
    {
        for (int level = High; level >= 0; level--)
        {
            if ((mask & (1 << level)) != 0)
            {
                return level;
            }
        }

        return -1;
    }

    /// <summary>The lowest level in <paramref name="mask"/>; -1 for none.</summary>
    public static int Lowest(ushort mask)
    {
        for (int level = 0; level <= High; level++)
        {
            if ((mask & (1 << level)) != 0)
            {
                return level;
            }
        }

        return -1;
    }

    /// <summary>The KIRQL name of a level.</summary>
    public static string Name(int level) => level switch
    {
        0 => "PASSIVE_LEVEL",
        1 => "APC_LEVEL",
        2 => "DISPATCH_LEVEL",
        5 => "CMCI_LEVEL",
        12 => "SYNCH_LEVEL",
        13 => "CLOCK_LEVEL",
        14 => "IPI_LEVEL",
        15 => "HIGH_LEVEL",
        _ => "IRQL " + level.ToString(CultureInfo.InvariantCulture),
    };
}
