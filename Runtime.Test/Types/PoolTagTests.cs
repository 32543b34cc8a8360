using System;
using Xunit;

namespace PoolAnalyzers.Runtime.Test.Types;

public sealed class PoolTagTests
{
    [Fact]
    public void TextTag_PutsFirstCharacterInLowestByte_AndDisplaysAsWritten()
    {
        PoolTag tag = "Fred";
        Assert.Equal(0x64657246u, tag.Value);
        Assert.Equal("Fred", tag.ToString());
    }

    [Theory]
    [InlineData("A", 0x20202041u, "A   ")]
    [InlineData("AGP", 0x20504741u, "AGP ")]
    public void ShortTextTag_IsPaddedWithSpaces(string text, uint value, string display)
    {
        PoolTag tag = text;
        Assert.Equal(value, tag.Value);
        Assert.Equal(display, tag.ToString());
    }

    [Fact]
    public void NumericTag_DisplaysInDumpOrder()
    {
        PoolTag tag = 0x656E6F4Eu;
        Assert.Equal("None", tag.ToString());
        Assert.Equal((PoolTag)"None", tag);
        Assert.Equal(0x656E6F4Eu, (uint)tag);
    }

    [Fact]
    public void ProtectedNumericTag_IsAccepted_AndDisplaysWithoutTheBit()
    {
        PoolTag tag = 0x64657246u | PoolTag.PROTECTED_POOL;
        Assert.True(tag.IsProtected);
        Assert.Equal("Fred", tag.ToString());
        Assert.Equal((PoolTag)"Fred", tag.Unprotected);
        Assert.NotEqual((PoolTag)"Fred", tag);
    }

    [Fact]
    public void DefaultTag_IsZeroMeaningNoTag()
    {
        Assert.True(default(PoolTag).IsNone);
        Assert.Equal("(none)", default(PoolTag).ToString());
        Assert.Equal(default, (PoolTag)0u);
    }

    [Fact]
    public void EmptyText_IsRejectedNamingTheRule()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => (PoolTag)"");
        Assert.Contains("1 to 4 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongText_IsRejectedNamingTheLength()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => (PoolTag)"Fred1");
        Assert.Contains("at most 4 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains("has 5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fr\u00e9d", "U+00E9", 2)]
    [InlineData("a\tb", "U+0009", 1)]
    public void NonPrintableCharacter_IsRejectedNamingCharacterAndPosition(string text, string codePoint, int position)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => (PoolTag)text);
        Assert.Contains(codePoint, error.Message, StringComparison.Ordinal);
        Assert.Contains($"position {position}", error.Message, StringComparison.Ordinal);
        Assert.Contains("printable ASCII", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullText_IsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => PoolTag.FromString(null!));
    }

    [Theory]
    [InlineData(0x00410041u, "NUL byte")]
    [InlineData(0x0A656E4Fu, "byte 0x0A at position 3")]
    [InlineData(0x80000000u, "PROTECTED_POOL with no characters")]
    public void InvalidNumericTag_IsRejectedNamingTheByte(uint value, string expected)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => (PoolTag)value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Fred", true)]
    [InlineData("  7 ", true)]
    [InlineData("-!- ", false)]
    public void HasLetterOrDigit_LooksAtEveryCharacter(string text, bool expected)
    {
        Assert.Equal(expected, ((PoolTag)text).HasLetterOrDigit);
    }
}
