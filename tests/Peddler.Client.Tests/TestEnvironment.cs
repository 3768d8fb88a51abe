using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>Fake credentials: obviously not real.</summary>
internal static class Fake
{
    public const string ClientId = "test-client";
    public const string Secret = "fake-secret-do-not-use";
    public const string Carrier = "900001";
}

/// <summary>
/// A real authorization server on 127.0.0.1 per test, an HttpClient that records every request
/// it sends (headers and body bytes, after the client built them), and options pointing at the server.
/// </summary>
internal sealed class TestEnvironment : IAsyncDisposable
{
    private TestEnvironment(PeddlerAuthorizationServer server, RecordingHandler recorder)
    {
        Server = server;
        Recorder = recorder;
        Http = new HttpClient(recorder);
    }

    public PeddlerAuthorizationServer Server { get; }

    public RecordingHandler Recorder { get; }

    public HttpClient Http { get; }

    public static async Task<TestEnvironment> StartAsync(
        string clientId = Fake.ClientId,
        string secret = Fake.Secret,
        string? carrier = Fake.Carrier,
        TimeProvider? serverTime = null,
        TimeSpan? tokenLifetime = null)
    {
        var options = new PeddlerAuthorizationServerOptions();
        if (serverTime is not null)
        {
            options.TimeProvider = serverTime;
        }

        if (tokenLifetime is TimeSpan lifetime)
        {
            options.TokenLifetime = lifetime;
        }

        var server = new PeddlerAuthorizationServer(options);
        server.AddClient(clientId, secret, carrier);
        await server.StartAsync();
        return new TestEnvironment(server, new RecordingHandler(new SocketsHttpHandler()));
    }

    /// <summary>Options for the server's registered client, with fast retries.</summary>
    public PeddlerClientOptions Options(string clientId = Fake.ClientId, string secret = Fake.Secret) => new()
    {
        ClientId = clientId,
        ClientSecret = secret,
        TokenEndpoint = Server.TokenEndpoint,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Records what the client put on the wire, then sends it for real.</summary>
internal sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (_requests)
        {
            _requests.Add(new RecordedRequest(
                request.Method,
                request.RequestUri!,
                request.Content?.Headers.ContentType?.ToString(),
                request.Headers.Accept.ToString(),
                body));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? ContentType, string Accept, byte[] Body);

/// <summary>
/// The system clock, recording every timer's due time so tests can see which waits the client
/// asked for (backoff, Retry-After) without measuring wall-clock time.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _dueTimes = [];

    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_dueTimes)
            {
                return _dueTimes.ToArray();
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_dueTimes)
        {
            _dueTimes.Add(dueTime);
        }

        return TimeProvider.System.CreateTimer(callback, state, dueTime, period);
    }
}
