using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A manual-reset notification event the pool keeps signaled while its condition holds, like the
/// kernel's <c>\KernelObjects\LowPagedPoolCondition</c> and its siblings.
/// </summary>
/// <remarks>
/// The machine owns the event: like a kernel object a driver only references, it cannot be closed by
/// its users (it is deliberately not <see cref="IDisposable"/>), so no caller can break the pool's
/// capacity accounting, which updates it. It is released when its <see cref="KernelSystem"/> is
/// disposed; waiting on it after that throws <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class PoolConditionEvent
{
    private readonly ManualResetEventSlim _event = new(false);

    internal PoolConditionEvent(string name) => Name = name;

    /// <summary>The kernel object name, e.g. <c>LowNonPagedPoolCondition</c>.</summary>
    public string Name { get; }

    /// <summary>True while the condition holds (<c>KeReadStateEvent</c> returns non-zero).</summary>
    public bool IsSignaled => _event.IsSet;

    /// <summary>Waits until the event is signaled or the timeout passes; true when signaled.</summary>
    /// <exception cref="ObjectDisposedException">The machine that owns the event has been disposed.</exception>
    public bool Wait(TimeSpan timeout) => _event.Wait(timeout);

    // The last state set; the capacity's event lock serializes Update, so a plain field is enough. Skipping
    // unchanged states keeps page-granular allocations from touching the event on every call.
    private bool _signaled;

    internal void Update(bool signaled)
    {
        if (signaled == _signaled)
        {
            return;
        }

        _signaled = signaled;
        if (signaled)
        {
            _event.Set();
        }
        else
        {
            _event.Reset();
        }
    }

    /// <summary>Releases the wait handle; only the owning machine's teardown calls this.</summary>
    internal void Dispose() => _event.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {(IsSignaled ? "signaled" : "not signaled")}";
}
