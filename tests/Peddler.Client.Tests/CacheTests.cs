using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

public class CacheTests
{
    [Fact]
    public async Task A_cached_token_is_reused_without_a_request()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var tokens = new CarrierTokens(env.Http, env.Options());

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        PeddlerAccessToken second = await tokens.GetTokenAsync();

        Assert.Same(first, second);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task With_the_system_clock_an_already_due_token_is_not_served_from_the_cache()
    {
        // expires_in 0: the refresh point is the moment of the response, so the coarse-clock fast
        // path of TimeProvider.System must miss.
        await using TestEnvironment env = await TestEnvironment.StartAsync(tokenLifetime: TimeSpan.Zero);
        var tokens = new CarrierTokens(env.Http, env.Options());

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        PeddlerAccessToken second = await tokens.GetTokenAsync();

        Assert.NotSame(first, second);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task At_ExpiresAt_minus_the_refresh_margin_the_caller_gets_the_cached_token_and_one_renewal_starts()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, tokenLifetime: TimeSpan.FromSeconds(7200));
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, env.Options(), time);

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        TimeSpan margin = PeddlerClientOptions.DefaultRefreshMargin;
        Assert.Equal(TimeSpan.FromMinutes(10), margin);
        time.Advance(TimeSpan.FromSeconds(7200) - margin - TimeSpan.FromMilliseconds(1));
        Assert.Same(first, await tokens.GetTokenAsync());
        Assert.Equal(1, env.Server.TokenRequestCount);

        time.Advance(TimeSpan.FromMilliseconds(2));
        Task renewed = provider.Cache.WhenCacheChanges();
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        Clients.WithoutWaiting(tokens.GetTokenAsync());
        await renewed.WaitAsync(Clients.Patience);
        PeddlerAccessToken second = Clients.WithoutWaiting(tokens.GetTokenAsync());

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task The_refresh_margin_is_never_more_than_half_the_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, tokenLifetime: TimeSpan.FromSeconds(60));
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, env.Options(), time);

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Same(first, await tokens.GetTokenAsync());
        Assert.Equal(1, env.Server.TokenRequestCount);

        time.Advance(TimeSpan.FromSeconds(2));
        Task renewed = provider.Cache.WhenCacheChanges();
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        await renewed.WaitAsync(Clients.Patience);
        Assert.NotSame(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_custom_refresh_margin_is_used()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, tokenLifetime: TimeSpan.FromSeconds(3600));
        PeddlerClientOptions options = env.Options();
        options.RefreshMargin = TimeSpan.FromMinutes(20);
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, options, time);

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(39));
        Assert.Same(first, await tokens.GetTokenAsync());
        Assert.Equal(1, env.Server.TokenRequestCount);
        time.Advance(TimeSpan.FromMinutes(2));
        Task renewed = provider.Cache.WhenCacheChanges();
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        await renewed.WaitAsync(Clients.Patience);
        Assert.NotSame(first, await tokens.GetTokenAsync());
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_thousand_concurrent_cold_callers_cause_exactly_one_request()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        // Hold the one request on the server so that every caller arrives while it is in flight.
        env.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromMilliseconds(200)));
        var tokens = new CarrierTokens(env.Http, env.Options());
        using var start = new ManualResetEventSlim();

        Task<PeddlerAccessToken>[] callers = Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await tokens.GetTokenAsync();
            }))
            .ToArray();
        start.Set();
        PeddlerAccessToken[] results = await Task.WhenAll(callers);

        Assert.Equal(1, env.Server.TokenRequestCount);
        Assert.All(results, t => Assert.Same(results[0], t));
    }

    [Fact]
    public async Task A_caller_that_cancels_stops_waiting_while_the_shared_request_serves_the_others()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromMilliseconds(500)));
        var tokens = new CarrierTokens(env.Http, env.Options());
        using var cancel = new CancellationTokenSource();

        Task<PeddlerAccessToken> patient = tokens.GetTokenAsync().AsTask();
        Task<PeddlerAccessToken> impatient = tokens.GetTokenAsync(cancel.Token).AsTask();
        await env.Server.WaitUntilAsync(s => s.TokenRequestCount == 1).WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.False(patient.IsCompleted, "the shared request should still be in flight");
        PeddlerAccessToken token = await patient;
        Assert.Same(token, await tokens.GetTokenAsync());
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task An_already_cancelled_token_throws_without_a_request()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var tokens = new CarrierTokens(env.Http, env.Options());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await tokens.GetTokenAsync(new CancellationToken(canceled: true)));

        Assert.Equal(0, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Transient_failures_are_not_cached()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Status(503));
        PeddlerClientOptions options = env.Options();
        options.MaxRetries = 0;
        var tokens = new CarrierTokens(env.Http, options);

        await Assert.ThrowsAsync<PeddlerException>(async () => await tokens.GetTokenAsync());
        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task InvalidateToken_forces_a_new_request_and_ignores_a_stale_rejected_token()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var tokens = new CarrierTokens(env.Http, env.Options());

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        tokens.InvalidateToken(first);
        PeddlerAccessToken second = await tokens.GetTokenAsync();
        tokens.InvalidateToken(first); // a late 401 for the old token must not drop the new one
        PeddlerAccessToken third = await tokens.GetTokenAsync();
        tokens.InvalidateToken();
        PeddlerAccessToken fourth = await tokens.GetTokenAsync();

        Assert.NotSame(first, second);
        Assert.Same(second, third);
        Assert.NotSame(third, fourth);
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_token_opens_the_protected_API_and_an_expired_one_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, tokenLifetime: TimeSpan.FromSeconds(300));
        var tokens = new CarrierTokens(env.Http, env.Options(), time);

        PeddlerAccessToken token = await tokens.GetTokenAsync();
        using var ok = new HttpRequestMessage(HttpMethod.Get, env.Server.ApiEndpoint) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken) } };
        using HttpResponseMessage okResponse = await env.Http.SendAsync(ok);
        time.Advance(TimeSpan.FromSeconds(301));
        using var expired = new HttpRequestMessage(HttpMethod.Get, env.Server.ApiEndpoint) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken) } };
        using HttpResponseMessage expiredResponse = await env.Http.SendAsync(expired);

        Assert.Equal(HttpStatusCode.OK, okResponse.StatusCode);
        Assert.Contains("900001", await okResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, expiredResponse.StatusCode);
        Assert.NotSame(token, await tokens.GetTokenAsync());
    }
}
