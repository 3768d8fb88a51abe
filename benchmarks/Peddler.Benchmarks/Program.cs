using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Peddler.Benchmarks.Support;

namespace Peddler.Benchmarks;

/// <summary>
/// Runs the benchmarks with BenchmarkDotNet's command line (<c>--filter</c>, <c>--job</c>, ...), plus:
/// <list type="bullet">
/// <item><c>--smoke</c>: every benchmark once (BenchmarkDotNet's Dry job) so CI proves they build and run;</item>
/// <item><c>--soak DURATION</c>: 1,000 concurrent callers through <c>AddPeddlerAccessToken</c> against a
/// faulty local server (see <see cref="Soak"/>); exits 1 if a caller was served an expired token or
/// an untyped exception escaped;</item>
/// <item><c>--generate-project DIR [--with-analyzers]</c>: write the 2,000-file consumer project for the
/// <c>-p:ReportAnalyzer=true</c> build (see analyzer-time.sh).</item>
/// </list>
/// </summary>
public static class Program
{
    /// <summary>Whether this is a <c>--smoke</c> run (read by <see cref="SlowOperationConfig"/> in the host process).</summary>
    public static bool IsSmoke { get; private set; }

    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "--generate-project")
        {
            string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
            string repository = Environment.GetEnvironmentVariable("PEDDLER_REPO_ROOT") ?? root;
            SyntheticConsumer.WriteProject(Path.GetFullPath(args[1]), repository, args.Contains("--with-analyzers"));
            Console.WriteLine($"wrote {SyntheticConsumer.FileCount} files ({SyntheticConsumer.AnnotatedCount} [PeddlerClient] classes) to {Path.GetFullPath(args[1])}");
            return 0;
        }

        if (args.Length >= 2 && args[0] == "--soak")
        {
            return Soak.RunAsync(args[1]).GetAwaiter().GetResult();
        }

        TokenRequestLog.Reset();
        IConfig config = DefaultConfig.Instance.AddColumn(new TokenRequestLog.Column());
        IsSmoke = args.Contains("--smoke");
        if (IsSmoke)
        {
            args = args.Where(a => a != "--smoke").ToArray();
            if (!args.Contains("--filter"))
            {
                args = [.. args, "--filter", "*"];
            }

            config = config
                .AddJob(Job.Dry)
                .WithOptions(ConfigOptions.DisableLogFile);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToArray();
        bool failed = summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
