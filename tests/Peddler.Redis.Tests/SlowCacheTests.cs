using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Peddler.Redis.Tests;

/// <summary>
/// A Redis that is slow, stalled (connection open, no replies) or hostile never makes things worse:
/// every call gets a token in bounded time, one warning per instance per outage, sharing resumes.
/// Faults are made on real sockets: <see cref="FaultyRelay"/> between the instances and a real
/// server, <see cref="HostileRedis"/> for a server that answers wrongly.
/// </summary>
public sealed class SlowCacheTests(ITestOutputHelper output)
{
    private const string RedisPassword = "fake-redis-password-for-tests";
    private const int Instances = 4;
    private const int Callers = 50;

    // OperationTimeout is 1 s; the bound is generous for a busy 2-core machine (as in FailureTests).
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(8);

    [Theory]
    [InlineData("slow")]
    [InlineData("stalled")]
    [InlineData("reset")]
    public async Task A_cache_that_turns_slow_stalled_or_reset_mid_run_still_gives_every_caller_a_token_in_bounded_time(string fault)
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using FaultyRelay relay = FaultyRelay.To(cache);
        await using Fleet fleet = await Fleet.StartAsync(cache);

        // RetryStoreAfter zero: every renewal meets the fault (none is skipped after the first failure).
        FleetTokens[] instances = Enumerable.Range(0, Instances)
            .Select(_ => fleet.AddInstance(o => { WithShortTimeouts(o, relay.Configuration); o.RetryStoreAfter = TimeSpan.Zero; }))
            .ToArray();
        PeddlerAccessToken shared = await instances[0].GetTokenAsync();
        foreach (FleetTokens instance in instances.Skip(1))
        {
            Assert.Equal(shared.AccessToken, (await instance.GetTokenAsync()).AccessToken);
        }

        Assert.Equal(1, fleet.Server.TokenRequestCount);

        switch (fault)
        {
            case "slow":
                relay.Delay(TimeSpan.FromSeconds(3)); // three times OperationTimeout
                break;
            case "stalled":
                relay.Stall();
                break;
            default:
                relay.Reset();
                break;
        }

        // Two renewals of every instance, each with 50 callers at once: one request per instance
        // per renewal (in-process single-flight holds without the fleet's lock), every call bounded.
        for (int round = 1; round <= 2; round++)
        {
            await RenewAllAtOnceAsync(instances);
            Assert.Equal(1 + (round * Instances), fleet.Server.TokenRequestCount);
        }

        Assert.Equal(Instances, fleet.Logs.Count("SharedCacheUnavailable")); // once per instance, not per call
        Assert.All(fleet.Logs.Entries.Where(e => e.EventName == "SharedCacheUnavailable"), e => Assert.Equal(LogLevel.Warning, e.Level));

        // The lock SETs whose replies never came in time did reach the server; each is released
        // behind it, not left to block the fleet for its lease (10 s) once the fault ends.
        await AssertNoLockLeftAsync(fleet, cache, TimeSpan.FromSeconds(5));

