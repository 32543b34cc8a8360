using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Everything the runtime keeps per thread in one object: the IRQL, the mirrors of the ambient
/// <see cref="KernelSystem"/> and <see cref="KernelProcess"/>, the thread's pool cache, its
/// lookaside front caches, its zone caches and its emulated processor. One thread-static read reaches them all,
/// which matters on the pool and lookaside hot paths (separate thread-statics would cost a TLS
/// lookup each).
/// </summary>
internal sealed class KernelThread
{
    [ThreadStatic]
    private static KernelThread? t_current;

    /// <summary>The operating-system thread this state belongs to.</summary>
    public readonly Thread OsThread = Thread.CurrentThread;

    /// <summary>True once the thread has exited: what it cached for pools and lookaside lists is orphaned (see <see cref="PerThreadCaches{TCache}"/>).</summary>
    public bool HasExited => !OsThread.IsAlive;

    /// <summary>The calling thread's IRQL (per processor in the kernel, per thread here).</summary>
    public KIRQL Irql;

    /// <summary>
    /// True while the async flow running on this thread is watched for leaving the thread at raised
    /// IRQL on the default machine (see <see cref="KernelSystem.WatchFlowOnDefault"/>); kept by that watch's
    /// AsyncLocal callback, so the raise paths test a field instead of reading the AsyncLocal.
    /// </summary>
    public bool FlowWatchedOnDefault;

    /// <summary>
    /// Raises the thread to <paramref name="level"/> (the caller checked it is not lower). The first
    /// raise from PASSIVE_LEVEL of an async flow that entered no machine has the default machine
    /// watch the flow, as entering a machine does for that machine: a flow that gives the thread back
    /// at raised IRQL is reported either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RaiseTo(KIRQL level)
    {
        if (Irql == KIRQL.PASSIVE_LEVEL && !FlowWatchedOnDefault && System is null && _processor is null)
        {
            KernelSystem.WatchFlowOnDefault();
        }

        Irql = level;
    }

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

    /// <summary>Slots in <see cref="ZoneMagazines"/>: a power of two, so a zone's slot is its number masked.</summary>
    public const int ZoneMagazineSlots = 8;

    /// <summary>The thread's zone caches for the interlocked zone routines, one per slot (see ZONE_HEADER); an empty slot holds <see cref="ZoneMagazine.None"/>.</summary>
    public ZoneMagazineTable ZoneMagazines;

    // Hands out processor numbers to ordinary threads round-robin.
    private static int s_threadsCreated;

    /// <summary>Fixed at creation: an ordinary thread runs on processor <c>ProcessorSeed % ProcessorCount</c> of any machine.</summary>
    public readonly int ProcessorSeed = Interlocked.Increment(ref s_threadsCreated) - 1;

    /// <summary>The thread's identity in a spin lock's holder field: unique, positive, below 2^31.</summary>
    public int LockId => ProcessorSeed + 1;

    // Counts the thread's DPC insertions; with LockId it makes each insertion's stamp unique
    // without an atomic operation.
    private uint _dpcInsertions;

    /// <summary>A stamp for one DPC insertion by this thread: non-zero and different from every other insertion's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long NextDpcStamp() => ((long)LockId << 32) | ++_dpcInsertions;

    /// <summary>The emulated processor this thread serves when it is a machine's DPC thread; null on ordinary threads.</summary>
    public DpcProcessor? Processor
    {
        get => _processor;
        set
        {
            _processor = value;
            _numberedOn = null;
        }
    }

    private DpcProcessor? _processor;

    // The last machine the thread asked its processor number on, and that number: one compare
    // instead of a division on every KeInsertQueueDpc.
    private KernelSystem? _numberedOn;
    private int _number;

    public KernelThread()
    {
        ((Span<LookasideMagazine>)Magazines).Fill(LookasideMagazine.None);
        ((Span<ZoneMagazine>)ZoneMagazines).Fill(ZoneMagazine.None);
    }

    /// <summary>The thread's processor number on <paramref name="machine"/>: its own processor on a DPC thread of that machine, else stable per thread and below the machine's count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ProcessorNumberOn(KernelSystem machine)
        => ReferenceEquals(_numberedOn, machine) ? _number : NumberOn(machine);

    private int NumberOn(KernelSystem machine)
    {
        _number = _processor is { } processor && ReferenceEquals(processor.Machine, machine)
            ? processor.Number
            : (int)((uint)ProcessorSeed % (uint)machine.ProcessorCount);
        _numberedOn = machine;
        return _number;
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

    [InlineArray(ZoneMagazineSlots)]
    internal struct ZoneMagazineTable
    {
        private ZoneMagazine _first;
    }
}
