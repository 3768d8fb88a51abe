using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler;

/// <summary>A source of Peddler access tokens: what every generated client implements.</summary>
public interface IPeddlerTokenClient
{
    /// <summary>
    /// Returns a valid access token: the cached one until it expires (less a clock-skew
    /// allowance), renewed in the background from the refresh margin on; otherwise a new one from
    /// the token endpoint. Concurrent callers share one request.
    /// </summary>
    /// <param name="cancellationToken">Cancels this caller's wait; a request shared with other callers goes on.</param>
    /// <exception cref="PeddlerAuthenticationException">The endpoint refused the credentials or scope (a 4xx OAuth error), now or within the remembered refusal's back-off window.</exception>
    /// <exception cref="PeddlerProtocolException">The endpoint's answer was not a valid token or error response, was too large, or was a redirect.</exception>
    /// <exception cref="PeddlerException">The endpoint was unavailable on every attempt: unreachable, no answer within the attempt timeout, or 5xx/408/429 (<see cref="PeddlerException.StatusCode"/> and <see cref="PeddlerException.Error"/> say which).</exception>
    /// <exception cref="TimeoutException">No attempt succeeded within <see cref="PeddlerClientOptions.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<PeddlerAccessToken> GetTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops the cached token so the next <see cref="GetTokenAsync"/> fetches a new one, e.g. after
    /// an API answered 401. With <paramref name="rejectedToken"/>, drops it only if it is still the
    /// cached one, so many concurrent 401s cause one renewal.
    /// </summary>
    void InvalidateToken(PeddlerAccessToken? rejectedToken = null);
}

/// <summary>
/// Implemented by every <c>[PeddlerClient]</c> class: its compile-time description and a factory,
/// so that hosts can create clients without reflection.
/// </summary>
/// <typeparam name="TSelf">The generated client class.</typeparam>
public interface IPeddlerClient<TSelf> : IPeddlerTokenClient
    where TSelf : class, IPeddlerClient<TSelf>
{
    /// <summary>The client's compile-time description.</summary>
    static abstract PeddlerClientDescriptor Descriptor { get; }

    /// <summary>Creates a client, as its public constructor does.</summary>
    static abstract TSelf Create(HttpClient httpClient, PeddlerClientOptions options, TimeProvider? timeProvider);

    /// <summary>
    /// Creates a client around an existing provider: how hosts and <see cref="PeddlerClientFactory"/>
    /// give a client logging, a meter, an <c>IHttpClientFactory</c> client and a background refresh.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tokenProvider"/> was made for another client's descriptor.</exception>
    static abstract TSelf Create(PeddlerTokenProvider tokenProvider);
}
