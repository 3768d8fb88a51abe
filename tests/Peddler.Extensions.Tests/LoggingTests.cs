using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

public class LoggingTests
{
    private const string GoodSecret = "fake-secret-LOGGED-NEVER-4412";
    private const string WrongSecret = "fake-wrong-secret-LOGGED-NEVER-9157";

    /// <summary>
    /// A whole run at Trace level for every category (Peddler, HttpClient factory, hosting): a
    /// token at start by the background refresh, an API call, a 503 and a retry, a revoked token
    /// and a 401 recovery, and a second client refused with 403. Every line is searched for the
    /// secrets and for every token the server issued (read off the wire by a handler of our own).
    /// </summary>
    [Fact]
    public async Task A_full_run_logs_no_secret_and_no_token_and_the_documented_events()
    {
        var time = TimeProvider.System;
        var options = new PeddlerAuthorizationServerOptions { TimeProvider = time };
        await using var server = new PeddlerAuthorizationServer(options);
        server.AddClient(Fake.ClientId, GoodSecret, Fake.Carrier);
        server.AddClient(Fake.SecondClientId, "fake-registered-secret-other", Fake.SecondCarrier);
        await server.StartAsync();

        var issued = new List<string>();
        var logs = new LogCapture();
        var settings = TestHost.Settings(server, "Peddler", Fake.ClientId, GoodSecret, backgroundRefresh: true);
        foreach (var pair in TestHost.Settings(server, "Second", Fake.SecondClientId, WrongSecret))
        {
            settings.Add(pair.Key, pair.Value);
        }

        HostApplicationBuilder builder = TestHost.CreateBuilder(settings, logs);
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"))
            .AddHttpMessageHandler(() => new TokenSniffer(issued));
        builder.Services.AddPeddlerClient<SecondCarrierTokens>(builder.Configuration.GetSection("Second"))
            .AddHttpMessageHandler(() => new TokenSniffer(issued));
        builder.Services.AddHttpClient("peddler-api").AddPeddlerAccessToken<CarrierTokens>();

        await using (RunningHost host = await RunningHost.StartAsync(builder))
        {
            await logs.WaitForEventAsync(11);
            HttpClient api = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("peddler-api");
            using (HttpResponseMessage ok = await api.GetAsync(server.ApiEndpoint))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            server.Faults.Enqueue(PeddlerFault.Status(503));
            server.RevokeAllTokens();
            using (HttpResponseMessage recovered = await api.GetAsync(server.ApiEndpoint))
            {
                Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
            }

            var refused = await Assert.ThrowsAsync<PeddlerAuthenticationException>(
                async () => await host.Services.GetRequiredService<SecondCarrierTokens>().GetTokenAsync());
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        IReadOnlyList<LogRecord> records = logs.Records;
        Assert.True(issued.Count >= 2, "tokens were read off the wire");
        foreach (LogRecord record in records)
        {
            string text = record.AllText;
            Assert.DoesNotContain(GoodSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(WrongSecret, text, StringComparison.Ordinal);
            foreach (string token in issued)
            {
                Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            }
        }

        // The documented events, under the documented categories.
        int[] expected = [1, 2, 3, 5, 6, 10, 11, 14, 20];
        Assert.All(expected, id => Assert.Contains(records, r => r.Is(id)));
        LogRecord refusal = Assert.Single(records, r => r.Is(3));
        Assert.Equal("Peddler.Client.SecondCarrierTokens", refusal.Category);
        Assert.Equal(LogLevel.Error, refusal.Level);
        Assert.Equal("access_denied", refusal.Value<string>("OAuthError"));
        Assert.Equal(403, refusal.Value<int>("StatusCode"));
        LogRecord retry = Assert.Single(records, r => r.Is(2));
        Assert.Equal("Peddler.Client.CarrierTokens", retry.Category);
        Assert.Equal("503", retry.Value<string>("ErrorType"));
        Assert.All(records.Where(r => r.Is(1)), r => Assert.Contains(r.Value<string>("TokenFingerprint"), issued.Select(Fingerprint)));

        // The HttpClient factory logged too: the run really captured every category.
        Assert.Contains(records, r => r.Category.StartsWith("System.Net.Http.HttpClient.Peddler.Token:CarrierTokens", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Category.StartsWith("System.Net.Http.HttpClient.peddler-api", StringComparison.Ordinal));
    }

    private static string Fingerprint(string token) =>
        new PeddlerAccessToken(token, "Bearer", DateTimeOffset.UnixEpoch, "scope").Fingerprint;

    /// <summary>Reads every access_token the server sends, so the test knows what must never be logged.</summary>
    private sealed class TokenSniffer(List<string> issued) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                using JsonDocument json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("access_token", out JsonElement token))
                {
                    lock (issued)
                    {
                        issued.Add(token.GetString()!);
                    }
                }
            }
            catch (JsonException)
            {
                // Not a token response.
            }

            return response;
        }
    }
}
