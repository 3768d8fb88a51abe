using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Caching;
using Peddler.Diagnostics;
using Peddler.Endpoint;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// Edges of the endpoint client and what it derives: a Retry-After already past, a 300 answer, the
/// retry log of an attempt timeout, the exact redirect messages, and the fleet key layout that
/// instances of different versions must agree on.
/// </summary>
public sealed class EndpointEdgeTests
{
    private static readonly Uri Endpoint = new("https://alphadev-api.peddler.com/oauth/token");

    private static PeddlerRequestSettings Settings() =>
        PeddlerRequestSettings.From(new PeddlerClientOptions { ClientId = Fake.ClientId, ClientSecret = Fake.Secret }, CarrierTokens.Descriptor);

    [Fact]
    public async Task A_Retry_After_date_already_past_retries_at_once()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        string past = DateTimeOffset.UtcNow.AddHours(-1).ToString("R", CultureInfo.InvariantCulture);
        env.Server.Faults.Enqueue(PeddlerFault.Respond(503, "application/json", """{"error":"temporarily_unavailable"}""", [new("Retry-After", past)]));
        var time = new RecordingTimeProvider();
        PeddlerClientOptions options = env.Options();
        options.RetryBaseDelay = TimeSpan.FromMinutes(1);
        options.MaxRetryDelay = TimeSpan.FromMinutes(1);
        var tokens = new CarrierTokens(env.Http, options, time);

        await tokens.GetTokenAsync();

        // No wait at all: not the (one-minute) back-off, not a negative delay.
        Assert.DoesNotContain(time.DueTimes, d => d != options.Timeout && d != options.AttemptTimeout && d != TimeSpan.Zero);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_300_answer_is_a_redirect_and_is_not_followed()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(300, "text/html", "<p>choose</p>", [new("Location", "https://elsewhere.example/oauth/token")]));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var tokens = new CarrierTokens(http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal((HttpStatusCode)300, ex.StatusCode);
        Assert.Contains("answered 300 (a redirect to https://elsewhere.example/oauth/token); redirects are not followed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task An_attempt_timeout_that_is_retried_is_logged_with_its_reason()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        env.Server.Faults.Enqueue(PeddlerFault.NeverAnswer());
        var logs = new ListLoggerFactory();
        PeddlerClientOptions options = env.Options();
        options.AttemptTimeout = TimeSpan.FromSeconds(1);
        options.MaxRetries = 1;
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(env.Http, options, logs, time);

        Task<PeddlerAccessToken> call = tokens.GetTokenAsync().AsTask();
        // One step, once the server holds the first attempt: exactly its timeout. The retry is then
        // answered with no further step, so its own one-second timeout cannot end it (stepping until
        // the retry arrived once moved the clock past it on a loaded machine).
        Assert.True(await Clients.UntilAsync(() => env.Server.TokenRequestCount == 1));
        time.Advance(options.AttemptTimeout);
        await call.WaitAsync(Clients.Patience);
        var retried = Assert.Single(logs.Records, r => r.Id.Id == 2);
        Assert.Contains("failed (timeout): no answer within the attempt timeout of 00:00:01; retrying in 00:00:00", retried.Message, StringComparison.Ordinal);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public void Redirect_messages_name_the_endpoint_the_target_and_the_fix_and_never_the_secret()
    {
        PeddlerRequestSettings settings = Settings();
        var logs = new ListLoggerFactory();
        var diagnostics = new PeddlerClientDiagnostics(nameof(CarrierTokens), settings.TokenEndpoint, logs.CreateLogger("Peddler"), PeddlerInstruments.For(null));
        const string Fix = "Use an HttpClient that does not follow redirects (AllowAutoRedirect = false, e.g. PeddlerHttp.CreateTokenHttpClient()) and set TokenEndpoint to the final address.";

        using var moved = new HttpResponseMessage(HttpStatusCode.Found);
        moved.Headers.Location = new Uri("/v2/token?x=1", UriKind.Relative);
        Assert.Equal(
            $"Peddler's token endpoint {Endpoint} answered 302 (a redirect to https://alphadev-api.peddler.com/v2/token); redirects are not followed, so the client secret is never sent to another address. Set TokenEndpoint to the final address if the move is genuine.",
            Redirects.Answered(moved, HttpStatusCode.Found, "text/html", settings).Message);

        using var nowhere = new HttpResponseMessage(HttpStatusCode.MovedPermanently);
        Assert.Contains("answered 301 (a redirect to no Location);", Redirects.Answered(nowhere, HttpStatusCode.MovedPermanently, null, settings).Message, StringComparison.Ordinal);

        var target = new Uri("https://elsewhere.example/collect?k=v");
        PeddlerProtocolException refusedForm = Redirects.FormRefused(target, new InvalidOperationException("fake"), settings, diagnostics);
        Assert.Equal(
            $"The HttpClient calling Peddler's token endpoint {Endpoint} followed a redirect (307/308) to https://elsewhere.example/collect and tried to re-send the form there; the form, which carries the client secret, was not sent. {Fix}",
            refusedForm.Message);

        PeddlerProtocolException refusedAnswer = Redirects.AnswerRefused(target, HttpStatusCode.OK, "application/json", settings, diagnostics);
        Assert.Equal(
            $"The HttpClient calling Peddler's token endpoint {Endpoint} followed a redirect to https://elsewhere.example/collect (the form with the client secret was not sent there); its answer is refused. {Fix}",
            refusedAnswer.Message);
        Assert.Equal(HttpStatusCode.OK, refusedAnswer.StatusCode);

        Assert.Equal(2, logs.Records.Count(r => r.Id.Id == 8));
        Assert.DoesNotContain(logs.Records, r => r.Message.Contains(Fake.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public void Fleet_keys_follow_the_documented_layout_so_instances_of_different_builds_agree()
    {
        // docs/fleet.md ("Master key", "Cache key", "Entry key"): master = PBKDF2-HMAC-SHA256(secret, "peddler-token-cache-v2\n{endpoint}\n{client id}", 100,000, 32 bytes);
        // cache key = hex(HMAC-SHA256(master, "peddler-token-cache-v2\ncache-key\n{scope}"));
        // entry key = HKDF-Expand-SHA256(master, "peddler-token-cache-v2\n{purpose}\n{cache key}").
        var endpoint = new Uri("https://alphadev-api.peddler.com/oauth/token?layout-test");
        byte[] master = Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(Fake.Secret),
            Encoding.UTF8.GetBytes($"peddler-token-cache-v2\n{endpoint.AbsoluteUri}\n{Fake.ClientId}"),
            FleetKeyMaterial.Iterations,
            HashAlgorithmName.SHA256,
            32);
        string scope = "DEFAULT authenticated 900001";
        string expectedKey = Convert.ToHexString(HMACSHA256.HashData(master, Encoding.UTF8.GetBytes("peddler-token-cache-v2\ncache-key\n" + scope))).ToLowerInvariant();
        byte[] expectedSeal = new byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, master, expectedSeal, Encoding.UTF8.GetBytes("peddler-token-cache-v2\nentry-encryption\n" + expectedKey));

        FleetKeyMaterial keys = FleetKeyMaterial.For(endpoint, Fake.ClientId, Fake.Secret);
        string cacheKey = keys.CacheKey(scope);
        byte[] seal = new byte[32];
        keys.DeriveKey(cacheKey, "entry-encryption", seal);

        Assert.Equal(expectedKey, cacheKey);
        Assert.Equal(expectedSeal, seal);
    }
}
