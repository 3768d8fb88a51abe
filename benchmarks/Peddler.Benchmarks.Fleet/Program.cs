using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Peddler.Benchmarks.Fleet;

/// <summary>
/// BenchmarkDotNet's command line (<c>--filter</c>, <c>--job</c>, …), plus <c>--smoke</c>: every
/// benchmark once (the Dry job), so CI proves they build and run.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // BenchmarkDotNet builds a copy of this project; on a busy 2-core machine that takes longer than its default 2 minutes.
        ManualConfig config = ManualConfig.Create(DefaultConfig.Instance);
        config.BuildTimeout = TimeSpan.FromMinutes(10);
        if (args.Contains("--smoke"))
        {
            args = [.. args.Where(a => a != "--smoke"), .. args.Contains("--filter") ? Array.Empty<string>() : ["--filter", "*"]];
            config.AddJob(Job.Dry).WithOptions(ConfigOptions.DisableLogFile);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToArray();
        return summaries.Length == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
