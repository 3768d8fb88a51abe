using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>Allocation measurements read the whole process's counter: nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(NotInParallel), DisableParallelization = true)]
public sealed class NotInParallel;

/// <summary>A deliberately misbehaving token endpoint, over real HTTP: each row of issue 10's table.</summary>
public class HostileEndpointTests
{
    private const long FourGiB = 4L * 1024 * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_endless_body_is_refused_as_soon_as_it_passes_MaxResponseSize(bool declareLength)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.EndlessBody(FourGiB, declareLength));
        PeddlerClientOptions options = env.Options();
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(options);

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Contains("MaxResponseSize", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_Content_Length_over_MaxResponseSize_is_refused_from_the_headers()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.EndlessBody(2048, declareLength: true));
        PeddlerClientOptions options = env.Options();
        options.MaxResponseSize = 2047;
        var tokens = new CarrierTokens(env.Http, options);

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Contains("2047", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_response_just_under_MaxResponseSize_is_read()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        string padding = new('x', 3000);
        env.Server.Faults.Enqueue(PeddlerFault.Respond(200, "application/json", $$"""{"access_token":"fake-large-token","token_type":"Bearer","expires_in":60,"padding":"{{padding}}"}"""));
        PeddlerClientOptions options = env.Options();
        options.MaxResponseSize = 4096;
        var tokens = new CarrierTokens(env.Http, options);

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.Equal("fake-large-token", token.AccessToken);
    }

    [Fact]
    public async Task An_oversized_503_is_transient_and_an_oversized_400_is_a_protocol_error()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        string big = new('x', 5000);
        env.Server.Faults.Enqueue(PeddlerFault.Respond(503, "application/json", $$"""{"error":"temporarily_unavailable","x":"{{big}}"}"""));
        env.Server.Faults.Enqueue(PeddlerFault.Respond(400, "application/json", $$"""{"error":"invalid_request","x":"{{big}}"}"""));
        PeddlerClientOptions options = env.Options();
        options.MaxResponseSize = 4096;
        var tokens = new CarrierTokens(env.Http, options);

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    public static TheoryData<string, double?> ExpiresInValues() => new()
    {
        { "1000000000000000", 24 * 3600 },
        { "9223372036854775807", 24 * 3600 },
        { "\"9223372036854775807\"", 24 * 3600 },
        { "86401", 24 * 3600 },
        { "86400", 24 * 3600 },
        { "7200", 7200 },
        { "\"7200\"", 7200 },
        { "1", 1 },
        { "0", 0 },
        { "null", 17 * 60 },
        { "-1", null },
        { "-9223372036854775808", null },
        { "9223372036854775808", null },
        { "1e400", null },
        { "1e3", null },
        { "7200.5", null },
        { "\"soon\"", null },
        { "\"\"", null },
        { "true", null },
        { "[]", null },
        { "{}", null },
    };

    [Theory]
    [MemberData(nameof(ExpiresInValues))]
    public async Task Any_expires_in_gives_a_token_with_a_bounded_lifetime_or_a_protocol_error(string raw, double? expectedSeconds)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        env.Server.Faults.Enqueue(PeddlerFault.ExpiresIn(raw));
        PeddlerClientOptions options = env.Options();
        options.DefaultTokenLifetime = TimeSpan.FromMinutes(17);
        var tokens = new CarrierTokens(env.Http, options, time);

        if (expectedSeconds is double seconds)
        {
            PeddlerAccessToken token = await tokens.GetTokenAsync();
            Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(seconds), token.ExpiresAt);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());
            Assert.Contains("expires_in", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_a_protocol_error_naming_status_and_Location_and_the_form_never_reaches_it(int status)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        await using TestEnvironment elsewhere = await TestEnvironment.StartAsync();
        var target = new Uri(elsewhere.Server.TokenEndpoint, "?client_secret=leak&x=1");
        env.Server.Faults.Enqueue(PeddlerFault.Redirect(status, target));

        // No HttpClient brought: the library's own, which never follows a redirect.
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(env.Options());
        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains(elsewhere.Server.TokenEndpoint.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("?", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leak", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, env.Server.TokenRequestCount);
        Assert.Equal(0, elsewhere.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_relative_redirect_is_named_against_the_endpoint()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Redirect(307, new Uri("/moved/token?a=b", UriKind.Relative)));
        using HttpClient http = PeddlerHttp.CreateTokenHttpClient();
        var tokens = new CarrierTokens(http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Contains(new Uri(env.Server.BaseAddress, "/moved/token").ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_default_HttpClient_that_follows_a_redirect_never_sends_the_secret_elsewhere_and_the_client_logs_why(int status)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        await using var elsewhere = new CapturingOrigin();
        env.Server.Faults.Enqueue(PeddlerFault.Redirect(status, elsewhere.Address));

        // The most natural line a user writes: a default HttpClient, redirects on.
        using var following = new HttpClient();
        var logs = new ListLoggerFactory();
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(following, env.Options(), logs);

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        // 301/302/303 turn the POST into a GET without the form; 307/308 would re-send it, and the
        // form refuses to be written to another address. Either way no secret leaves.
        string received = await elsewhere.ReceivedAsync();
        Assert.DoesNotContain("client_secret", received, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Secret, received, StringComparison.Ordinal);
        Assert.Contains("redirect", ex.Message, StringComparison.Ordinal);
        Assert.Contains(elsewhere.Address.GetLeftPart(UriPartial.Authority), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Secret, ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, env.Server.TokenRequestCount);
        (LogLevel level, EventId id, string message) = Assert.Single(logs.Records, r => r.Id.Id == 8);
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains(elsewhere.Address.GetLeftPart(UriPartial.Authority), message, StringComparison.Ordinal);
        Assert.Contains("AllowAutoRedirect", message, StringComparison.Ordinal);
        Assert.Equal("TokenRequestRedirected", id.Name);
    }

    [Fact]
    public async Task A_hung_attempt_is_abandoned_after_AttemptTimeout_and_retried()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        env.Server.Faults.Enqueue(PeddlerFault.NeverAnswer());
        PeddlerClientOptions options = NoBackOff(env.Options());
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var tokens = new CarrierTokens(env.Http, options, time);

        // The attempt's timer runs on the client's clock: once the server holds the hung request,
        // one tick short of the attempt timeout changes nothing, the timeout itself abandons it.
        Task<PeddlerAccessToken> call = tokens.GetTokenAsync().AsTask();
        Assert.True(await Clients.UntilAsync(() => env.Server.TokenRequestCount == 1));
        time.Advance(options.AttemptTimeout - TimeSpan.FromTicks(1));
        Assert.False(call.IsCompleted);
        Assert.Equal(1, env.Server.TokenRequestCount);
        time.Advance(TimeSpan.FromTicks(1));

        PeddlerAccessToken token = await call.WaitAsync(Clients.Patience);
        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_is_a_PeddlerException_after_the_retries()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time);
        env.Server.Faults.Enqueue(PeddlerFault.NeverAnswer(), count: 10);
        PeddlerClientOptions options = NoBackOff(env.Options());
        options.AttemptTimeout = TimeSpan.FromSeconds(1);
        options.MaxRetries = 2;
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(options, timeProvider: time);

        // Each attempt is abandoned only when the clock passes its timeout, and only after the
        // server holds it, so a slow machine cannot make an attempt time out before it was sent.
        Task<PeddlerAccessToken> call = tokens.GetTokenAsync().AsTask();
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            Assert.True(await Clients.UntilAsync(() => env.Server.TokenRequestCount == attempt), $"attempt {attempt} did not reach the server");
            Assert.False(call.IsCompleted);
            time.Advance(options.AttemptTimeout);
        }

        var ex = await Assert.ThrowsAsync<PeddlerException>(() => call.WaitAsync(Clients.Patience));
        Assert.Null(ex.StatusCode);
        Assert.Contains("attempt timeout", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    /// <summary>Retries at once: the tests above step the clock only for the attempt timeouts.</summary>
    private static PeddlerClientOptions NoBackOff(PeddlerClientOptions options)
    {
        options.RetryBaseDelay = TimeSpan.Zero;
        options.MaxRetryDelay = TimeSpan.Zero;
        return options;
    }

    [Fact]
    public void The_default_attempt_timeout_is_well_under_HttpClients_100_seconds_and_the_overall_bound_stays_3_minutes()
    {
        var options = new PeddlerClientOptions();

        Assert.Equal(TimeSpan.FromSeconds(20), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), options.Timeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, PeddlerHttp.CreateTokenHttpClient().Timeout);
        Assert.Equal(256 * 1024, options.MaxResponseSize);
    }

    public static TheoryData<string, PeddlerFault, HttpStatusCode, string?> TransientAnswers() => new()
    {
        { "503 temporarily_unavailable", PeddlerFault.Status(503), HttpStatusCode.ServiceUnavailable, "temporarily_unavailable" },
        { "500 server_error", PeddlerFault.Status(500), HttpStatusCode.InternalServerError, "server_error" },
        { "500 empty", PeddlerFault.Status(500, withBody: false), HttpStatusCode.InternalServerError, null },
        { "408", PeddlerFault.Status(408), HttpStatusCode.RequestTimeout, "temporarily_unavailable" },
        { "429", PeddlerFault.TooManyRequests(TimeSpan.Zero), HttpStatusCode.TooManyRequests, "temporarily_unavailable" },
        { "502 HTML", PeddlerFault.HtmlError(502), HttpStatusCode.BadGateway, null },
        { "503 invalid_client", PeddlerFault.Respond(503, "application/json", """{"error":"invalid_client"}"""), HttpStatusCode.ServiceUnavailable, "invalid_client" },
    };

    [Theory]
    [MemberData(nameof(TransientAnswers))]
    public async Task A_5xx_408_or_429_is_never_a_refusal_but_a_PeddlerException_with_status_and_error(string _, PeddlerFault fault, HttpStatusCode status, string? error)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(fault, count: 10);
        PeddlerClientOptions options = env.Options();
        options.MaxRetries = 1;
        var tokens = new CarrierTokens(env.Http, options);

        // Exactly PeddlerException: not the "credentials refused" type, not a protocol error.
        var ex = await Assert.ThrowsAsync<PeddlerException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(error, ex.Error);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Theory]
    [InlineData(400, "invalid_scope")]
    [InlineData(401, "invalid_client")]
    [InlineData(403, "access_denied")]
    [InlineData(400, "unauthorized_client")]
    public async Task A_4xx_with_an_OAuth_body_is_a_refusal(int status, string error)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(status, "application/json", $$"""{"error":"{{error}}"}"""));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.Equal(error, ex.Error);
        PeddlerException asBase = ex;
        Assert.Equal((HttpStatusCode)status, asBase.StatusCode);
        Assert.Equal(error, asBase.Error);
    }

    [Fact]
    public async Task A_4xx_without_an_OAuth_body_is_a_protocol_error()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.HtmlError(404));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }
}

