using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Fails a seeded, repeatable fraction of eligible allocations. Each eligible call takes the next
/// number of a sequence and fails when a hash of (seed, number) falls under the rate, so a
/// single-threaded run with the same seed fails the same calls every time.
/// </summary>
internal sealed class LowResourcesSimulation(double rate, int seed, TagFilter tags)
{
    private long _sequence;

    public bool ShouldFail(uint bareTag)
    {
        if (!tags.Matches(bareTag))
        {
            return false;
        }

        ulong n = (ulong)Interlocked.Increment(ref _sequence);
        double sample = (Mix(((ulong)(uint)seed << 32) ^ n) >> 11) * (1.0 / (1UL << 53));
        return sample < rate;
    }

    // SplitMix64 finalizer: consecutive inputs give independent-looking outputs.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