        await AssertSharingResumesAsync(fleet, cache, relay.Pass, instances[0], instances[1]);
    }

    [Fact]
    public async Task A_cache_stalled_from_the_start_gives_50_callers_tokens_in_bounded_time_with_one_request_per_instance()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using FaultyRelay relay = FaultyRelay.To(cache);
        await using Fleet fleet = await Fleet.StartAsync(cache);
        relay.Stall();
        FleetTokens[] instances = Enumerable.Range(0, Instances).Select(_ => fleet.AddInstance(o => WithShortTimeouts(o, relay.Configuration))).ToArray();

        Dictionary<FleetTokens, PeddlerAccessToken> tokens = await CallAllAtOnceAsync(instances);

        Assert.Equal(Instances, tokens.Values.Select(t => t.AccessToken).Distinct().Count());
        Assert.Equal(Instances, fleet.Server.TokenRequestCount);
        Assert.Equal(Instances, fleet.Logs.Count("SharedCacheUnavailable"));
        Assert.True(relay.Accepted >= Instances, $"{relay.Accepted} connections reached the relay"); // the stall was real, not a refused port

        await AssertSharingResumesAsync(fleet, cache, relay.Pass, instances[0], instances[1]);
    }

    [Fact]
    public async Task An_app_stops_in_bounded_time_while_its_cache_is_stalled()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using FaultyRelay relay = FaultyRelay.To(cache);
        Fleet fleet = await Fleet.StartAsync(cache);
        var stopping = new Stopwatch();
        try
        {
            FleetTokens a = fleet.AddInstance(o => WithShortTimeouts(o, relay.Configuration));
            PeddlerAccessToken shared = await a.GetTokenAsync();
            relay.Stall();
            a.InvalidateToken(shared);
            Assert.NotEqual(shared.AccessToken, (await a.GetTokenAsync()).AccessToken);
            stopping.Start();
        }
        finally
        {
            // Disposing the container closes the Redis connection, which has requests without replies.
            await fleet.DisposeAsync();
        }

        Assert.True(stopping.Elapsed < CallBound, $"the instance took {stopping.Elapsed} to stop");
    }

    [Theory]
    [InlineData("noauth")]
    [InlineData("no-eval")]
    [InlineData("oom")]
    [InlineData("garbage")]
    public async Task A_hostile_or_misconfigured_server_costs_one_warning_and_learns_no_secret(string kind)
    {
        await using var hostile = new HostileRedis(kind);
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        string configuration = hostile.Configuration + ",password=" + RedisPassword;

        // RetryStoreAfter zero: every call goes to the server, so a warning per call would show.
        FleetTokens a = fleet.AddInstance(o => { WithShortTimeouts(o, configuration); o.RetryStoreAfter = TimeSpan.Zero; });
        FleetTokens b = fleet.AddInstance(o => { WithShortTimeouts(o, configuration); o.RetryStoreAfter = TimeSpan.Zero; });
        var seen = new List<PeddlerAccessToken>();
        foreach (FleetTokens instance in new[] { a, b })
        {
            var clock = Stopwatch.StartNew();
            seen.Add(await instance.GetTokenAsync());
            Assert.True(clock.Elapsed < CallBound, $"first token after {clock.Elapsed}");
        }

        for (int i = 0; i < 3; i++)
        {
            foreach (FleetTokens instance in new[] { a, b })
            {
                PeddlerAccessToken held = await instance.GetTokenAsync();
                instance.InvalidateToken(held);
                var clock = Stopwatch.StartNew();
                PeddlerAccessToken next = await instance.GetTokenAsync();
                Assert.True(clock.Elapsed < CallBound, $"token after {clock.Elapsed}");
                Assert.NotEqual(held.AccessToken, next.AccessToken);
                seen.Add(next);
            }
        }

        // Nothing is shared through a server that stores nothing: every token came from the endpoint.
        Assert.Equal(8, fleet.Server.TokenRequestCount);
        Assert.Equal(2, fleet.Logs.Count("SharedCacheUnavailable"));
        Assert.Equal(0, fleet.Logs.Count("SharedCacheResumed"));

        // The test really talked to the responder, down to the path it breaks.
        string expected = kind switch { "no-eval" => "EVAL", "oom" => "SET", _ => "AUTH" };
        Assert.True(hostile.Commands.Contains(expected), string.Join(" ", hostile.Commands.Distinct()));

        // No log (message or exception) names the Redis password, the client secret or a token;
        // the server saw neither the secret nor a token in clear.
        string[] secrets = [RedisPassword, Fleet.ClientSecret, .. seen.Select(t => t.AccessToken)];
        foreach ((string category, LogLevel _, string eventName, string message) in fleet.Logs.Entries)
        {
            Assert.DoesNotContain(secrets, s => message.Contains(s, StringComparison.Ordinal) || category.Contains(s, StringComparison.Ordinal) || eventName.Contains(s, StringComparison.Ordinal));
        }

        string received = Encoding.UTF8.GetString(hostile.Received());
        Assert.DoesNotContain(secrets.Skip(1), s => received.Contains(s, StringComparison.Ordinal));
    }

    private static async Task AssertNoLockLeftAsync(Fleet fleet, CacheServer cache, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        List<string> locks;
        while (true)
        {
            locks = (await RedisInspector.DumpAsync(cache)).Select(e => e.Key).Where(k => k.StartsWith(fleet.KeyPrefix + "lock:", StringComparison.Ordinal)).ToList();
            if (locks.Count == 0 || clock.Elapsed > within)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.True(locks.Count == 0, $"a fleet lock was still held {clock.Elapsed} after every caller had its token");
    }

    private static async Task<HashSet<string>> TokenEntriesAsync(Fleet fleet, CacheServer cache) =>
        (await RedisInspector.DumpAsync(cache))
            .Where(e => e.Key.StartsWith(fleet.KeyPrefix + "token:", StringComparison.Ordinal))
            .Select(e => Convert.ToBase64String(e.Bytes))
            .ToHashSet();

    private static void WithShortTimeouts(PeddlerRedisTokenCacheOptions options, string configuration)
    {
        options.Configuration = configuration;
        options.ConnectTimeout = TimeSpan.FromSeconds(2);
        options.OperationTimeout = TimeSpan.FromSeconds(1);
        options.RetryStoreAfter = TimeSpan.FromSeconds(1);
    }

    /// <summary>Drops every instance's token, then lets 50 callers at once ask for a new one; each must get it within the bound.</summary>
    private async Task RenewAllAtOnceAsync(FleetTokens[] instances)
    {
        var held = new Dictionary<FleetTokens, PeddlerAccessToken>();
        foreach (FleetTokens instance in instances)
        {
            held[instance] = await instance.GetTokenAsync();
            instance.InvalidateToken(held[instance]);
        }

        Dictionary<FleetTokens, PeddlerAccessToken> renewed = await CallAllAtOnceAsync(instances);
        foreach (FleetTokens instance in instances)
        {
            Assert.NotEqual(held[instance].AccessToken, renewed[instance].AccessToken);
        }
    }

    /// <summary>50 callers spread over the instances, started together; every call bounded; one token per instance.</summary>
    private async Task<Dictionary<FleetTokens, PeddlerAccessToken>> CallAllAtOnceAsync(FleetTokens[] instances)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<(FleetTokens Instance, PeddlerAccessToken Token, TimeSpan Took)>[] calls = Enumerable.Range(0, Callers)
            .Select(i => Task.Run(async () =>
            {
                FleetTokens instance = instances[i % instances.Length];
                await start.Task;
                var clock = Stopwatch.StartNew();
                PeddlerAccessToken token = await instance.GetTokenAsync();
                return (instance, token, clock.Elapsed);
            }))
            .ToArray();
        start.SetResult();
        var results = await Task.WhenAll(calls);

        TimeSpan slowest = results.Max(r => r.Took);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Callers} callers: slowest {slowest.TotalMilliseconds:F0} ms, fastest {results.Min(r => r.Took).TotalMilliseconds:F0} ms"));
        Assert.True(slowest < CallBound, $"slowest call took {slowest}");
        var tokens = new Dictionary<FleetTokens, PeddlerAccessToken>();
        foreach (var group in results.GroupBy(r => r.Instance))
        {
            Assert.Single(group.Select(r => r.Token.AccessToken).Distinct()); // one token per instance: single-flight held
            tokens[group.Key] = group.First().Token;
        }

        return tokens;
    }

    /// <summary>
    /// After <paramref name="endFault"/>, a's next token is stored in Redis again (an entry that was not
    /// there before: one left from before the fault does not count) and b takes it without a request
    /// of its own; every call on the way stays within the bound (no lock left behind by the fault).
    /// </summary>
    private static async Task AssertSharingResumesAsync(Fleet fleet, CacheServer cache, Action endFault, FleetTokens a, FleetTokens b)
    {
        HashSet<string> before = await TokenEntriesAsync(fleet, cache);
        endFault();
        PeddlerAccessToken sharedAgain = await a.GetTokenAsync();
        bool stored = false;
        var deadline = Stopwatch.StartNew();
        while (!stored && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            a.InvalidateToken(await a.GetTokenAsync());
            var clock = Stopwatch.StartNew();
            sharedAgain = await a.GetTokenAsync();
            Assert.True(clock.Elapsed < CallBound, $"token after {clock.Elapsed} once the fault ended");
            stored = (await TokenEntriesAsync(fleet, cache)).Except(before).Any();
            if (!stored)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(stored, "the cache never shared a token again after the fault ended");

        bool bShared = false;
        deadline.Restart();
        while (!bShared && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            b.InvalidateToken(await b.GetTokenAsync());
            int requests = fleet.Server.TokenRequestCount;
            var clock = Stopwatch.StartNew();
            PeddlerAccessToken taken = await b.GetTokenAsync();
            Assert.True(clock.Elapsed < CallBound, $"token after {clock.Elapsed} once the fault ended");
            bShared = taken.AccessToken == sharedAgain.AccessToken && requests == fleet.Server.TokenRequestCount;
            if (!bShared)
            {
                Assert.NotEqual(sharedAgain.AccessToken, taken.AccessToken); // never a's token at the cost of a request
                await Task.Delay(200);
            }
        }

        Assert.True(bShared, "b never took the shared token again after the fault ended\n" + string.Join("\n", fleet.Logs.Entries.Where(e => e.Category.StartsWith("Peddler", StringComparison.Ordinal)).Select(e => $"{e.Category} {e.EventName} {e.Message}")));
    }
}
