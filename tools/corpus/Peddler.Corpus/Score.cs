using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Peddler.Corpus;

/// <summary>
/// Compares scan rows with the judged corpus. A judgment row is
/// <c>rule repo commit path line verdict reason</c>; the verdict is <c>TP</c> (a real committed
/// credential, reported), <c>FP</c> (a false alarm) or <c>FN</c> (a real credential the analyzers
/// should report; found by reading the code). Recall counts TP and FN rows as the judged secrets.
/// </summary>
internal static class Score
{
    public static int Run(string reportsPath, string judgmentsPath)
    {
        var reports = File.ReadAllLines(reportsPath)
            .Select(l => l.Split('\t'))
            .Where(p => p.Length >= 6 && p[0] is "PDL001" or "PDL017")
            .Select(p => Key(p[0], p[1], p[3], p[4]))
            .ToHashSet(StringComparer.Ordinal);
        int crashes = File.ReadAllLines(reportsPath).Count(l => l.StartsWith("AD0001", StringComparison.Ordinal));

        var judged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(judgmentsPath))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] p = line.Split('\t');
            judged[Key(p[0], p[1], p[3], p[4])] = p[5];
        }

        int tp = reports.Count(r => judged.GetValueOrDefault(r) == "TP");
        int fp = reports.Count(r => judged.GetValueOrDefault(r) == "FP");
        int fnJudgedReported = reports.Count(r => judged.GetValueOrDefault(r) == "FN");
        List<string> unjudged = reports.Where(r => !judged.ContainsKey(r)).OrderBy(r => r, StringComparer.Ordinal).ToList();
        int secrets = judged.Values.Count(v => v is "TP" or "FN");
        int found = tp + fnJudgedReported;

        foreach (string r in unjudged)
        {
            Console.WriteLine("unjudged\t" + r);
        }

        foreach (KeyValuePair<string, string> j in judged.Where(j => j.Value is "TP" or "FN" && !reports.Contains(j.Key)))
        {
            Console.WriteLine("missed\t" + j.Key);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reports={reports.Count} true={tp + fnJudgedReported} false={fp} unjudged={unjudged.Count} precision={Ratio(tp + fnJudgedReported, tp + fnJudgedReported + fp)} judged_secrets={secrets} found={found} recall={Ratio(found, secrets)} crashes={crashes}"));
        return unjudged.Count == 0 ? 0 : 1;
    }

    private static string Key(string rule, string repo, string path, string line) => string.Join('|', rule, repo, path, line);

    private static string Ratio(int a, int b) => b == 0 ? "n/a" : (a / (double)b).ToString("F3", CultureInfo.InvariantCulture);
}
