using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One emulated machine: its configuration, its pools and their accounting, its processors (DPC
/// queues) and its clock (timers). Every <c>Ex</c>, <c>Ke</c> and <c>Mm</c> routine works on
/// <see cref="Current"/>, or on the machine the object it is given was initialized on.
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

    // Set on an async flow that raised the IRQL while it had entered no machine: the watch that
    // s_ambient's callback keeps for an entered machine, kept for the default one (see OnRaisedFlowChanged).
    private static readonly AsyncLocal<object?> s_raisedFlows = new(OnRaisedFlowChanged);
    private static readonly object s_watched = new();

    private static readonly Lazy<KernelSystem> s_default = new(() => s_defaultCreated = new KernelSystem(new SystemConfiguration()));

    // The default machine once something created it, else null: lets the crash check skip it
    // without creating it.
    private static KernelSystem? s_defaultCreated;

    /// <summary>The machine the routines use when no <see cref="Enter"/> scope is active.</summary>
    public static KernelSystem Default => s_default.Value;

    /// <summary>The machine the routines on this async flow use.</summary>
    public static KernelSystem Current => KernelThread.Current.System ?? s_default.Value;

    /// <summary>Creates a machine; it becomes current only inside <see cref="Enter"/>.</summary>
    public KernelSystem(SystemConfiguration? configuration = null)
    {
        Configuration = configuration ?? new SystemConfiguration();
        Verifier = new DriverVerifier(Configuration.Verifier ?? throw new ArgumentException("SystemConfiguration.Verifier cannot be null; leave it at its default to turn every check off.", nameof(configuration)));
        ProcessorCount = ValidProcessorCount(Configuration.ProcessorCount);
        ValidateWatchdog(Configuration.DpcWatchdogTimeout);
        SystemClock clock = Configuration.Clock ?? throw new ArgumentException("SystemConfiguration.Clock cannot be null; leave it at SystemClock.Real or give a ManualClock.", nameof(configuration));
        Pool = new PoolAllocator(this, Configuration, Verifier);
        ClockInterrupt = new ClockInterrupt(this, clock);
    }

    // 0 until the first Dispose; the exchange lets exactly one of any number of racing calls tear down.
    private int _disposed;

    internal PoolAllocator Pool { get; }

    /// <summary>
    /// Stops the machine: the lookaside depth scan ends, every timer is cancelled, queued DPCs are
    /// discarded and the processor and clock threads exit, so no routine runs after this returns;
    /// then the unmanaged pool memory is released. Blocks it handed out become invalid and later
    /// pool, lookaside-list, zone, DPC and timer calls on the machine throw <see cref="ObjectDisposedException"/>
    /// (a lookaside list or zone can be initialized again, on another machine). Idempotent and safe to
    /// call from several threads at once: the teardown runs once.
    /// </summary>
    /// <remarks>
    /// A DPC routine still running is waited for, up to <see cref="SystemConfiguration.DpcWatchdogTimeout"/>
    /// of its run time: past that the watchdog crashes the machine (DPC_WATCHDOG_VIOLATION), Dispose
    /// returns by throwing it, and the pool memory is released only when that routine finally returns
    /// (never pulled from under it). On a machine that had crashed already (its watchdog stopped with
    /// it) a running routine is waited for one allotment at most. A routine that disposes its own
    /// machine is not waited for.
    /// </remarks>
    /// <exception cref="InvalidOperationException">This is <see cref="Default"/>, which lives as long as the process.</exception>
    /// <exception cref="BugCheckException">The machine crashed (see <see cref="Crash"/>): the teardown still ran, and the first Dispose rethrows the crash.</exception>
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

        Volatile.Write(ref _unusable, true);

        // Before the memory goes: every lookaside list leaves its fast paths, so no call can hand out
        // an entry Dispose released (zones check the flag above on every call).
        HaltLookasideLists();
        ClockInterrupt.StopTimers();
        EmulatedProcessors? processors = StopCreatingProcessors();
        if (processors is null)
        {
            Pool.Dispose();
        }
        else
        {
            processors.Stop(releaseWhenIdle: Pool.Dispose);
        }

        ClockInterrupt.ShutDown();

        // A crash recorded on another thread meanwhile counts, even before it publishes Crash (CrashFrom).
        ThrowCrashIfAny();
    }

    /// <summary>The configuration the machine was created with.</summary>
    public SystemConfiguration Configuration { get; }

    /// <summary>
    /// Makes this machine <see cref="Current"/> for the calling async flow until the scope is disposed.
    /// The calling thread starts at PASSIVE_LEVEL in it, whatever IRQL earlier code left on the thread.
    /// </summary>
    public Scope Enter()
    {
        KernelThread thread = KernelThread.Current;
        KIRQL irql = thread.Irql;
        KernelSystem? previous = s_ambient.Value;
        s_ambient.Value = this;
        thread.Irql = KIRQL.PASSIVE_LEVEL;
        return new Scope(this, previous, thread, irql);
    }

    // Mirrors s_ambient into the thread's KernelThread on every change (including execution-context
    // switches on pool threads): reading a thread-static is far cheaper than reading an AsyncLocal,
    // and the pool hot path reads it on every call.
    private static void OnAmbientChanged(AsyncLocalValueChangedArgs<KernelSystem?> change)
    {
        KernelThread thread = KernelThread.Current;
        if (change.ThreadContextChanged && thread.Irql != KIRQL.PASSIVE_LEVEL && change.PreviousValue is { } left && change.CurrentValue is null && thread.Processor is null)
        {
            LeftRaised(thread, left);
        }

        thread.EnterSystem(change.CurrentValue);
    }

    /// <summary>The calling flow, which entered no machine, raised the IRQL from PASSIVE_LEVEL: watch it (once per flow; see <see cref="KernelThread.RaiseTo"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void WatchFlowOnDefault() => s_raisedFlows.Value = s_watched;

    /// <summary>
    /// Keeps <see cref="KernelThread.FlowWatchedOnDefault"/> in step with the flow on the thread, and
    /// reports a watched flow that gives its thread back at raised IRQL while no machine is entered,
    /// as <see cref="OnAmbientChanged"/> does for an entered machine: the crash goes to the default
    /// machine, the machine that flow's calls used.
    /// </summary>
    private static void OnRaisedFlowChanged(AsyncLocalValueChangedArgs<object?> change)
    {
        KernelThread thread = KernelThread.Current;
        thread.FlowWatchedOnDefault = change.CurrentValue is not null;
        if (change.ThreadContextChanged && change.PreviousValue is not null && change.CurrentValue is null
            && thread.Irql != KIRQL.PASSIVE_LEVEL && thread.System is null && thread.Processor is null)
        {
            LeftRaised(thread, Default);
        }
    }

    /// <summary>
    /// An async flow in <paramref name="machine"/> gave its thread back (an <c>await</c> that resumes
    /// elsewhere, a work item ending) while the thread was above PASSIVE_LEVEL: the flow carried a
    /// raised IRQL off the processor, which the kernel never allows (KERNEL-FACTS §12). The thread
    /// returns to PASSIVE_LEVEL, so the next work item on it does not inherit the level, and the
    /// machine crashes with IRQL_GT_ZERO_AT_SYSTEM_SERVICE (0x4A, P2 the IRQL): the kernel's bug check for
    /// a thread leaving the code it ran at raised IRQL, the closest match. Nothing is thrown here
    /// (an exception in an execution-context callback would end the host); the driver's code meets
    /// the crash at its next call on the machine.
    /// </summary>
    private static void LeftRaised(KernelThread thread, KernelSystem machine)
    {
        KIRQL irql = thread.Irql;
        thread.Irql = KIRQL.PASSIVE_LEVEL;
        machine.CrashFrom(BugCheck.Raise(BugCheckNames.IRQL_GT_ZERO_AT_SYSTEM_SERVICE, 0, (ulong)irql, 0, 0,
            $"an async flow gave its thread back at {Ke.Describe(irql)} (an await resumed elsewhere, or a task ended, with the IRQL raised or a spin lock held); the thread was returned to PASSIVE_LEVEL"));
    }

    /// <summary>Restores the previously current machine when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly KernelSystem? _entered;
        private readonly KernelSystem? _previous;
        private readonly KernelThread? _thread;
        private readonly KIRQL _irql;

        internal Scope(KernelSystem entered, KernelSystem? previous, KernelThread thread, KIRQL irql)
        {
            _entered = entered;
            _previous = previous;
            _thread = thread;
            _irql = irql;
        }

        /// <summary>
        /// Restores the machine that was current before <see cref="Enter"/>. The thread leaves at
        /// PASSIVE_LEVEL, whatever the code inside left, or at the IRQL it entered at when this scope
        /// was nested in another machine's scope on the same thread.
        /// </summary>
        public void Dispose()
        {
            if (_entered is not null && ReferenceEquals(s_ambient.Value, _entered))
            {
                s_ambient.Value = _previous;
                KernelThread thread = KernelThread.Current;
                thread.Irql = _previous is not null && ReferenceEquals(thread, _thread) ? _irql : KIRQL.PASSIVE_LEVEL;
            }
        }
    }
}
