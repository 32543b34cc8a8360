using System;
using System.Threading;
using Xunit;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>
/// Waits for things other threads do. Every wait is on an event or a condition with a generous
/// limit (a loaded 2-core machine may be slow); no test sleeps for a guessed time.
/// </summary>
internal static class Patience
{
    /// <summary>How long any wait may take before the test fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static void Wait(ManualResetEventSlim signal, string what)
        => Assert.True(signal.Wait(Limit), $"timed out waiting for {what}");

    public static void Until(Func<bool> condition, string what)
        => Assert.True(SpinWait.SpinUntil(condition, Limit), $"timed out waiting for {what}");

    public static void Join(Thread thread, string what)
        => Assert.True(thread.Join(Limit), $"timed out waiting for {what}");
}
