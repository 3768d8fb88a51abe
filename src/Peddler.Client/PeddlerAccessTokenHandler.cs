using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Peddler.Diagnostics;

namespace Peddler;

/// <summary>
/// A <see cref="DelegatingHandler"/> that sends each request with <c>Authorization: Bearer …</c>
/// from a Peddler token client. When the API answers 401, it invalidates exactly the token it
/// sent, gets a fresh one and sends the request once more — only when the request's content can
/// be sent twice (none, or <see cref="ByteArrayContent"/> such as <see cref="StringContent"/> and
/// <see cref="FormUrlEncodedContent"/>, or <see cref="ReadOnlyMemoryContent"/>). A second 401 is
/// returned to the caller: it never loops.
/// </summary>
/// <remarks>
/// In a host, add it with <c>services.AddHttpClient(…).AddPeddlerAccessToken&lt;TClient&gt;()</c>.
/// It logs the token's <see cref="PeddlerAccessToken.Fingerprint"/>, never the token.
/// </remarks>
public sealed class PeddlerAccessTokenHandler : DelegatingHandler
{
    private readonly IPeddlerTokenClient _tokenClient;
    private readonly ILogger _logger;

    // Per-request carriers: the client's own provider and an optional selector; null without.
    private readonly PeddlerTokenProvider? _carriers;
    private readonly Func<HttpRequestMessage, string?>? _selectCarrier;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> before use outside IHttpClientFactory.</summary>
    /// <param name="tokenClient">The token client whose tokens are sent.</param>
    public PeddlerAccessTokenHandler(IPeddlerTokenClient tokenClient)
        : this(tokenClient, null)
    {
    }

    /// <summary>Creates the handler with a logger for 401 recoveries.</summary>
    /// <param name="tokenClient">The token client whose tokens are sent.</param>
    /// <param name="logger">Where 401 recoveries are logged; none when <see langword="null"/>.</param>
    public PeddlerAccessTokenHandler(IPeddlerTokenClient tokenClient, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(tokenClient);
        _tokenClient = tokenClient;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// A handler that picks the carrier per request: <see cref="PeddlerRequestOptions.CarrierId"/>
    /// in the request's options, else <paramref name="selectCarrier"/>'s answer, else
    /// <paramref name="tokenClient"/> itself; a carrier's token comes from <see cref="PeddlerTokenProvider.ForCarrier"/>.
    /// </summary>
    internal PeddlerAccessTokenHandler(IPeddlerTokenClient tokenClient, ILogger? logger, PeddlerTokenProvider carriers, Func<HttpRequestMessage, string?>? selectCarrier)
        : this(tokenClient, logger)
    {
        _carriers = carriers;
        _selectCarrier = selectCarrier;
    }

    private IPeddlerTokenClient TokenClientFor(HttpRequestMessage request)
    {
        if (_carriers is null)
        {
            return _tokenClient;
        }

        string? carrierId = request.Options.TryGetValue(PeddlerRequestOptions.CarrierId, out string? chosen) ? chosen : _selectCarrier?.Invoke(request);
        return string.IsNullOrEmpty(carrierId) ? _tokenClient : _carriers.ForCarrier(carrierId);
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        IPeddlerTokenClient tokenClient = TokenClientFor(request);
        PeddlerAccessToken token = await tokenClient.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Drop only the token the API refused: concurrent 401s for one token cause one renewal.
        tokenClient.InvalidateToken(token);
        if (!CanResend(request.Content))
        {
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                PeddlerLog.ApiUnauthorizedNotReplayable(
                    _logger, request.Method.Method, Describe(request.RequestUri), token.Fingerprint, request.Content!.GetType().Name);
            }

            return response;
        }

        PeddlerAccessToken fresh = await tokenClient.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        if (ReferenceEquals(fresh, token) || fresh.AccessToken == token.AccessToken)
        {
            // The client has no other token to offer: retrying would repeat the same request.
            return response;
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            string uri = Describe(request.RequestUri);
            PeddlerLog.ApiUnauthorizedRetrying(_logger, request.Method.Method, uri, token.Fingerprint, fresh.Fingerprint);
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.AccessToken);
        HttpResponseMessage retried = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (retried.StatusCode == HttpStatusCode.Unauthorized && _logger.IsEnabled(LogLevel.Warning))
        {
            PeddlerLog.ApiUnauthorizedAfterRetry(_logger, request.Method.Method, Describe(request.RequestUri), fresh.Fingerprint);
        }

        return retried;
    }

    /// <summary>Whether sending the content a second time sends the same bytes.</summary>
    private static bool CanResend(HttpContent? content) =>
        content is null or ByteArrayContent or ReadOnlyMemoryContent;

    /// <summary>The request URI without query and fragment, which may carry secrets of their own.</summary>
    private static string Describe(Uri? uri) =>
        uri is null ? "(no URI)" : uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : uri.OriginalString.Split('?', '#')[0];
}
