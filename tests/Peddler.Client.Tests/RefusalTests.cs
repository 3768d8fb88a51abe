using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Peddler.Core;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>Remembered refusals, on a fake clock with a real server: a wrong secret is not hammered.</summary>
public class RefusalTests
{
    private const string WrongSecret = "fake-wrong-secret-for-tests";

    private static async Task<(TestEnvironment Env, FakeTimeProvider Time, PeddlerTokenProvider Provider, CarrierTokens Tokens, ListLoggerFactory Logs)> StartAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        var logs = new ListLoggerFactory();
        PeddlerClientOptions options = env.Options(secret: WrongSecret);
        var provider = new PeddlerTokenProvider(env.Http, options, CarrierTokens.Descriptor, time);
        return (env, time, provider, PeddlerClientFactory.Create<CarrierTokens>(provider), logs);
    }

    [Fact]
    public async Task A_wrong_secret_called_every_second_for_20_seconds_costs_at_most_4_token_requests()
    {
        (TestEnvironment env, FakeTimeProvider time, _, CarrierTokens tokens, _) = await StartAsync();
        await using TestEnvironment owned = env;
        var refusals = new List<PeddlerAuthenticationException>();

        for (int second = 0; second < 20; second++)
        {
            refusals.Add(await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync()));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(env.Server.TokenRequestCount, 1, 4);

        // Every caller got the same refusal, each as its own exception.
        Assert.All(refusals, r =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Equal("access_denied", r.Error);
            Assert.Equal(refusals[0].ErrorDescription, r.ErrorDescription);
        });
        Assert.Equal(refusals.Count, refusals.Distinct().Count());
    }

    [Fact]
    public async Task The_window_grows_from_seconds_to_minutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Backoff.Refusal(1));
        Assert.Equal(TimeSpan.FromSeconds(10), Backoff.Refusal(2));
        Assert.Equal(TimeSpan.FromSeconds(160), Backoff.Refusal(6));
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.Refusal(7));
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.Refusal(int.MaxValue));

        // And over real HTTP: within each window no request, at its end exactly one.
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, CarrierTokens tokens, _) = await StartAsync();
        await using TestEnvironment owned = env;
        int expected = 0;
        for (int refusal = 1; refusal <= 8; refusal++)
        {
            await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
            Assert.Equal(++expected, env.Server.TokenRequestCount);
            TimeSpan window = Backoff.Refusal(refusal);
            Assert.Equal(time.GetUtcNow() + window, Clients.RefusedUntil(provider, time));
            time.Advance(window - TimeSpan.FromMilliseconds(1));
            await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
            Assert.Equal(expected, env.Server.TokenRequestCount);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task ResetRefusal_lets_the_next_call_ask_at_once_and_a_success_starts_windows_anew()
    {
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, CarrierTokens tokens, _) = await StartAsync();
        await using TestEnvironment owned = env;
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        Assert.Equal(2, env.Server.TokenRequestCount);

        // The secret is fixed on the server's side (rotated to what the client sends), then reset.
        env.Server.AddClient(Fake.ClientId, WrongSecret, Fake.Carrier);
        provider.ResetRefusal();
        Assert.Null(Clients.RefusedUntil(provider, time));
        PeddlerAccessToken token = await tokens.GetTokenAsync();
        Assert.Equal(3, env.Server.TokenRequestCount);

        // A success forgets the streak: the next refusal starts again at 5 seconds.
        env.Server.AddClient(Fake.ClientId, Fake.Secret, Fake.Carrier);
        tokens.InvalidateToken(token);
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(5), Clients.RefusedUntil(provider, time));
    }

    [Fact]
    public async Task A_refusal_is_logged_once_per_window()
    {
        (TestEnvironment env, FakeTimeProvider time, _, _, _) = await StartAsync();
        await using TestEnvironment owned = env;
        var logs = new ListLoggerFactory();
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(env.Http, env.Options(secret: WrongSecret), logs, time);

        for (int second = 0; second < 20; second++)
        {
            await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        int windows = logs.Records.Count(r => r.Id.Id == 7);
        Assert.Equal(env.Server.TokenRequestCount, windows);
        Assert.Equal(env.Server.TokenRequestCount, logs.Records.Count(r => r.Id.Id == 3));
        Assert.DoesNotContain(logs.Records, r => r.Message.Contains(WrongSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_provider_with_new_options_has_no_remembered_refusal()
    {
        (TestEnvironment env, FakeTimeProvider time, _, CarrierTokens tokens, _) = await StartAsync();
        await using TestEnvironment owned = env;
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        var fixedTokens = new CarrierTokens(env.Http, env.Options(), time);
        PeddlerAccessToken token = await fixedTokens.GetTokenAsync();

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(2, env.Server.TokenRequestCount);
    }
}

/// <summary>Refusals of a client with many run-time carriers: the client's own refusal is shared, a carrier's stays its own.</summary>
public class CarrierRefusalTests
{
    private static readonly string[] s_carriers = Enumerable.Range(900_001, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static async Task<(TestEnvironment Env, FakeTimeProvider Time, PeddlerTokenProvider Provider, ListLoggerFactory Logs)> StartAsync(string secret)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, carrier: null);
        env.Server.AddCarriers(Fake.ClientId, s_carriers);
        var logs = new ListLoggerFactory();
        ILogger logger = logs.CreateLogger("Peddler.Client.ConfiguredCarrierTokens");
        var provider = new PeddlerTokenProvider(
            env.Http,
            createHttpClient: null,
            env.Options(secret: secret),
            ConfiguredCarrierTokens.Descriptor,
            time,
            settings => new Peddler.Diagnostics.PeddlerClientDiagnostics("ConfiguredCarrierTokens", settings.TokenEndpoint, logger, Peddler.Diagnostics.PeddlerInstruments.For(null)),
            sharedCache: null);
        return (env, time, provider, logs);
    }

    [Fact]
    public async Task A_wrong_secret_for_1000_carriers_called_in_turn_20_times_over_20_seconds_costs_at_most_4_requests_for_the_client()
    {
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, ListLoggerFactory logs) = await StartAsync("fake-wrong-secret-for-tests");
        await using TestEnvironment owned = env;

        for (int second = 0; second < 20; second++)
        {
            foreach (string carrier in s_carriers)
            {
                var refused = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await provider.GetCarrierTokenAsync(carrier));
                Assert.Equal("access_denied", refused.Error);
                Assert.Contains("check its client id and secret", refused.Message, StringComparison.Ordinal);
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(env.Server.TokenRequestCount, 1, 4);
        Assert.All(logs.Records.Where(r => r.Id.Id == 7), r => Assert.Contains("client id or secret", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_secret_for_1000_carriers_called_at_once_costs_at_most_the_first_wave_then_nothing_until_the_window_ends_and_new_options_end_it_for_all()
    {
        (TestEnvironment env, FakeTimeProvider time, PeddlerTokenProvider provider, _) = await StartAsync("fake-wrong-secret-for-tests");
        await using TestEnvironment owned = env;

        async Task<int> WaveAsync() => (await Task.WhenAll(s_carriers.Select(async c =>
        {
            try
            {
                await provider.GetCarrierTokenAsync(c);
                return 0;
            }
            catch (PeddlerAuthenticationException)
            {
                return 1;
            }
        }))).Sum();

        Assert.Equal(s_carriers.Length, await WaveAsync());
        int firstWave = env.Server.TokenRequestCount;
        Assert.InRange(firstWave, 1, s_carriers.Length);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(s_carriers.Length, await WaveAsync());
        Assert.Equal(firstWave, env.Server.TokenRequestCount);

        // The secret is fixed: new options end the window for every carrier at once.
        provider.UpdateOptions(env.Options());
        Assert.Equal(0, await WaveAsync());
        Assert.Equal(firstWave + s_carriers.Length, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task An_unknown_carrier_is_refused_alone_and_the_message_and_log_name_the_scope_not_the_credentials()
    {
        (TestEnvironment env, _, PeddlerTokenProvider provider, ListLoggerFactory logs) = await StartAsync(Fake.Secret);
        await using TestEnvironment owned = env;

        var refused = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await provider.GetCarrierTokenAsync("909999"));
        Assert.Equal("invalid_scope", refused.Error);
        Assert.Contains("909999", refused.Message, StringComparison.Ordinal);
        Assert.Contains("carrier id", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Secret, refused.Message, StringComparison.Ordinal);

        // Another carrier of the same client is not held back.
        PeddlerAccessToken token = await provider.GetCarrierTokenAsync("900001");
        Assert.Contains("900001", token.Scope, StringComparison.Ordinal);
        Assert.Equal(2, env.Server.TokenRequestCount);

        (_, _, string message) = Assert.Single(logs.Records, r => r.Id.Id == 7);
        Assert.Contains("909999", message, StringComparison.Ordinal);
        Assert.Contains("Check the carrier id", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Fix the client id or secret", message, StringComparison.Ordinal);
    }
}
