using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The Driver Verifier view of a <see cref="KernelSystem"/>: its options and the pool-tracking
/// leak checks run when a driver unloads.
/// </summary>
public sealed class DriverVerifier
{
    private readonly ConcurrentDictionary<nint, PoolAllocationRecord> _tracked = new();
    private readonly TagFilter? _tracking;
    private readonly TagFilter? _specialPool;

    internal DriverVerifier(VerifierOptions options)
    {
        options.Validate();
        Options = options;
        _tracking = options.PoolTracking ? new TagFilter(options.PoolTrackingTags) : null;
        _specialPool = options.SpecialPool ? new TagFilter(options.SpecialPoolTags) : null;
        LowResources = options.LowResourcesFailureRate > 0
            ? new LowResourcesSimulation(options.LowResourcesFailureRate, options.LowResourcesSeed, new TagFilter(options.LowResourcesTags))
            : null;
        Systematic = options.SystematicLowResources ? new SystematicLowResources(new TagFilter(options.LowResourcesTags)) : null;
    }

    /// <summary>The switches in force.</summary>
    public VerifierOptions Options { get; }

    internal LowResourcesSimulation? LowResources { get; }

    internal SystematicLowResources? Systematic { get; }

    internal bool Tracks(uint bareTag) => _tracking is not null && _tracking.Matches(bareTag);

    internal bool UsesSpecialPool(uint bareTag) => _specialPool is not null && _specialPool.Matches(bareTag);

    /// <summary>Special pool is on (for any tag): what POOL_FLAG_SPECIAL_POOL and the special-pool priorities need.</summary>
    internal bool SpecialPoolEnabled => _specialPool is not null;

    internal void Track(PoolAllocationRecord record) => _tracked[record.Address] = record;

    internal void Untrack(nint address) => _tracked.TryRemove(address, out _);

    /// <summary>
    /// The tracked allocations with one of <paramref name="tags"/> (every tracked allocation when none
    /// is given) that have not been freed, ordered by tag then address.
    /// </summary>
    /// <exception cref="InvalidOperationException">Pool tracking is off in <see cref="Options"/>.</exception>
    public IReadOnlyList<PoolAllocationRecord> GetOutstandingAllocations(params PoolTag[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (_tracking is null)
        {
            throw new InvalidOperationException("Pool tracking is off: set VerifierOptions.PoolTracking to list outstanding allocations.");
        }

        var wanted = new TagFilter(tags.Length == 0 ? null : tags);
        var result = new List<PoolAllocationRecord>();
        foreach (PoolAllocationRecord record in _tracked.Values)
        {
            if (wanted.Matches(record.Tag.Value & ~PoolTag.PROTECTED_POOL))
            {
                result.Add(record);
            }
        }

        result.Sort(static (a, b) => a.Tag.Value != b.Tag.Value ? string.CompareOrdinal(a.Tag.ToString(), b.Tag.ToString()) : a.Address.CompareTo(b.Address));
        return result;
    }

    /// <summary>
    /// The check Driver Verifier makes when <paramref name="driverName"/> unloads: bug check
    /// DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4/0x62, P4 = allocations not freed) when any allocation
    /// with the driver's <paramref name="tags"/> is still outstanding; the message lists them by tag and size.
    /// </summary>
    /// <exception cref="BugCheckException">0xC4/0x62 with the outstanding allocations.</exception>
    public void VerifyDriverUnload(string driverName, params PoolTag[] tags)
    {
        ArgumentException.ThrowIfNullOrEmpty(driverName);
        IReadOnlyList<PoolAllocationRecord> leaks = GetOutstandingAllocations(tags);
        if (leaks.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(driverName).Append(" unloaded with ").Append(leaks.Count).Append(" pool allocation(s) not freed:");
        foreach (PoolAllocationRecord leak in leaks)
        {
            message.Append(' ').Append(leak.ToString()).Append(';');
        }

        message.Length--;
        throw BugCheck.Raise(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, 0, 0, (ulong)leaks.Count, message.ToString());
    }
}
