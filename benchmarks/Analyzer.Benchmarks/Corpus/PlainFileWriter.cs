using System;
using System.Globalization;
using System.Text;

namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>
/// Writes one plain C# file of about the size of a driver file: a small work queue guarded by a
/// lock, plus ordinary code. Nothing in it refers to the pool runtime.
/// </summary>
internal static class PlainFileWriter
{
    private const int OrdinaryMembersPerFile = 1;

    public static string Write(int index)
    {
        var random = new Random(index);
        string suffix = index.ToString("D4", CultureInfo.InvariantCulture);
        int capacity = random.Next(16, 256);

        var source = new StringBuilder(4 * 1024);
        source.Append(CultureInfo.InvariantCulture, $$"""
            using System;
            using System.Collections.Generic;
            using System.Globalization;
            using System.Linq;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;

            namespace Plain.Module{{suffix}};

            internal sealed class WorkQueue{{suffix}}
            {
                private readonly Lock _gate = new();
                private readonly Queue<(int Id, byte[] Payload)> _pending = new();
                private readonly Dictionary<int, int> _attempts = new();
                private int _completed;

                public int Completed => Volatile.Read(ref _completed);

                public bool Enqueue(int id, int length)
                {
                    lock (_gate)
                    {
                        if (_pending.Count >= {{capacity}})
                        {
                            return false;
                        }

                        _pending.Enqueue((id, new byte[length]));
                        _attempts[id] = _attempts.GetValueOrDefault(id) + 1;
                        return true;
                    }
                }

                public int Drain(Func<int, byte[], bool> handler)
                {
                    int handled = 0;
                    while (true)
                    {
                        (int Id, byte[] Payload) item;
                        lock (_gate)
                        {
                            if (!_pending.TryDequeue(out item))
                            {
                                break;
                            }
                        }

                        if (handler(item.Id, item.Payload))
                        {
                            Interlocked.Increment(ref _completed);
                            handled++;
                        }
                    }

                    return handled;
                }
            }

            """);
        OrdinaryCodeWriter.Write(source, suffix, random, index * OrdinaryMembersPerFile, OrdinaryMembersPerFile);
        return source.ToString();
    }
}
