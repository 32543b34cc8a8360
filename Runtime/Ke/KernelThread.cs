using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Everything the runtime keeps per thread in one object: the IRQL, the mirrors of the ambient
/// <see cref="KernelSystem"/> and <see cref="KernelProcess"/>, the thread's pool cache, its
/// lookaside front caches, its emulated processor and its in-stack queue entries. One thread-static read reaches them all, which matters on the pool and
/// lookaside hot paths (separate thread-statics would cost a TLS lookup each).
/// </summary>
internal sealed class KernelThread
{
    [ThreadStatic]
    private static KernelThread? t_current;

    /// <summary>The calling thread's IRQL (per processor in the kernel, per thread here).</summary>
    public KIRQL Irql;

    /// <summary>The machine entered on this thread's async flow, kept by <see cref="KernelSystem"/>'s AsyncLocal callback; null means the default machine.</summary>
    public KernelSystem? System { get; private set; }

    /// <summary>The process attached on this thread's async flow, kept by <see cref="KernelProcess"/>'s AsyncLocal callback; null means the System process.</summary>
    public KernelProcess? Process;

    /// <summary>
    /// The thread's pool cache for the machine it is in (<see cref="System"/>, or the default), or null
    /// until first use. Cleared whenever the machine changes, so the hot path never compares owners.
    /// </summary>
    public ThreadCache? PoolCache;

    /// <summary>The thread's caches for every machine it used; the weak table lets machines be collected.</summary>
    public ConditionalWeakTable<PoolAllocator, ThreadCache>? PoolCaches;

    /// <summary>Records the machine now ambient on this thread and drops the cache of the previous one.</summary>
    public void EnterSystem(KernelSystem? system)
    {
        if (!ReferenceEquals(System, system))
        {
            System = system;
            PoolCache = null;
        }
    }

    /// <summary>Slots in <see cref="Magazines"/>: a power of two, so a list's slot is its number masked.</summary>
    public const int MagazineSlots = 16;

    /// <summary>
    /// The thread's lookaside front caches, one per slot (see GENERAL_LOOKASIDE), inline in this object
    /// so the hot path reaches a slot in one load; a stale entry is replaced on use, an empty slot
    /// holds <see cref="LookasideMagazine.None"/>.
    /// </summary>
    public MagazineTable Magazines;

    // Hands out processor numbers to ordinary threads round-robin.
    private static int s_threadsCreated;

    /// <summary>Fixed at creation: an ordinary thread runs on processor <c>ProcessorSeed % ProcessorCount</c> of any machine.</summary>
    public readonly int ProcessorSeed = Interlocked.Increment(ref s_threadsCreated) - 1;

    /// <summary>The emulated processor this thread serves when it is a machine's DPC thread; null on ordinary threads.</summary>
    public DpcProcessor? Processor;

    /// <summary>The thread's in-stack queue entries, one per queued spin lock it holds (or waits for) at the same time; grown on demand.</summary>
    private QueuedLockWaiter?[] _waiters = new QueuedLockWaiter?[2];

    // How many of _waiters are taken; 0 lets an acquisition use the first entry without a search.
    private int _waitersTaken;

    public KernelThread()
    {
        ((Span<LookasideMagazine>)Magazines).Fill(LookasideMagazine.None);
    }

    /// <summary>The thread's processor number on <paramref name="machine"/>: its own processor on a DPC thread of that machine, else stable per thread and below the machine's count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ProcessorNumberOn(KernelSystem machine)
        => Processor is { } processor && ReferenceEquals(processor.Machine, machine)
            ? processor.Number
            : (int)((uint)ProcessorSeed % (uint)machine.ProcessorCount);

    /// <summary>
    /// A free queue entry for acquiring <paramref name="spinLock"/>, marked as taken for it.
    /// </summary>
    /// <exception cref="BugCheckException">SPIN_LOCK_ALREADY_OWNED (0x0F) when the thread already holds <paramref name="spinLock"/> through the queue.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public QueuedLockWaiter RentWaiter(KSPIN_LOCK spinLock)
    {
        // With no entry taken the thread holds no queued lock, so there is no recursion to look for
        // and the first entry is free.
        QueuedLockWaiter waiter = _waitersTaken == 0 && _waiters[0] is { } first ? first : RentWaiterSlow(spinLock);
        _waitersTaken++;
        waiter.Next = null;
        waiter.State = QueuedLockWaiter.Waiting;
        waiter.Grant++;
        waiter.Lock = spinLock;
        return waiter;
    }

    /// <summary>Frees an entry after its release, or after an acquisition that failed before it joined a queue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ReturnWaiter(QueuedLockWaiter waiter)
    {
        waiter.Lock = null;
        _waitersTaken--;
    }

    /// <summary>Drops an entry left linked in a queue by a wait that gave up; the thread never reuses it.</summary>
    public void AbandonWaiter(QueuedLockWaiter waiter)
    {
        _waitersTaken--;
        int slot = Array.IndexOf(_waiters, waiter);
        if (slot >= 0)
        {
            _waiters[slot] = null;
        }
    }

    /// <summary>True when the thread holds <paramref name="spinLock"/> through the in-stack queue.</summary>
    public bool HoldsQueued(KSPIN_LOCK spinLock)
    {
        foreach (QueuedLockWaiter? waiter in _waiters)
        {
            if (waiter is not null && waiter.Lock == spinLock && Volatile.Read(ref waiter.State) == QueuedLockWaiter.Granted)
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private QueuedLockWaiter RentWaiterSlow(KSPIN_LOCK spinLock)
    {
        if (HoldsQueued(spinLock))
        {
            throw BugCheck.Raise(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0,
                "the spin lock is already owned by this thread through KeAcquireInStackQueuedSpinLock (recursive acquisition deadlocks a real processor)");
        }

        for (int slot = 0; slot < _waiters.Length; slot++)
        {
            QueuedLockWaiter? waiter = _waiters[slot];
            if (waiter is null)
            {
                return _waiters[slot] = new QueuedLockWaiter(this);
            }

            if (waiter.Lock is null)
            {
                return waiter;
            }
        }

        int free = _waiters.Length;
        Array.Resize(ref _waiters, free * 2);
        return _waiters[free] = new QueuedLockWaiter(this);
    }

    public static KernelThread Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Create();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static KernelThread Create() => t_current = new KernelThread();

    [InlineArray(MagazineSlots)]
    internal struct MagazineTable
    {
        private LookasideMagazine _first;
    }
}
