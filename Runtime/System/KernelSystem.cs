using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One emulated machine: its configuration, its pools and their accounting. Every <c>Ex</c>,
/// <c>Mm</c> routine works on <see cref="Current"/>.
/// </summary>
/// <remarks>
/// <see cref="Current"/> is <see cref="Default"/> unless a scope from <see cref="Enter"/> is active
/// on the calling async flow, so each test can run its own machine without touching the others:
/// <code>
/// using var machine = new KernelSystem(new SystemConfiguration { NonPagedPoolSize = 1 &lt;&lt; 20 });
/// using var scope = machine.Enter();
/// nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Test");
/// </code>
/// The scope flows to tasks and threads started inside it, like any <see cref="AsyncLocal{T}"/>.
/// </remarks>
public sealed partial class KernelSystem : IDisposable
{
    private static readonly AsyncLocal<KernelSystem?> s_ambient = new(OnAmbientChanged);

    private static readonly Lazy<KernelSystem> s_default = new(() => new KernelSystem(new SystemConfiguration()));

    /// <summary>The machine the routines use when no <see cref="Enter"/> scope is active.</summary>
    public static KernelSystem Default => s_default.Value;

    /// <summary>The machine the routines on this async flow use.</summary>
    public static KernelSystem Current => KernelThread.Current.System ?? s_default.Value;

    /// <summary>Creates a machine; it becomes current only inside <see cref="Enter"/>.</summary>
    public KernelSystem(SystemConfiguration? configuration = null)
    {
        Configuration = configuration ?? new SystemConfiguration();
        Verifier = new DriverVerifier(Configuration.Verifier ?? throw new ArgumentException("SystemConfiguration.Verifier cannot be null; leave it at its default to turn every check off.", nameof(configuration)));
        Pool = new PoolAllocator(this, Configuration, Verifier);
    }

    // 0 until the first Dispose; the exchange lets exactly one of any number of racing calls tear down.
    private int _disposed;

    internal PoolAllocator Pool { get; }

    /// <summary>
    /// Stops the lookaside depth scan and releases the machine's unmanaged pool memory. Blocks it
    /// handed out become invalid and later pool calls throw <see cref="ObjectDisposedException"/>.
    /// Idempotent and safe to call from several threads at once: the teardown runs once.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is <see cref="Default"/>, which lives as long as the process.</exception>
    public void Dispose()
    {
        if (s_default.IsValueCreated && ReferenceEquals(this, s_default.Value))
        {
            throw new InvalidOperationException("KernelSystem.Default lives as long as the process and cannot be disposed; create and dispose a KernelSystem of your own.");
        }

        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopLookasideScanner();
        Pool.Dispose();
    }

    /// <summary>The configuration the machine was created with.</summary>
    public SystemConfiguration Configuration { get; }

    /// <summary>Makes this machine <see cref="Current"/> for the calling async flow until the scope is disposed.</summary>
    public Scope Enter()
    {
        KernelSystem? previous = s_ambient.Value;
        s_ambient.Value = this;
        return new Scope(this, previous);
    }

    // Mirrors s_ambient into the thread's KernelThread on every change (including execution-context
    // switches on pool threads): reading a thread-static is far cheaper than reading an AsyncLocal,
    // and the pool hot path reads it on every call.
    private static void OnAmbientChanged(AsyncLocalValueChangedArgs<KernelSystem?> change) => KernelThread.Current.EnterSystem(change.CurrentValue);

    /// <summary>Restores the previously current machine when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly KernelSystem? _entered;
        private readonly KernelSystem? _previous;

        internal Scope(KernelSystem entered, KernelSystem? previous)
        {
            _entered = entered;
            _previous = previous;
        }

        /// <summary>Restores the machine that was current before <see cref="Enter"/>.</summary>
        public void Dispose()
        {
            if (_entered is not null && ReferenceEquals(s_ambient.Value, _entered))
            {
                s_ambient.Value = _previous;
            }
        }
    }
}
