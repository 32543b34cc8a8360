using Xunit;
using static PoolAnalyzers.Runtime.NTSTATUS;

namespace PoolAnalyzers.Runtime.Test.Types;

public sealed class NtStatusTests
{
    [Theory]
    [InlineData(STATUS_SUCCESS, 0x00000000u)]
    [InlineData(STATUS_UNSUCCESSFUL, 0xC0000001u)]
    [InlineData(STATUS_INVALID_PARAMETER, 0xC000000Du)]
    [InlineData(STATUS_QUOTA_EXCEEDED, 0xC0000044u)]
    [InlineData(STATUS_INSUFFICIENT_RESOURCES, 0xC000009Au)]
    public void Status_HasItsNtStatusValue(NTSTATUS status, uint value)
    {
        Assert.Equal(value, (uint)status);
    }

    [Fact]
    public void NtStatus_IsASignedLong()
    {
        Assert.Equal(typeof(int), System.Enum.GetUnderlyingType(typeof(NTSTATUS)));
        Assert.True((int)STATUS_UNSUCCESSFUL < 0);
    }

    [Theory]
    [InlineData(0x00000000u, true)]   // STATUS_SUCCESS
    [InlineData(0x00000103u, true)]   // STATUS_PENDING: success severity
    [InlineData(0x40000000u, true)]   // informational
    [InlineData(0x7FFFFFFFu, true)]
    [InlineData(0x80000005u, false)]  // STATUS_BUFFER_OVERFLOW: a warning is not success
    [InlineData(0xC0000001u, false)]
    [InlineData(0xC000009Au, false)]
    [InlineData(0xFFFFFFFFu, false)]
    public void NtSuccess_IsTrueExactlyForNonNegativeValues(uint value, bool success)
    {
        Assert.Equal(success, Nt.NT_SUCCESS((NTSTATUS)value));
    }

    [Theory]
    [InlineData(0x00000000u, false)]
    [InlineData(0x40000000u, false)]
    [InlineData(0x80000005u, false)]
    [InlineData(0xC0000001u, true)]
    [InlineData(0xC0000044u, true)]
    public void NtError_IsTrueExactlyForErrorSeverity(uint value, bool error)
    {
        Assert.Equal(error, Nt.NT_ERROR((NTSTATUS)value));
    }
}
