using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Peddler.Benchmarks.Support;

/// <summary>
/// For operations of milliseconds to seconds: one invocation per iteration, 2 warm-up and 10
/// measured iterations. Adds nothing in <c>--smoke</c> runs, where the global Dry job alone runs.
/// </summary>
public sealed class SlowOperationConfig : ManualConfig
{
    public SlowOperationConfig()
    {
        if (!Program.IsSmoke)
        {
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(10)
                .WithId("Monitoring"));
        }
    }
}
