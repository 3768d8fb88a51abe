using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Peddler.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Peddler.Redis.Tests;

[CollectionDefinition(nameof(MultiProcessTests), DisableParallelization = true)]
public sealed class MultiProcessTestGroup;

/// <summary>Separate OS processes (8) against one local authorization server and one cache server.</summary>
[Collection(nameof(MultiProcessTests))]
public sealed class MultiProcessTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    private const int Instances = 8;

    [Fact]
    public async Task Eight_processes_asking_at_the_same_moment_make_exactly_one_token_request()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        await using FleetProcesses processes = await FleetProcesses.StartAsync(Instances, fleet);

        processes.Release();
        await Task.WhenAll(processes.Workers.Select(w => w.WaitForAsync("TOKEN ", TimeSpan.FromSeconds(60))));

        Assert.True(fleet.Server.TokenRequestCount == 1, Describe(processes));
        Assert.Single(processes.Workers.Select(w => w.Fingerprint).Distinct());

        // The one request came from a lock holder. Another worker may take the lock after it is
        // released, if its read came before the token was written; it then finds the token on its
        // second read and asks for nothing (the request count above).
        Assert.Contains(processes.Workers, w => w.Line("LOCK") is not null);
    }

    [Fact]
    public async Task Eight_processes_asking_for_the_same_carriers_at_once_make_one_token_request_per_carrier()
    {
        // 60 in the suite; PEDDLER_FLEET_CARRIERS=500 reproduces docs/benchmarks.md's 8 x 500 run.
        int carriers = int.TryParse(Environment.GetEnvironmentVariable("PEDDLER_FLEET_CARRIERS"), out int n) && n > 0 ? n : 60;
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.AddCarriers(Fleet.ClientId, Enumerable.Range(900_001, carriers).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using FleetProcesses processes = await FleetProcesses.StartAsync(Instances, fleet, carriers: carriers);

        processes.Release();
        await Task.WhenAll(processes.Workers.Select(w => w.WaitForAsync("CARRIERS ", TimeSpan.FromSeconds(90))));

        // One request per carrier for the whole fleet, and every process holds the same token per carrier.
        Assert.True(fleet.Server.TokenRequestCount == carriers, $"{fleet.Server.TokenRequestCount} requests\n" + Describe(processes));
        Assert.Equal(carriers, fleet.Server.TokenRequests.Select(r => r.Fields.Single(f => f.Key == "scope").Value).Distinct().Count());
        Assert.Single(processes.Workers.Select(w => w.Line("CARRIERS")!.Split(' ')[2]).Distinct());
        Assert.DoesNotContain(processes.Workers, w => w.Line("WARN") is not null);
        foreach (FleetProcesses.Worker worker in processes.Workers)
        {
            // CARRIERS <n> <digest> <wall ms> <CPU ms>: each process's cost, for the benchmark record.
            _output.WriteLine(worker.Line("CARRIERS"));
        }
    }

    [Fact]
    public async Task Killing_the_lock_holder_mid_request_blocks_the_others_no_longer_than_the_lease()
    {
        TimeSpan lease = TimeSpan.FromSeconds(2);
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        fleet.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromSeconds(60)));
        await using FleetProcesses processes = await FleetProcesses.StartAsync(Instances, fleet, lease, wait: TimeSpan.FromSeconds(50));

        processes.Release();
        await fleet.Server.WaitUntilAsync(s => s.TokenRequestCount >= 1).WaitAsync(TimeSpan.FromSeconds(60));
        FleetProcesses.Worker holder = processes.Workers.Single(w => w.Line("LOCK") is not null);

        holder.Process.Kill(); // SIGKILL: no finally block runs, the lock is never released
        var sinceKill = Stopwatch.StartNew();
        FleetProcesses.Worker[] survivors = processes.Workers.Where(w => w != holder).ToArray();
        await Task.WhenAll(survivors.Select(w => w.WaitForAsync("TOKEN ", TimeSpan.FromSeconds(60))));
        TimeSpan recovery = sinceKill.Elapsed;

        Assert.True(fleet.Server.TokenRequestCount == 2, Describe(processes));
        Assert.Single(survivors.Select(w => w.Fingerprint).Distinct());

        // The lease (2 s) plus one poll, one request and the workers' output; far below the 50 s wait timeout.
        Assert.True(recovery < lease + TimeSpan.FromSeconds(6), $"recovered after {recovery}");
    }

    private static string Describe(FleetProcesses processes) =>
        string.Join("\n", processes.Workers.Select(w => string.Join(" | ", w.Lines)));
}
