using System;
using System.Net.Http;
using System.Threading;

namespace Peddler;

/// <summary>
/// HTTP clients fit for calling Peddler's token endpoint: they never follow a redirect (the form
/// carries the client secret), recycle pooled connections so that DNS changes are seen, and leave
/// timeouts to the token client (<see cref="PeddlerClientOptions.AttemptTimeout"/> and
/// <see cref="PeddlerClientOptions.Timeout"/>).
/// </summary>
public static class PeddlerHttp
{
    /// <summary>How long a pooled connection is reused before it is replaced (and DNS asked again): 5 minutes.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private static readonly Lazy<HttpClient> s_shared = new(CreateTokenHttpClient, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The process-wide token <see cref="HttpClient"/> that <see cref="PeddlerClientFactory.Create{TClient}(PeddlerClientOptions, Microsoft.Extensions.Logging.ILoggerFactory?, TimeProvider?, System.Diagnostics.Metrics.IMeterFactory?)"/>
    /// uses; created on first use and never disposed (one connection pool for the whole process).
    /// </summary>
    public static HttpClient Shared => s_shared.Value;

    /// <summary>
    /// Creates the primary handler the library uses for token requests: a <see cref="SocketsHttpHandler"/>
    /// with <see cref="SocketsHttpHandler.AllowAutoRedirect"/> off, <see cref="SocketsHttpHandler.PooledConnectionLifetime"/>
    /// of <see cref="PooledConnectionLifetime"/> and no response draining (an over-long body is cut
    /// off, not read to its end).
    /// </summary>
    public static SocketsHttpHandler CreateTokenHandler() => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = PooledConnectionLifetime,
        MaxResponseDrainSize = 0,
    };

    /// <summary>
    /// Creates an <see cref="HttpClient"/> for the token endpoint over <see cref="CreateTokenHandler"/>,
    /// with an infinite <see cref="HttpClient.Timeout"/> so that the token client's own timeouts
    /// rule. Pass it to a generated client's constructor; keep one per process (or per client)
    /// rather than one per call.
    /// </summary>
    public static HttpClient CreateTokenHttpClient() => new(CreateTokenHandler(), disposeHandler: true)
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
