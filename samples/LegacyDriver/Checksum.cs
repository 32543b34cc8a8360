using System;

namespace LegacyDriver;

/// <summary>The device's payload checksum (a rotate-and-add over the bytes), checked again at completion.</summary>
internal static class Checksum
{
    public static uint Of(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        foreach (byte b in data)
        {
            sum = ((sum << 5) | (sum >> 27)) + b;
        }

        return sum;
    }
}
