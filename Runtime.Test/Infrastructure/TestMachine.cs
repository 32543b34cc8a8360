using System;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>A private <see cref="KernelSystem"/> entered for the duration of one test.</summary>
internal sealed class TestMachine : IDisposable
{
    private readonly KernelSystem.Scope _scope;

    public TestMachine(SystemConfiguration? configuration = null)
    {
        System = new KernelSystem(configuration ?? new SystemConfiguration());
        _scope = System.Enter();
    }

    public KernelSystem System { get; }

    public static TestMachine WithVerifier(VerifierOptions verifier) => new(new SystemConfiguration { Verifier = verifier });

    public void Dispose()
    {
        _scope.Dispose();
        System.Dispose();
    }
}