/// <summary>Bytes allocated while a multi-GiB body is refused: a small multiple of MaxResponseSize.</summary>
[Collection(nameof(NotInParallel))]
public class BoundedMemoryTests
{
    [Fact]
    public async Task Refusing_a_4_GiB_body_allocates_a_small_multiple_of_MaxResponseSize()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        PeddlerClientOptions options = env.Options();
        var tokens = PeddlerClientFactory.Create<CarrierTokens>(options);

        // Warm up connections, pools and JIT with a normal token and one refused body.
        await tokens.GetTokenAsync();
        tokens.InvalidateToken();
        env.Server.Faults.Enqueue(PeddlerFault.EndlessBody(4L * 1024 * 1024 * 1024));
        await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        env.Server.Faults.Enqueue(PeddlerFault.EndlessBody(4L * 1024 * 1024 * 1024));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // The whole process (client and in-process server): 0.1.0 allocated about 1 GiB here.
        // Usually the pooled buffers are reused (well under the limit); when the pool misses (a
        // continuation on another core), the buffers are allocated afresh: under twice the limit.
        Assert.InRange(allocated, 0, 4L * options.MaxResponseSize);
    }
}

/// <summary>Records log lines, for clients created with <see cref="PeddlerClientFactory"/>.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    private readonly List<(LogLevel Level, EventId Id, string Message)> _records = [];

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToArray();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._records)
            {
                owner._records.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
