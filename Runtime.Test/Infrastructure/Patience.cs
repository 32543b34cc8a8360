using System;
using System.Runtime.ExceptionServices;
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

    /// <summary>
    /// Starts <paramref name="body"/> on a thread of its own; <see cref="OtherThread.Join"/> waits for
    /// it and rethrows what it threw (an assertion failing there fails the test, not the test host).
    /// </summary>
    public static OtherThread Start(Action body) => new(body);

    /// <summary>Runs <paramref name="body"/> on a thread of its own and waits for it.</summary>
    public static void OnOtherThread(Action body, string what) => Start(body).Join(what);

    public sealed class OtherThread
    {
        private readonly Thread _thread;
        private ExceptionDispatchInfo? _failure;

        public OtherThread(Action body)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    body();
                }
                catch (Exception e)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }
            });
            _thread.Start();
        }

        public bool IsAlive => _thread.IsAlive;

        public void Join(string what)
        {
            Patience.Join(_thread, what);
            _failure?.Throw();
        }
    }
}
