using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A process as far as pool quota is concerned: its paged and nonpaged pool quota limits and what its
/// threads' <c>ExAllocatePoolWithQuota[Tag]</c> calls have charged. Create one with
/// <see cref="KernelSystem.CreateProcess"/> and make it current with <see cref="Attach"/>; a thread
/// attached to no process runs in the System process, which is never charged.
/// </summary>
/// <remarks>
/// The attachment is ambient per async flow, like <see cref="KernelSystem.Enter"/>: it flows across
/// <c>await</c> and into tasks and threads started inside the scope, and a scope disposed after an
/// <c>await</c> on another thread still ends the attachment it began.
/// </remarks>
public sealed class KernelProcess
{
    private static readonly AsyncLocal<KernelProcess?> s_attached = new(OnAttachedChanged);

    private long _pagedUsage;
    private long _nonPagedUsage;

    internal KernelProcess(KernelSystem system, uint id, string name, ulong pagedPoolQuotaLimit, ulong nonPagedPoolQuotaLimit, bool isSystem)
    {
        System = system;
        Id = id;
        Name = name;
        PagedPoolQuotaLimit = pagedPoolQuotaLimit;
        NonPagedPoolQuotaLimit = nonPagedPoolQuotaLimit;
        IsSystemProcess = isSystem;
    }

    /// <summary>The machine the process belongs to.</summary>
    public KernelSystem System { get; }

    /// <summary>The process name, for messages.</summary>
    public string Name { get; }

    /// <summary>True for the System process, whose allocations are never charged.</summary>
    public bool IsSystemProcess { get; }

    /// <summary>Bytes of paged pool the process may hold through quota allocations.</summary>
    public ulong PagedPoolQuotaLimit { get; }

    /// <summary>Bytes of nonpaged pool the process may hold through quota allocations.</summary>
    public ulong NonPagedPoolQuotaLimit { get; }

    /// <summary>Paged pool bytes currently charged (whole blocks, headers included).</summary>
    public ulong PagedPoolQuotaUsage => (ulong)Volatile.Read(ref _pagedUsage);

    /// <summary>Nonpaged pool bytes currently charged (whole blocks, headers included).</summary>
    public ulong NonPagedPoolQuotaUsage => (ulong)Volatile.Read(ref _nonPagedUsage);

    internal uint Id { get; }

    /// <summary>The process the calling thread is attached to, or null (the System process of its machine).</summary>
    internal static KernelProcess? Attached => KernelThread.Current.Process;

    /// <summary>
    /// Attaches the calling async flow to this process until the scope is disposed, as
    /// <c>KeStackAttachProcess</c>/<c>KeUnstackDetachProcess</c> do; scopes nest.
    /// </summary>
    public AttachScope Attach()
    {
        KernelProcess? previous = s_attached.Value;
        s_attached.Value = this;
        return new AttachScope(this, previous);
    }

    // Mirrors s_attached into the thread's KernelThread on every change, execution-context switches
    // included, as KernelSystem does for the machine: quota charging then costs one thread-static
    // read instead of an AsyncLocal lookup.
    private static void OnAttachedChanged(AsyncLocalValueChangedArgs<KernelProcess?> change) => KernelThread.Current.Process = change.CurrentValue;

    /// <summary>Charges <paramref name="bytes"/> against the paged or nonpaged limit; false when that would exceed it.</summary>
    internal bool TryCharge(bool paged, long bytes)
    {
        ref long usage = ref paged ? ref _pagedUsage : ref _nonPagedUsage;
        long limit = (long)Math.Min(paged ? PagedPoolQuotaLimit : NonPagedPoolQuotaLimit, long.MaxValue);

        // Compare-and-swap loop: the limit check and the add must be one step against other threads' charges.
        long current = Volatile.Read(ref usage);
        while (true)
        {
            if (bytes > limit - current)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref usage, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Returns <paramref name="bytes"/> of the charge; false (and nothing returned) when the process holds less than that.</summary>
    internal bool TryReturn(bool paged, long bytes)
    {
        ref long usage = ref paged ? ref _pagedUsage : ref _nonPagedUsage;
        long current = Volatile.Read(ref usage);
        while (true)
        {
            if (bytes > current)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref usage, current - bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Detaches the async flow from the process when disposed, restoring the previous attachment.</summary>
    public readonly struct AttachScope : IDisposable
    {
        private readonly KernelProcess? _attached;
        private readonly KernelProcess? _previous;

        internal AttachScope(KernelProcess attached, KernelProcess? previous)
        {
            _attached = attached;
            _previous = previous;
        }

        /// <summary>Restores the attachment that was current before <see cref="Attach"/>.</summary>
        public void Dispose()
        {
            if (_attached is not null && ReferenceEquals(s_attached.Value, _attached))
            {
                s_attached.Value = _previous;
            }
        }
    }
}
