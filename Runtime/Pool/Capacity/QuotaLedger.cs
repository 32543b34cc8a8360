using System;
using System.Security.Cryptography;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The quota processes of one pool by id, and the charging and refunding of their pool quota.
/// </summary>
/// <remarks>
/// A small block's header names the process its quota was charged to. The header is memory the
/// driver can write, so the id is stored encoded with the block's address and a per-pool secret (the
/// kernel likewise encodes its ProcessBilled pointer), and a refund decodes it and checks the range
/// before touching any process: an overwritten owner is refused (BAD_POOL_CALLER 0x0D), never
/// refunded to whichever process it happens to name. The amount refunded is the block's size class,
/// never a header field, and no refund takes a process below zero.
/// </remarks>
internal sealed class QuotaLedger
{
    private readonly object _lock = new();
    private readonly uint _secret = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);

    // Processes by id; copied on write so a refund reads it without a lock. Id 0 is System.
    private KernelProcess?[] _processes = new KernelProcess?[8];
    private int _count = 1;

    public QuotaLedger(KernelSystem system)
    {
        SystemProcess = new KernelProcess(system, 0, "System", ulong.MaxValue, ulong.MaxValue, isSystem: true);
        _processes[0] = SystemProcess;
    }

    public KernelProcess SystemProcess { get; }

    /// <summary>The process the calling thread allocates for: the attached one, or System.</summary>
    public KernelProcess CurrentProcess
    {
        get
        {
            KernelProcess? attached = KernelProcess.Attached;
            if (attached is null)
            {
                return SystemProcess;
            }

            if (!ReferenceEquals(attached.System, SystemProcess.System))
            {
                throw new InvalidOperationException(
                    $"The thread is attached to process '{attached.Name}' of another KernelSystem; attach to a process of the machine that allocates.");
            }

            return attached;
        }
    }

    public KernelProcess CreateProcess(string name, ulong pagedPoolQuotaLimit, ulong nonPagedPoolQuotaLimit)
    {
        lock (_lock)
        {
            uint id = (uint)_count;
            var process = new KernelProcess(SystemProcess.System, id, name, pagedPoolQuotaLimit, nonPagedPoolQuotaLimit, isSystem: false);
            KernelProcess?[] next = _processes;
            if (_count == next.Length)
            {
                next = new KernelProcess?[next.Length * 2];
                Array.Copy(_processes, next, _count);
            }

            next[id] = process;
            _count++;

            // Release write: a refund that finds the id in a header also finds the process in the array.
            Volatile.Write(ref _processes, next);
            return process;
        }
    }

    /// <summary>Charges the current process; returns its id (0 for System, never charged), or false in <paramref name="charged"/> when over quota.</summary>
    public uint Charge(bool paged, long bytes, out bool charged)
    {
        KernelProcess process = CurrentProcess;
        charged = process.IsSystemProcess || process.TryCharge(paged, bytes);
        return charged && !process.IsSystemProcess ? process.Id : 0;
    }

    /// <summary>Returns a charge recorded in runtime memory (a page-granular block's record), or nothing for id 0.</summary>
    public void Refund(uint id, bool paged, long bytes)
    {
        if (id != 0)
        {
            Volatile.Read(ref _processes)[id]!.TryReturn(paged, bytes);
        }
    }

    /// <summary>The header value that names process <paramref name="id"/> for the block whose header is at <paramref name="header"/>; 0 for nobody.</summary>
    public uint Encode(uint id, nint header) => id == 0 ? 0 : id ^ Cookie(header);

    /// <summary>
    /// The process an encoded header value names, or null when it names none that could have been
    /// charged (the value was overwritten).
    /// </summary>
    public KernelProcess? Decode(uint encoded, nint header)
    {
        uint id = encoded ^ Cookie(header);
        KernelProcess?[] processes = Volatile.Read(ref _processes);
        return id != 0 && id < (uint)processes.Length ? processes[id] : null;
    }

    // Different for every block and every pool; the top bit keeps an encoded id non-zero, so 0 always means "not charged".
    private uint Cookie(nint header) => ((uint)((ulong)header >> PoolLayout.UnitShift) * 0x9E3779B1u ^ _secret) | 0x8000_0000u;
}
