using System;
using System.Runtime.ExceptionServices;
using Xunit.Sdk;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>A private <see cref="KernelSystem"/> entered for the duration of one test.</summary>
internal sealed class TestMachine : IDisposable
{
    private readonly KernelSystem.Scope _scope;
    private XunitException? _failedAssertion;

    public TestMachine(SystemConfiguration? configuration = null)
    {
        System = new KernelSystem(configuration ?? new SystemConfiguration());
        _scope = System.Enter();
        AppDomain.CurrentDomain.FirstChanceException += NoteFailedAssertion;
    }

    public KernelSystem System { get; }

    public static TestMachine WithVerifier(VerifierOptions verifier) => new(new SystemConfiguration { Verifier = verifier });

    /// <summary>
    /// Leaves and disposes the machine; a crash it recorded is thrown. When an assertion of the test
    /// failed first, that failure is thrown instead: a <c>using</c> would otherwise replace it with the
    /// crash, and the crash is often only what the failed step led to.
    /// </summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.FirstChanceException -= NoteFailedAssertion;
        _scope.Dispose();
        try
        {
            System.Dispose();
        }
        catch (BugCheckException) when (_failedAssertion is not null)
        {
            ExceptionDispatchInfo.Throw(_failedAssertion);
        }
    }

    // Runs on the throwing thread, in its flow: only this machine's flows count, not parallel tests
    // (KernelThread.System, not KernelSystem.Current, which would create the default machine).
    private void NoteFailedAssertion(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (e.Exception is XunitException failed && ReferenceEquals(KernelThread.Current.System, System))
        {
            _failedAssertion ??= failed;
        }
    }
}
