using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>
/// The background refresh on a fake clock shared by the server and the host: time moves only when
/// a test advances it, so every wait is exact and nothing sleeps.
/// </summary>
public class BackgroundRefreshTests
{
    private static readonly TimeSpan Lifetime = PeddlerAuthorizationServer.DefaultTokenLifetime; // 7200 s
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(60);

    /// <summary>The token of a call that completed at once: a cache hit, no wait on the network.</summary>
    private static PeddlerAccessToken WithoutWaiting(ValueTask<PeddlerAccessToken> call)
    {
        if (!call.IsCompletedSuccessfully)
        {
            Assert.Fail("The caller had to wait for a token.");
        }

        return call.Result;
    }

    private sealed class Fixture : IAsyncDisposable
    {
        public required FakeTimeProvider Time { get; init; }

        public required PeddlerAuthorizationServer Server { get; init; }

        public required LogCapture Logs { get; init; }

        public required RunningHost Host { get; init; }

        public CarrierTokens Tokens => Host.Services.GetRequiredService<CarrierTokens>();

        public static async Task<Fixture> StartAsync(bool backgroundRefresh = true)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 6, 8, 0, 0, TimeSpan.Zero));
            PeddlerAuthorizationServer server = await TestHost.StartServerAsync(time);
            var logs = new LogCapture();
            var settings = TestHost.Settings(server, backgroundRefresh: backgroundRefresh);

            // No retries inside one acquisition: their delays would wait on the fake clock too.
            settings["Peddler:MaxRetries"] = "0";
            settings["Peddler:RefreshMargin"] = "00:01:00";
            settings["Peddler:MaxRetryDelay"] = "00:00:30";
            HostApplicationBuilder builder = TestHost.CreateBuilder(settings, logs, time);
            builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
            RunningHost host = await RunningHost.StartAsync(builder);
            return new Fixture { Time = time, Server = server, Logs = logs, Host = host };
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_first_token_is_fetched_at_start_and_renewed_before_the_refresh_margin_without_callers_waiting()
    {
        await using Fixture f = await Fixture.StartAsync();

        // At start, the refresh fetches the first token and schedules its renewal.
        LogRecord scheduled = await f.Logs.WaitForEventAsync(11);
        PeddlerAccessToken first = await f.Tokens.GetTokenAsync();
        Assert.Equal(1, f.Server.TokenRequestCount);
        Assert.Equal(first.Fingerprint, scheduled.Value<string>("TokenFingerprint"));
        TimeSpan delay = scheduled.Value<TimeSpan>("Delay");
        Assert.Equal((Lifetime - Margin) / 2, delay);
        Assert.True(scheduled.Value<DateTimeOffset>("DueAt") < first.ExpiresAt - Margin);

        // Just before it is due, nothing happens and callers get the cached token at once.
        f.Time.Advance(delay - TimeSpan.FromSeconds(1));
        Assert.Same(first, WithoutWaiting(f.Tokens.GetTokenAsync()));
        Assert.Equal(1, f.Server.TokenRequestCount);

        // When due, a new token replaces it, long before callers would have renewed it themselves.
        int seen = f.Logs.Count;
        f.Time.Advance(TimeSpan.FromSeconds(1));
        LogRecord renewed = await f.Logs.WaitForEventAsync(12, seen);
        Assert.Equal(2, f.Server.TokenRequestCount);
        Assert.True(f.Time.GetUtcNow() < first.ExpiresAt - Margin);
        PeddlerAccessToken after = WithoutWaiting(f.Tokens.GetTokenAsync());
        Assert.NotEqual(first.AccessToken, after.AccessToken);
        Assert.Equal(first.Fingerprint, renewed.Value<string>("PreviousTokenFingerprint"));
        Assert.Equal(after.Fingerprint, renewed.Value<string>("TokenFingerprint"));

        // And the new token's renewal is planned in turn.
        LogRecord next = await f.Logs.WaitForAsync(r => r.Is(11) && r.Value<string>("TokenFingerprint") == after.Fingerprint);
        Assert.Equal((Lifetime - Margin) / 2, next.Value<TimeSpan>("Delay"));
    }

    [Fact]
    public async Task A_failed_renewal_keeps_serving_the_valid_token_and_is_retried_with_backoff()
    {
        await using Fixture f = await Fixture.StartAsync();
        LogRecord scheduled = await f.Logs.WaitForEventAsync(11);
        PeddlerAccessToken first = await f.Tokens.GetTokenAsync();
        f.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 2);

        int seen = f.Logs.Count;
        f.Time.Advance(scheduled.Value<TimeSpan>("Delay"));
        LogRecord failed = await f.Logs.WaitForEventAsync(13, seen);

        Assert.Equal(2, f.Server.TokenRequestCount);
        Assert.Equal("temporarily_unavailable", failed.Value<string>("ErrorType"));
        Assert.Equal(first.Fingerprint, failed.Value<string>("TokenFingerprint"));
        TimeSpan firstBackoff = failed.Value<TimeSpan>("Delay");
        Assert.InRange(firstBackoff, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.Same(first, WithoutWaiting(f.Tokens.GetTokenAsync()));

        // The second attempt fails too, and waits longer.
        seen = f.Logs.Count;
        f.Time.Advance(firstBackoff);
        LogRecord failedAgain = await f.Logs.WaitForEventAsync(13, seen);
        Assert.Equal(3, f.Server.TokenRequestCount);
        TimeSpan secondBackoff = failedAgain.Value<TimeSpan>("Delay");
        Assert.InRange(secondBackoff, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        // The third succeeds.
        seen = f.Logs.Count;
        f.Time.Advance(secondBackoff);
        LogRecord renewed = await f.Logs.WaitForEventAsync(12, seen);
        Assert.Equal(4, f.Server.TokenRequestCount);
        PeddlerAccessToken after = WithoutWaiting(f.Tokens.GetTokenAsync());
        Assert.Equal(after.Fingerprint, renewed.Value<string>("TokenFingerprint"));
        Assert.NotEqual(first.AccessToken, after.AccessToken);
    }

    [Fact]
    public async Task The_refresh_stops_with_the_host()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.Logs.WaitForEventAsync(11);
        BackgroundService refresh = f.Host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single();
        Assert.False(refresh.ExecuteTask!.IsCompleted);

        await f.Host.Host.StopAsync();

        Assert.True(refresh.ExecuteTask.IsCompletedSuccessfully);
        Assert.Single(f.Logs.Records, r => r.Is(14));
        f.Time.Advance(Lifetime * 3);
        Assert.Equal(1, f.Server.TokenRequestCount);
    }

    [Fact]
    public async Task The_refresh_can_be_switched_off()
    {
        await using Fixture f = await Fixture.StartAsync(backgroundRefresh: false);

        BackgroundService refresh = f.Host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single();
        await refresh.ExecuteTask!.WaitAsync(TestHost.Patience);
        Assert.Single(f.Logs.Records, r => r.Is(15));
        Assert.Equal(0, f.Server.TokenRequestCount);

        // Callers fetch the token themselves, as without a host.
        PeddlerAccessToken token = await f.Tokens.GetTokenAsync();
        Assert.Equal(1, f.Server.TokenRequestCount);
        Assert.Equal("DEFAULT authenticated 900001", token.Scope);
    }

    [Fact]
    public async Task A_token_invalidated_by_a_caller_is_replaced_by_the_refresh()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.Logs.WaitForEventAsync(11);
        PeddlerAccessToken first = await f.Tokens.GetTokenAsync();

        int seen = f.Logs.Count;
        f.Tokens.InvalidateToken(first);
        LogRecord renewed = await f.Logs.WaitForEventAsync(12, seen);

        Assert.Equal(2, f.Server.TokenRequestCount);
        Assert.Equal("(none)", renewed.Value<string>("PreviousTokenFingerprint"));
        PeddlerAccessToken second = await f.Tokens.GetTokenAsync();
        Assert.Equal(second.Fingerprint, renewed.Value<string>("TokenFingerprint"));
    }
}
