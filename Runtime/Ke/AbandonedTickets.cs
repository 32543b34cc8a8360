using System.Collections.Generic;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Tickets of queued spin-lock waiters that gave up. Each one's turn still comes, and nobody is
/// there to take it, so a background thread watches them and ends each turn when it comes: the
/// waiters behind still get the lock, in order. Giving up is a bug report (the watchdog, or mixed
/// acquisition), so this is rare; keeping it off the release path keeps a release one plain store.
/// </summary>
internal static class AbandonedTickets
{
    private static readonly object s_gate = new();
    private static readonly List<(KSPIN_LOCK Lock, uint Ticket)> s_pending = [];
    private static Thread? s_watcher;

    /// <summary>Ends <paramref name="ticket"/>'s turn on <paramref name="spinLock"/> when it comes (possibly at once).</summary>
    public static void Add(KSPIN_LOCK spinLock, uint ticket)
    {
        lock (s_gate)
        {
            s_pending.Add((spinLock, ticket));
            if (s_watcher is null)
            {
                s_watcher = new Thread(Watch) { IsBackground = true, Name = "Abandoned spin-lock tickets" };
                s_watcher.UnsafeStart();
            }
        }
    }

    /// <summary>Drops the tickets of <paramref name="spinLock"/>: it is being initialized again and its tickets start over.</summary>
    public static void Forget(KSPIN_LOCK spinLock)
    {
        lock (s_gate)
        {
            s_pending.RemoveAll(entry => entry.Lock == spinLock);
        }
    }

    private static void Watch()
    {
        while (true)
        {
            lock (s_gate)
            {
                // Several tickets of one lock in a row are served one per pass, in order.
                s_pending.RemoveAll(entry => entry.Lock.TryServeAbandoned(entry.Ticket));
                if (s_pending.Count == 0)
                {
                    s_watcher = null;
                    return;
                }
            }

            Thread.Sleep(1);
        }
    }
}
