using System;
using System.Runtime.InteropServices;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The run-time library's memory routines, on real memory. Callable at any IRQL (the caller keeps the
/// memory resident, as in the kernel).
/// </summary>
/// <remarks>
/// <para>A range that starts in the first 64 KiB of the address space - NULL, or NULL plus an offset -
/// or wraps past the end of it is a fault on a real machine (Windows never maps that region). Here it
/// is bug check KMODE_EXCEPTION_NOT_HANDLED (0x1E) with the access violation it stands for: P1
/// STATUS_ACCESS_VIOLATION, P2 0 (no instruction address), P3 1 for a write / 0 for a read, P4 the
/// address. (A real machine reports the same fault at DISPATCH_LEVEL or above as
/// DRIVER_IRQL_NOT_LESS_OR_EQUAL; the runtime reports it one way at every IRQL.) Nothing is touched
/// before the check, so the host process never faults. Length 0 touches nothing and is never a fault.
/// Other bad pointers cannot be told from good ones and behave as they would in C.</para>
/// <para><see cref="RtlCopyMemory"/> is <c>memcpy</c>: the WDK requires that its blocks do not
/// overlap. x64 builds of the kernel happen to copy overlapping blocks correctly, which hides the bug
/// until the driver is built for another target; this runtime refuses an overlapping copy with an
/// <see cref="ArgumentException"/> and copies nothing. <see cref="RtlMoveMemory"/> is the routine
/// for overlapping blocks.</para>
/// </remarks>
public static class Rtl
{
    /// <summary>Windows reserves the first 64 KiB so that NULL-relative accesses always fault.</summary>
    private const nuint NullRegion = 0x10000;

    /// <summary>Fills <paramref name="Length"/> bytes at <paramref name="Destination"/> with zeros.</summary>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for a NULL-relative or wrapping range.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static unsafe void RtlZeroMemory(nint Destination, nuint Length)
    {
        CheckRange(Destination, Length, write: true, nameof(RtlZeroMemory));
        NativeMemory.Clear((void*)Destination, Length);
    }

    /// <summary>Fills <paramref name="Length"/> bytes at <paramref name="Destination"/> with <paramref name="Fill"/>.</summary>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for a NULL-relative or wrapping range.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static unsafe void RtlFillMemory(nint Destination, nuint Length, byte Fill)
    {
        CheckRange(Destination, Length, write: true, nameof(RtlFillMemory));
        NativeMemory.Fill((void*)Destination, Length, Fill);
    }

    /// <summary>Copies <paramref name="Length"/> bytes from <paramref name="Source"/> to <paramref name="Destination"/>; the blocks must not overlap.</summary>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for a NULL-relative or wrapping range (the source is read first).</exception>
    /// <exception cref="ArgumentException">The blocks overlap; use <see cref="RtlMoveMemory"/>. Nothing is copied.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static unsafe void RtlCopyMemory(nint Destination, nint Source, nuint Length)
    {
        CheckRange(Source, Length, write: false, nameof(RtlCopyMemory));
        CheckRange(Destination, Length, write: true, nameof(RtlCopyMemory));
        if (Length != 0 && ((nuint)Destination - (nuint)Source < Length || (nuint)Source - (nuint)Destination < Length))
        {
            throw new ArgumentException(
                $"RtlCopyMemory of {Length} bytes from 0x{(ulong)Source:X} to 0x{(ulong)Destination:X}: the blocks overlap, which RtlCopyMemory (memcpy) does not allow; use RtlMoveMemory.",
                nameof(Destination));
        }

        NativeMemory.Copy((void*)Source, (void*)Destination, Length);
    }

    /// <summary>Copies <paramref name="Length"/> bytes from <paramref name="Source"/> to <paramref name="Destination"/>; the blocks may overlap.</summary>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for a NULL-relative or wrapping range (the source is read first).</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static unsafe void RtlMoveMemory(nint Destination, nint Source, nuint Length)
    {
        CheckRange(Source, Length, write: false, nameof(RtlMoveMemory));
        CheckRange(Destination, Length, write: true, nameof(RtlMoveMemory));
        Buffer.MemoryCopy((void*)Source, (void*)Destination, Length, Length);
    }

    /// <summary>Compares two blocks byte by byte.</summary>
    /// <returns>The number of leading bytes that match: <paramref name="Length"/> when the blocks are equal.</returns>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for a NULL-relative or wrapping range.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static unsafe nuint RtlCompareMemory(nint Source1, nint Source2, nuint Length)
    {
        CheckRange(Source1, Length, write: false, nameof(RtlCompareMemory));
        CheckRange(Source2, Length, write: false, nameof(RtlCompareMemory));
        nuint matched = 0;
        while (matched < Length)
        {
            // Spans hold at most int.MaxValue bytes, so a huge length is compared in slices.
            int slice = (int)Math.Min(Length - matched, int.MaxValue);
            var first = new ReadOnlySpan<byte>((byte*)Source1 + matched, slice);
            var second = new ReadOnlySpan<byte>((byte*)Source2 + matched, slice);
            int common = first.CommonPrefixLength(second);
            matched += (nuint)common;
            if (common < slice)
            {
                break;
            }
        }

        return matched;
    }

    private static void CheckRange(nint address, nuint length, bool write, string routine)
    {
        if (length != 0 && ((nuint)address < NullRegion || (nuint)address + length < (nuint)address))
        {
            Fault(address, length, write, routine);
        }
    }

    private static void Fault(nint address, nuint length, bool write, string routine)
    {
        string access = write ? "write" : "read";
        string why = (nuint)address < NullRegion
            ? $"{routine} would {access} {length} bytes at 0x{(ulong)address:X}, a NULL pointer{((nuint)address == 0 ? string.Empty : " plus an offset")}: access violation"
            : $"{routine} would {access} {length} bytes at 0x{(ulong)address:X}, past the end of the address space: access violation";
        throw BugCheck.Raise(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, unchecked((uint)NTSTATUS.STATUS_ACCESS_VIOLATION), 0, write ? 1UL : 0UL, (ulong)address, why);
    }
}
