using System;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Peddler.Benchmarks.Support;

/// <summary>
/// Carries "token requests per operation" from the benchmark process (which counts them at the
/// server or in the HTTP pipeline) to the summary table printed by the host process: each
/// benchmark writes one small file at <c>[GlobalCleanup]</c>, <see cref="Column"/> reads it.
/// </summary>
internal static class TokenRequestLog
{
    public static readonly string Directory = Path.Combine(Path.GetTempPath(), "Peddler.Benchmarks", "token-requests");

    public static void Reset()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Records, and prints for the log, the requests made over <paramref name="operations"/> operations.</summary>
    public static void Write(string benchmark, long operations, long requests, int minPerOperation, int maxPerOperation)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{operations} {requests} {minPerOperation} {maxPerOperation}");
        File.WriteAllText(Path.Combine(Directory, benchmark + ".txt"), line);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// token requests: {benchmark}: {requests} over {operations} operation(s), min {minPerOperation}, max {maxPerOperation} per operation"));
    }

    private static string? Read(BenchmarkCase benchmarkCase)
    {
        string path = Path.Combine(Directory, Key(benchmarkCase) + ".txt");
        if (!File.Exists(path))
        {
            return null;
        }

        long[] parts = File.ReadAllText(path).Split(' ').Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return parts[0] == 0
            ? "-"
            : parts[2] == parts[3]
                ? parts[2].ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{parts[2]}-{parts[3]} (mean {(double)parts[1] / parts[0]:0.#})");
    }

    private static string Key(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.Type.Name + "." + benchmarkCase.Descriptor.WorkloadMethod.Name;

    /// <summary>The <c>TokenRequests/op</c> column.</summary>
    public sealed class Column : IColumn
    {
        public string Id => nameof(TokenRequestLog);

        public string ColumnName => "TokenRequests/op";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => false;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "HTTP token requests per operation (all callers of one operation together), counted in the benchmark process";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => Read(benchmarkCase) ?? "?";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(b => File.Exists(Path.Combine(Directory, Key(b) + ".txt")));

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
