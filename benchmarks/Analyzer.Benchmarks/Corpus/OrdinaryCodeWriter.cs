using System;
using System.Globalization;
using System.Text;

namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>
/// Writes everyday C# (records, loops, LINQ, strings, switch expressions, iterators, async) so
/// both corpora carry the kind of code the analyzers must look at and ignore.
/// </summary>
internal static class OrdinaryCodeWriter
{
    private static readonly string[] Words = ["hello", "ready", "queued", "done", "pending", "idle"];

    private static readonly Func<string, Random, string>[] Members =
    [
        WeightedAverage,
        TopNames,
        Describe,
        CountWords,
        Filtered,
        SumAsync,
        Join,
    ];

    /// <summary>
    /// Appends a record and a static class with <paramref name="memberCount"/> members, chosen in
    /// rotation from <paramref name="first"/> so every member kind is equally common in a corpus.
    /// </summary>
    public static void Write(StringBuilder source, string suffix, Random random, int first, int memberCount)
    {
        source.Append(CultureInfo.InvariantCulture, $$"""

            internal sealed record Sample{{suffix}}(int Id, string Name, double Weight);

            internal static class Statistics{{suffix}}
            {
            """);
        for (int i = 0; i < memberCount; i++)
        {
            source.Append('\n').Append(Members[(first + i) % Members.Length](suffix, random));
        }

        source.Append("}\n");
    }

    private static string WeightedAverage(string suffix, Random random) => $$"""
            public static double WeightedAverage(IReadOnlyList<Sample{{suffix}}> samples)
            {
                double total = 0, weight = 0;
                for (int i = 0; i < samples.Count; i++)
                {
                    total += samples[i].Id * samples[i].Weight * {{random.Next(1, 9)}};
                    weight += samples[i].Weight;
                }

                return weight == 0 ? 0 : total / weight;
            }

        """;

    private static string TopNames(string suffix, Random random) => $$"""
            public static List<string> TopNames(IEnumerable<Sample{{suffix}}> samples) =>
                samples.Where(s => s.Weight > {{random.Next(1, 50)}})
                    .OrderByDescending(s => s.Weight)
                    .ThenBy(s => s.Name, StringComparer.Ordinal)
                    .Take({{random.Next(3, 12)}})
                    .Select(s => $"{s.Name}:{s.Weight:F2}")
                    .ToList();

        """;

    private static string Describe(string suffix, Random random) => $$"""
            public static string Describe(int code) => code switch
            {
                0 => "{{Words[random.Next(Words.Length)]}}",
                < 10 => "small",
                < 100 => $"medium {code}",
                _ => string.Concat("large ", code.ToString(CultureInfo.InvariantCulture)),
            };

        """;

    private static string CountWords(string suffix, Random random) => $$"""
            public static Dictionary<string, int> CountWords(string text)
            {
                var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                foreach (string word in text.Split('{{" ,;"[random.Next(3)]}}', StringSplitOptions.RemoveEmptyEntries))
                {
                    counts.TryGetValue(word, out int seen);
                    counts[word] = seen + 1;
                }

                return counts;
            }

        """;

    private static string Filtered(string suffix, Random random) => $$"""
            public static IEnumerable<int> Filtered(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    if (i % {{random.Next(3, 17)}} == 0)
                    {
                        yield return i * i;
                    }
                }
            }

        """;

    private static string SumAsync(string suffix, Random random) => $$"""
            public static async Task<int> SumAsync(IEnumerable<int> values, CancellationToken cancellationToken)
            {
                int sum = 0;
                foreach (int value in values)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    sum += value;
                    if (sum % {{1 << random.Next(6, 12)}} == 0)
                    {
                        await Task.Yield();
                    }
                }

                return sum;
            }

        """;

    private static string Join(string suffix, Random random) => $$"""
            public static string Join(IEnumerable<Sample{{suffix}}> samples)
            {
                var builder = new StringBuilder();
                foreach (var group in samples.GroupBy(s => s.Id % {{random.Next(3, 17)}}).OrderBy(g => g.Key))
                {
                    builder.Append(group.Key).Append(": ").AppendJoin(", ", group.Select(s => s.Name.ToUpperInvariant())).AppendLine();
                }

                return builder.ToString();
            }

        """;
}
