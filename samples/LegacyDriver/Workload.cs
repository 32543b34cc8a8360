using System;
using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.Nt;

namespace LegacyDriver;

/// <summary>
/// Plays the part of the I/O manager and of time: a few opens, then bursts of writes; after each
/// burst the clock moves past the completion timer, whose DPC completes the burst at DISPATCH_LEVEL
/// on one of the machine's processors.
/// </summary>
internal static class Workload
{
    // Bursts longer than the zone's first segment make the driver extend the zone.
    private static readonly int[] s_burstSizes = [8, 24, 40, 56, 16];

    // The kernel re-tunes lookaside depths about every 3 s. The workload keeps a simulated clock
    // instead (ten bursts per scan) so every run prints the same numbers.
    private static readonly TimeSpan s_scanPeriod = TimeSpan.FromSeconds(3);
    private const int BurstsPerScan = 10;

    public static void Run(DeviceExtension device, ManualClock clock, int requests, int opens)
    {
        nint[] contexts = new nint[opens];
        for (int i = 0; i < opens; i++)
        {
            contexts[i] = Dispatch.DispatchCreate(device);
            if (contexts[i] == 0)
            {
                throw new InvalidOperationException($"DispatchCreate failed for open {i + 1}: the context lookaside list returned NULL.");
            }
        }

        Span<byte> buffer = stackalloc byte[(int)DeviceExtension.MessageBlockSize];
        int sent = 0;
        for (int burst = 0; sent < requests; burst++)
        {
            int burstSize = Math.Min(s_burstSizes[burst % s_burstSizes.Length], requests - sent);
            for (int i = 0; i < burstSize; i++, sent++)
            {
                Span<byte> payload = buffer[..PayloadLength(sent)];
                Fill(payload, sent);
                NTSTATUS status = Dispatch.DispatchWrite(device, contexts[sent % opens], payload);
                if (!NT_SUCCESS(status))
                {
                    throw new InvalidOperationException($"DispatchWrite failed for request {sent + 1}: {status}.");
                }
            }

            ExpireCompletionTimer(clock);
            if ((burst + 1) % BurstsPerScan == 0)
            {
                KernelSystem.Current.AdjustLookasideDepths(s_scanPeriod);
            }
        }

        foreach (nint context in contexts)
        {
            Report(context);
            Dispatch.DispatchClose(device, context);
        }
    }

    /// <summary>Moves the clock past the completion delay, so the timer queues its DPC, and waits until the DPC has run.</summary>
    private static void ExpireCompletionTimer(ManualClock clock)
    {
        clock.Advance(TimeSpan.FromTicks(-DeviceExtension.CompletionDelay));
        KeFlushQueuedDpcs();
    }

    private static int PayloadLength(int sequence) => 16 + (sequence * 37 % ((int)DeviceExtension.MessageBlockSize - 15));

    private static void Fill(Span<byte> payload, int sequence)
    {
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(sequence + (i * 7));
        }
    }

    private static unsafe void Report(nint context)
    {
        var file = (FILE_CONTEXT*)context;
        Console.WriteLine($"  open {file->OpenId}: {file->RequestsWritten} writes, {file->BytesWritten} bytes");
    }
}
