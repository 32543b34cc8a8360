using System;
using Xunit;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

internal static class BugCheckAssert
{
    /// <summary>Asserts <paramref name="action"/> bug-checks with <paramref name="code"/> and returns the exception.</summary>
    public static BugCheckException Raises(uint code, ulong parameter1, Action action)
    {
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(action);
        Assert.Equal(code, bugCheck.BugCheckCode);
        Assert.Equal(parameter1, bugCheck.Parameter1);
        return bugCheck;
    }
}
