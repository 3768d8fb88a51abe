using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Caching;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// The endpoint client's time budget, on a fake clock shared with a real server: the overall
/// timeout bounds every attempt, whatever the attempt timeout; a retry that could not finish in
/// time is not waited for; each retry is logged with its own reason.
/// </summary>
public sealed class EndpointBudgetTests
{
    [Theory]
    [InlineData(-1)] // Timeout.InfiniteTimeSpan
    [InlineData(600)] // ten minutes, longer than the overall timeout
    public async Task The_overall_timeout_ends_a_request_that_never_answers_whatever_the_attempt_timeout(int attemptSeconds)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        env.Server.Faults.Enqueue(PeddlerFault.NeverAnswer());
        PeddlerClientOptions options = env.Options();
        options.Timeout = TimeSpan.FromSeconds(60);
        options.AttemptTimeout = attemptSeconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(attemptSeconds);
        options.MaxRetries = 0;
        var tokens = new CarrierTokens(env.Http, options, time);

        // The request starts on the caller's thread, and with it the attempt's one timer; once the
        // server holds the request, the clock moves: not over one tick before the overall timeout, over at it.
        Task<PeddlerAccessToken> call = tokens.GetTokenAsync().AsTask();
        Assert.True(await Clients.UntilAsync(() => env.Server.TokenRequestCount == 1));
        time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromTicks(1));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1));

        Assert.True(await Clients.UntilAsync(() => call.IsCompleted), "the overall timeout did not end the request");
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.StartsWith("CarrierTokens: no token from ", timeout.Message, StringComparison.Ordinal);
        Assert.EndsWith(" within 00:01:00 (1 attempt(s)).", timeout.Message, StringComparison.Ordinal);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_retry_whose_wait_would_outlast_the_overall_timeout_reports_the_failure_at_once()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 1);
        PeddlerClientOptions options = env.Options();
        options.Timeout = TimeSpan.FromSeconds(2);
        options.RetryBaseDelay = TimeSpan.FromSeconds(10);
        options.MaxRetryDelay = TimeSpan.FromSeconds(10);
        options.MaxRetries = 3;
        var time = new RecordingTimeProvider();
        var tokens = new CarrierTokens(env.Http, options, time);

        var failure = await Assert.ThrowsAsync<PeddlerException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.StatusCode);
        Assert.Equal(1, env.Server.TokenRequestCount);
        Assert.DoesNotContain(time.DueTimes, d => d >= TimeSpan.FromSeconds(5) && d != options.AttemptTimeout);
    }

    [Fact]
    public async Task A_retried_answer_is_logged_with_its_own_reason()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 1);
        var logs = new ListLoggerFactory();
        PeddlerClientOptions options = env.Options();
        options.MaxRetries = 1;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(env.Http, options, logs);

        await tokens.GetTokenAsync();

        var retried = Assert.Single(logs.Records, r => r.Id.Id == 2);
        Assert.Contains("503", retried.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("attempt timeout", retried.Message, StringComparison.Ordinal);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }
}

/// <summary>The slow fleet-key derivation starts when a client with a fleet cache is created, before any request.</summary>
public sealed class FleetKeyPreparationTests
{
    // Whether this key material's one slow derivation has run (its lazy master key), read without running it.
    private static bool Derived(FleetKeyMaterial keys) =>
        ((Lazy<byte[]>)typeof(FleetKeyMaterial).GetField("_master", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(keys)!).IsValueCreated;

    [Fact]
    public async Task Creating_a_client_with_a_fleet_cache_starts_the_slow_derivation_on_the_thread_pool()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        PeddlerClientOptions options = env.Options(secret: "fake-secret-" + Guid.NewGuid().ToString("N"));

        PeddlerTokenProvider provider = Clients.Provider(env.Http, options, CarrierTokens.Descriptor, fleet: new PassThroughFleet());
        FleetKeyMaterial keys = provider.Settings.FleetKeys;

        Assert.True(await Clients.UntilAsync(() => Derived(keys)), "the derivation did not start before the first request");
        Assert.Equal(0, env.Server.TokenRequestCount);
    }
}
