using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>Issue 10's misbehaving endpoint and wrong secret, through a host as the README registers it.</summary>
public class HostileEndpointHostTests
{
    private const string ApiClient = "peddler-api";
    private const string WrongSecret = "fake-wrong-secret-for-tests";

    [Fact]
    public async Task The_token_HttpClient_AddPeddlerClient_configures_never_follows_a_redirect()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        await using PeddlerAuthorizationServer elsewhere = await TestHost.StartServerAsync();
        server.Faults.Enqueue(PeddlerFault.Redirect(307, elsewhere.TokenEndpoint));
        HostApplicationBuilder builder = TestHost.CreateBuilder(TestHost.Settings(server));
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        await using RunningHost host = await RunningHost.StartAsync(builder);

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await host.Services.GetRequiredService<CarrierTokens>().GetTokenAsync());

        Assert.Equal(HttpStatusCode.TemporaryRedirect, ex.StatusCode);
        Assert.Equal(0, elsewhere.TokenRequestCount);
        HttpClient tokenHttp = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("Peddler.Token:CarrierTokens");
        Assert.Equal(Timeout.InfiniteTimeSpan, tokenHttp.Timeout);
    }

    private static async Task<(RunningHost Host, LogCapture Logs)> StartWrongSecretHostAsync(PeddlerAuthorizationServer server, FakeTimeProvider time)
    {
        var logs = new LogCapture();
        var settings = TestHost.Settings(server, secret: WrongSecret, backgroundRefresh: true);
        settings["Peddler:MaxRetries"] = "0";
        HostApplicationBuilder builder = TestHost.CreateBuilder(settings, logs, time);
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        builder.Services.AddHttpClient(ApiClient).AddPeddlerAccessToken<CarrierTokens>();
        RunningHost host = await RunningHost.StartAsync(builder);
        return (host, logs);
    }

    [Fact]
    public async Task A_wrong_secret_under_20_API_calls_in_20_seconds_with_the_background_refresh_costs_at_most_4_token_requests()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync(time);
        (RunningHost host, LogCapture logs) = await StartWrongSecretHostAsync(server, time);
        await using RunningHost owned = host;
        HttpClient api = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClient);

        for (int second = 0; second < 20; second++)
        {
            var ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(() => api.GetAsync(server.ApiEndpoint));
            Assert.Equal("access_denied", ex.Error);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(server.TokenRequestCount, 1, 4);
        Assert.Equal(0, server.ApiRequestCount);

        // Logged once per window: one "held back" line per request actually refused.
        Assert.Equal(server.TokenRequestCount, logs.Records.Count(r => r.Is(7)));
        Assert.DoesNotContain(logs.Records, r => r.AllText.Contains(WrongSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Before_the_first_token_the_background_refresh_says_plainly_that_there_is_none()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync(time);
        (RunningHost host, LogCapture logs) = await StartWrongSecretHostAsync(server, time);
        await using RunningHost owned = host;

        LogRecord failed = await logs.WaitForEventAsync(16);

        Assert.Equal("access_denied", failed.Value<string>("ErrorType"));
        Assert.Contains("there is no token yet", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Records, r => r.Is(13));
        Assert.DoesNotContain(logs.Records, r => r.AllText.Contains("(none)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_keyed_provider_resets_a_refusal_and_so_does_an_options_reload()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync(time);
        (RunningHost host, LogCapture logs) = await StartWrongSecretHostAsync(server, time);
        await using RunningHost owned = host;
        var tokens = host.Services.GetRequiredService<CarrierTokens>();
        await logs.WaitForEventAsync(7);
        Assert.Equal(1, server.TokenRequestCount);
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        Assert.Equal(1, server.TokenRequestCount);

        // A configuration reload (new options) forgets the refusal: the next call asks again.
        ((IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>()).Reload();
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        Assert.Equal(2, server.TokenRequestCount);

        // The credentials are fixed on Peddler's side; ResetRefusal on the keyed provider lets the next call through.
        server.AddClient(Fake.ClientId, WrongSecret, Fake.Carrier);
        host.Services.GetRequiredKeyedService<PeddlerTokenProvider>(nameof(CarrierTokens)).ResetRefusal();
        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(3, server.TokenRequestCount);
    }
}
