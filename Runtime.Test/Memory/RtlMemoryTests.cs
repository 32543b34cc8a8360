using System;
using System.Runtime.InteropServices;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Rtl;

namespace PoolAnalyzers.Runtime.Test.Memory;

public sealed unsafe class RtlMemoryTests : IDisposable
{
    private const int Size = 256;
    private readonly nint _buffer = (nint)NativeMemory.Alloc(2 * Size);

    public RtlMemoryTests() => Bytes(0, 2 * Size).Fill(0x5A);

    public void Dispose() => NativeMemory.Free((void*)_buffer);

    [Fact]
    public void RtlZeroMemory_ZeroesExactlyTheRange()
    {
        RtlZeroMemory(_buffer + 10, 100);

        Assert.True(Bytes(10, 100).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(0x5A, Bytes(9, 1)[0]);
        Assert.Equal(0x5A, Bytes(110, 1)[0]);
    }

    [Fact]
    public void RtlFillMemory_FillsExactlyTheRange()
    {
        RtlFillMemory(_buffer + 1, 7, 0xC3);

        Assert.True(Bytes(1, 7).IndexOfAnyExcept((byte)0xC3) < 0);
        Assert.Equal(0x5A, Bytes(0, 1)[0]);
        Assert.Equal(0x5A, Bytes(8, 1)[0]);
    }

    [Fact]
    public void RtlCopyMemory_CopiesDisjointBlocks()
    {
        for (int i = 0; i < Size; i++)
        {
            Bytes(i, 1)[0] = (byte)i;
        }

        RtlCopyMemory(_buffer + Size, _buffer, Size);

        Assert.True(Bytes(0, Size).SequenceEqual(Bytes(Size, Size)));
    }

    [Theory]
    [InlineData(0, 1, 16)]
    [InlineData(1, 0, 16)]
    [InlineData(0, 0, 16)]
    [InlineData(0, 15, 16)]
    [InlineData(15, 0, 16)]
    public void RtlCopyMemory_OfOverlappingBlocks_IsRefused_AndCopiesNothing(int destination, int source, int length)
    {
        for (int i = 0; i < 32; i++)
        {
            Bytes(i, 1)[0] = (byte)i;
        }

        ArgumentException error = Assert.Throws<ArgumentException>(() => RtlCopyMemory(_buffer + destination, _buffer + source, (nuint)length));

        Assert.Contains("overlap", error.Message, StringComparison.Ordinal);
        Assert.Contains("RtlMoveMemory", error.Message, StringComparison.Ordinal);
        for (int i = 0; i < 32; i++)
        {
            Assert.Equal((byte)i, Bytes(i, 1)[0]);
        }
    }

    [Theory]
    [InlineData(0, 16, 16)]
    [InlineData(16, 0, 16)]
    [InlineData(5, 5, 0)]
    public void RtlCopyMemory_OfAdjacentBlocksOrNoBytes_IsAllowed(int destination, int source, int length)
    {
        RtlCopyMemory(_buffer + destination, _buffer + source, (nuint)length);
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(0, 4)]
    public void RtlMoveMemory_CopiesOverlappingBlocksCorrectly(int destination, int source)
    {
        for (int i = 0; i < 32; i++)
        {
            Bytes(i, 1)[0] = (byte)i;
        }

        byte[] expected = Bytes(source, 16).ToArray();
        RtlMoveMemory(_buffer + destination, _buffer + source, 16);

        Assert.Equal(expected, Bytes(destination, 16).ToArray());
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(37, 37)]
    [InlineData(Size - 1, Size - 1)]
    public void RtlCompareMemory_ReturnsTheLengthOfTheMatchingPrefix(int differAt, int expected)
    {
        RtlCopyMemory(_buffer + Size, _buffer, Size);
        if (differAt >= 0)
        {
            Bytes(Size + differAt, 1)[0] ^= 0xFF;
        }

        nuint matched = RtlCompareMemory(_buffer, _buffer + Size, Size);

        Assert.Equal(differAt < 0 ? (nuint)Size : (nuint)expected, matched);
        Assert.Equal((nuint)0, RtlCompareMemory(_buffer, _buffer + Size, 0));
    }

    [Fact]
    public void NullWithZeroLength_TouchesNothing()
    {
        RtlZeroMemory(0, 0);
        RtlFillMemory(0, 0, 1);
        RtlCopyMemory(0, 0, 0);
        RtlMoveMemory(0, 0, 0);
        Assert.Equal((nuint)0, RtlCompareMemory(0, 0, 0));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(8L)]
    [InlineData(0xFFFFL)]
    public void NullRelativeWrite_IsAnUnhandledAccessViolation_BugCheck0x1E(long address)
    {
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, 0xC0000005, () => RtlZeroMemory((nint)address, 4));

        Assert.Equal(0UL, bugCheck.Parameter2);
        Assert.Equal(1UL, bugCheck.Parameter3);
        Assert.Equal((ulong)address, bugCheck.Parameter4);
        Assert.Contains("KMODE_EXCEPTION_NOT_HANDLED (0x1E): RtlZeroMemory would write 4 bytes", bugCheck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRoutine_ReportsANullRange_WithReadOrWrite()
    {
        Assert.Equal(1UL, Raises(() => RtlFillMemory(0, 1, 0)).Parameter3);
        Assert.Equal(0UL, Raises(() => RtlCopyMemory(_buffer, 0, 1)).Parameter3);
        Assert.Equal(1UL, Raises(() => RtlCopyMemory(0, _buffer, 1)).Parameter3);
        Assert.Equal(0UL, Raises(() => RtlMoveMemory(_buffer, 16, 1)).Parameter3);
        Assert.Equal(1UL, Raises(() => RtlMoveMemory(0, _buffer, 1)).Parameter3);
        Assert.Equal(0UL, Raises(() => RtlCompareMemory(_buffer, 0, 1)).Parameter3);
        Assert.Equal(0UL, Raises(() => RtlCompareMemory(0, _buffer, 1)).Parameter3);
        Assert.Equal(0x5A, Bytes(0, 1)[0]);

        static BugCheckException Raises(Action action) => BugCheckAssert.Raises(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, 0xC0000005, action);
    }

    [Fact]
    public void RangeThatWrapsPastTheEndOfTheAddressSpace_IsAnAccessViolation()
    {
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, 0xC0000005, () => RtlZeroMemory(_buffer, nuint.MaxValue));

        Assert.Equal((ulong)_buffer, bugCheck.Parameter4);
        Assert.Contains("past the end of the address space", bugCheck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RtlRoutines_RunAtAnyIrql()
    {
        using var raised = IrqlScope.Raise(KIRQL.HIGH_LEVEL);
        RtlZeroMemory(_buffer, 8);
        RtlFillMemory(_buffer, 8, 1);
        RtlCopyMemory(_buffer + 8, _buffer, 8);
        RtlMoveMemory(_buffer + 4, _buffer, 8);
        Assert.Equal((nuint)8, RtlCompareMemory(_buffer, _buffer + 8, 8));
    }

    private Span<byte> Bytes(int offset, int length) => new((void*)(_buffer + offset), length);
}
