using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// Serving during the refresh window, on a fake clock shared by the client and a real server:
/// from the refresh point until expiry (less the clock-skew allowance) no caller waits or fails.
/// </summary>
public class RefreshWindowTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
    private static readonly TimeSpan Margin = PeddlerClientOptions.DefaultRefreshMargin;

    private static async Task<(TestEnvironment Env, FakeTimeProvider Time, PeddlerTokenProvider Provider, CarrierTokens Tokens)> StartAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, tokenLifetime: Lifetime);
        PeddlerClientOptions options = env.Options();

        // One attempt per acquisition: retry delays would wait on the fake clock.
        options.MaxRetries = 0;
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, options, time);
        return (env, time, provider, tokens);
    }

    [Fact]
    public async Task An_outage_inside_the_refresh_window_never_fails_a_caller_while_the_token_is_valid()
    {
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, CarrierTokens tokens) = await StartAsync();
        await using TestEnvironment owned = env;
        PeddlerAccessToken first = await tokens.GetTokenAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 1000);

        // Into the refresh window: the first caller starts one renewal; every caller gets the token at once.
        time.Advance(Lifetime - Margin + TimeSpan.FromSeconds(1));
        for (int i = 0; i < 50; i++)
        {
            Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        }

        await Clients.SettledAsync(provider);
        Assert.Equal(2, env.Server.TokenRequestCount);

        // The renewal failed; calls go on being served, and within its backoff nobody asks again.
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        Assert.Equal(2, env.Server.TokenRequestCount);

        // Every few seconds of the 10-minute window a caller retries the renewal (with backoff),
        // and is served the valid token whatever happens.
        TimeSpan served = TimeSpan.FromSeconds(1);
        int steps = 0;
        while (served + TimeSpan.FromSeconds(5) < Margin - TimeSpan.FromSeconds(5))
        {
            time.Advance(TimeSpan.FromSeconds(5));
            served += TimeSpan.FromSeconds(5);
            steps++;
            Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
            await Clients.SettledAsync(provider);
        }

        // The backoff (0.5 to 1 s here) is shorter than a step: each step retried the renewal once.
        Assert.Equal(2 + steps, env.Server.TokenRequestCount);

        // Once the token is really about to expire (less the 5 s allowance), callers wait and see the outage.
        time.Advance(first.ExpiresAt - TimeSpan.FromSeconds(4) - time.GetUtcNow());
        var ex = await Assert.ThrowsAsync<PeddlerException>(async () => await tokens.GetTokenAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.NotNull(provider.Cache.Current);
    }

    [Fact]
    public async Task When_the_endpoint_recovers_inside_the_window_the_renewed_token_is_served_and_nobody_waited()
    {
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, CarrierTokens tokens) = await StartAsync();
        await using TestEnvironment owned = env;
        PeddlerAccessToken first = await tokens.GetTokenAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Status(503), count: 2);

        time.Advance(Lifetime - Margin);
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));

        await Clients.SettledAsync(provider);

        // The backoff after each failure is under a second: a caller a second later retries.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        await Clients.SettledAsync(provider);
        Assert.Equal(3, env.Server.TokenRequestCount);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        await Clients.SettledAsync(provider);
        PeddlerAccessToken renewed = Clients.WithoutWaiting(tokens.GetTokenAsync());

        Assert.NotNull(renewed);
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.Equal(4, env.Server.TokenRequestCount);
        Assert.True(time.GetUtcNow() < first.ExpiresAt - TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_thousand_callers_in_the_window_start_exactly_one_renewal()
    {
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, CarrierTokens tokens) = await StartAsync();
        await using TestEnvironment owned = env;
        PeddlerAccessToken first = await tokens.GetTokenAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromSeconds(1)));

        time.Advance(Lifetime - Margin);
        Task changed = provider.Cache.WhenCacheChanges();
        Task<PeddlerAccessToken>[] callers = new Task<PeddlerAccessToken>[1000];
        for (int i = 0; i < callers.Length; i++)
        {
            callers[i] = Task.Run(() => tokens.GetTokenAsync().AsTask());
        }

        PeddlerAccessToken[] results = await Task.WhenAll(callers);
        Assert.All(results, t => Assert.Same(first, t));
        await env.Server.WaitUntilAsync(s => s.TokenRequestCount == 2).WaitAsync(Clients.Patience);

        // The server counts the request before it starts its delay on the fake clock: advance in
        // steps of the delay until the renewal lands (a step made before the timer exists is lost).
        using (var patience = new CancellationTokenSource(Clients.Patience))
        {
            while (!changed.IsCompleted)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(changed, Task.Delay(20, patience.Token));
                patience.Token.ThrowIfCancellationRequested();
            }
        }

        Assert.NotSame(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        Assert.Equal(2, env.Server.TokenRequestCount);
    }
}
