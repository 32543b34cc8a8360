using System;
using System.Threading.Tasks;
using Xunit;
using Xunit.Sdk;

namespace PoolAnalyzers.Test.VerifierTests;

/// <summary>Asserts that a verification fails, and returns its message for further checks.</summary>
internal static class Rejection
{
    public static async Task<string> ExpectAsync(Func<Task> verification, params string[] messageParts)
    {
        var failure = await Assert.ThrowsAsync<FailException>(verification);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, failure.Message, StringComparison.Ordinal);
        }

        return failure.Message;
    }
}
