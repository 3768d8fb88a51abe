using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

public class RetryTests
{
    public static TheoryData<string, PeddlerFault> TransientFaults() => new()
    {
        { "503", PeddlerFault.Status(503) },
        { "500 empty", PeddlerFault.Status(500, withBody: false) },
        { "408", PeddlerFault.Status(408) },
        { "429", PeddlerFault.TooManyRequests(TimeSpan.Zero) },
        { "HTML 502", PeddlerFault.HtmlError(502) },
        { "dropped connection", PeddlerFault.DropConnection() },
    };

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task A_transient_failure_is_retried_until_a_token_arrives(string _, PeddlerFault fault)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(fault, count: 2);
        var tokens = new CarrierTokens(env.Http, env.Options());

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Retries_stop_at_MaxRetries_and_report_the_last_failure_with_its_status()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.HtmlError(502), count: 10);
        PeddlerClientOptions options = env.Options();
        options.MaxRetries = 2;
        var tokens = new CarrierTokens(env.Http, options);

        // A proxy's HTML 502 is an outage, not a protocol violation: a plain PeddlerException.
        var ex = await Assert.ThrowsAsync<PeddlerException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Null(ex.Error);
        Assert.Contains("text/html", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task OAuth_errors_are_never_retried()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(400, "application/json", """{"error":"invalid_scope"}"""), count: 5);
        var tokens = new CarrierTokens(env.Http, env.Options());

        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Retry_After_is_honoured_and_bounded_by_MaxRetryAfter()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.TooManyRequests(TimeSpan.FromSeconds(1)));
        env.Server.Faults.Enqueue(PeddlerFault.TooManyRequests(TimeSpan.FromSeconds(3600)));
        var time = new RecordingTimeProvider();
        PeddlerClientOptions options = env.Options();
        options.MaxRetryAfter = TimeSpan.FromSeconds(1);
        var tokens = new CarrierTokens(env.Http, options, time);

        await tokens.GetTokenAsync();

        // Timers asked for: the overall timeout, one attempt timeout per attempt, then one wait per
        // Retry-After (3600 s bounded to 1 s).
        TimeSpan[] waits = time.DueTimes.Where(d => d != options.Timeout && d != options.AttemptTimeout).ToArray();
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], waits);
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_honoured_and_bounded_by_MaxRetryAfter()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        string inAnHour = DateTimeOffset.UtcNow.AddHours(1).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        env.Server.Faults.Enqueue(PeddlerFault.Respond(503, "application/json", """{"error":"temporarily_unavailable"}""", [new("Retry-After", inAnHour)]));
        var time = new RecordingTimeProvider();
        PeddlerClientOptions options = env.Options();
        options.MaxRetryAfter = TimeSpan.FromSeconds(1);
        var tokens = new CarrierTokens(env.Http, options, time);

        await tokens.GetTokenAsync();

        // Without the date the wait would be the back-off (at most MaxRetryDelay, 5 ms here).
        TimeSpan[] waits = time.DueTimes.Where(d => d != options.Timeout && d != options.AttemptTimeout).ToArray();
        Assert.Equal([TimeSpan.FromSeconds(1)], waits);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_is_capped()
    {
        var settings = PeddlerRequestSettingsFor(new PeddlerClientOptions
        {
            ClientId = "id",
            ClientSecret = Fake.Secret,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryDelay = TimeSpan.FromMilliseconds(1000),
        });

        for (int i = 0; i < 200; i++)
        {
            AssertBetween(Peddler.Core.Backoff.Retry(settings, 1), 50, 100);
            AssertBetween(Peddler.Core.Backoff.Retry(settings, 2), 100, 200);
            AssertBetween(Peddler.Core.Backoff.Retry(settings, 3), 200, 400);
            AssertBetween(Peddler.Core.Backoff.Retry(settings, 20), 500, 1000);
        }

        TimeSpan[] samples = Enumerable.Range(0, 50).Select(_ => Peddler.Core.Backoff.Retry(settings, 3)).ToArray();
        Assert.True(samples.Distinct().Count() > 1, "backoff has no jitter");
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_retried_then_reported_without_the_secret()
    {
        int port = FreePort();
        using var http = new HttpClient();
        var options = new PeddlerClientOptions
        {
            ClientId = Fake.ClientId,
            ClientSecret = Fake.Secret,
            TokenEndpoint = new Uri($"http://127.0.0.1:{port}/oauth/token"),
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        };
        var tokens = new CarrierTokens(http, options);

        var ex = await Assert.ThrowsAsync<PeddlerException>(async () => await tokens.GetTokenAsync());

        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("3 attempt", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_overall_timeout_ends_a_hanging_request_with_TimeoutException()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromMinutes(5)));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        PeddlerClientOptions options = env.Options();
        options.Timeout = TimeSpan.FromSeconds(30);
        var tokens = new CarrierTokens(env.Http, options, time);

        ValueTask<PeddlerAccessToken> pending = tokens.GetTokenAsync();
        // The request is on the server before the clock moves, so the timeout timer exists.
        await env.Server.WaitUntilAsync(s => s.TokenRequestCount == 1).WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(30));

        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await pending);
        Assert.Contains("00:00:30", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_overall_timeout_is_three_minutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(3), new PeddlerClientOptions().Timeout);
    }

    private static PeddlerRequestSettings PeddlerRequestSettingsFor(PeddlerClientOptions options) =>
        PeddlerRequestSettings.From(options, CarrierTokens.Descriptor);

    private static void AssertBetween(TimeSpan value, double minMs, double maxMs) =>
        Assert.InRange(value.TotalMilliseconds, minMs, maxMs);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
