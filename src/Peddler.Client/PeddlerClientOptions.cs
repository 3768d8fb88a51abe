using System;

namespace Peddler;

/// <summary>
/// Run-time settings of a generated Peddler token client. A client copies them when it is
/// constructed; changing this object afterwards has no effect on that client. To hand a running
/// client new options (a rotated secret), call <see cref="PeddlerTokenProvider.UpdateOptions"/>;
/// in a host, a change of the client's configuration does it (see <c>AddPeddlerClient</c>).
/// </summary>
/// <remarks><see cref="ToString"/> never prints <see cref="ClientSecret"/>.</remarks>
public sealed class PeddlerClientOptions
{
    /// <summary>Your application's client id, as issued by Peddler. Required.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// Your application's client secret, as issued by Peddler. Required. Load it from
    /// configuration or a secret store; never write it in source (analyzer PDL001 warns).
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Overrides the token endpoint of the annotated environment, e.g. a local authorization
    /// server <c>http://127.0.0.1:5005/oauth/token</c>. Must be an absolute <c>https</c> URI,
    /// or <c>http</c> on a loopback host.
    /// </summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>
    /// The carrier id, for clients whose <c>Scopes</c> contain the <c>{CarrierId}</c>
    /// placeholder (carrier configured per deployment). Must be empty otherwise. May stay empty
    /// when the carriers come per call (<see cref="PeddlerTokenProvider.ForCarrier"/>); the
    /// client's own <c>GetTokenAsync</c> then throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public string? CarrierId { get; set; }

    /// <summary>
    /// How many carriers <see cref="PeddlerTokenProvider.ForCarrier"/> keeps (each with its cached
    /// token). Default 10,000. When a new carrier would exceed it, idle carriers are evicted first,
    /// then, if it is still reached, the least recently used tenth.
    /// </summary>
    public int MaxCarriers { get; set; } = 10_000;

    /// <summary>
    /// How long a carrier may go unused before it is evicted. A use is a
    /// <see cref="PeddlerTokenProvider.ForCarrier"/> lookup, a
    /// <see cref="PeddlerTokenProvider.GetCarrierTokenAsync(string, System.Threading.CancellationToken)"/>
    /// call, or a call on a carrier's client someone holds. Checked lazily, on lookups, at most every
    /// quarter of the timeout (between 1 second and 1 minute). Default 1 hour. An evicted carrier's
    /// client keeps working for whoever holds it; the next lookup creates a new one.
    /// </summary>
    public TimeSpan CarrierIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long before <see cref="PeddlerAccessToken.ExpiresAt"/> a cached token starts being
    /// renewed: from that point the first caller starts one renewal in the background while every
    /// caller keeps getting the current token, until it expires (less a clock-skew allowance of
    /// 5 seconds, at most a quarter of the lifetime). Default 10 minutes: with Peddler's 2-hour
    /// tokens a renewal has 10 minutes — three overall <see cref="Timeout"/>s and their retries — to
    /// succeed before any caller waits. Never more than half of the token's lifetime.
    /// </summary>
    public TimeSpan RefreshMargin { get; set; } = DefaultRefreshMargin;

    /// <summary>The default <see cref="RefreshMargin"/>: 10 minutes.</summary>
    public static readonly TimeSpan DefaultRefreshMargin = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The lifetime assumed when a token response has no <c>expires_in</c> (RFC 6749 makes it
    /// optional). Default 5 minutes. Like every lifetime, at most 24 hours.
    /// </summary>
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The overall time one token acquisition may take, retries and waits included. Default
    /// 3 minutes (the timeout Peddler's documentation gives). When it elapses,
    /// <c>GetTokenAsync</c> throws <see cref="TimeoutException"/>.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The time one attempt (request sent, status and whole body received) may take before it is
    /// abandoned and retried as a transient failure, inside the overall <see cref="Timeout"/>.
    /// Default 20 seconds, so that an endpoint that accepts the connection and never answers is
    /// retried instead of holding the first call for minutes. <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// leaves only the overall timeout.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The largest token or error response body read, in bytes. Default 256 KiB (64 times a large
    /// JWT). A response that declares a larger <c>Content-Length</c> is refused before its body
    /// is read, and one that sends more is abandoned as soon as it passes the limit: a
    /// <see cref="PeddlerProtocolException"/> (or, on a 5xx, 408 or 429, a transient failure).
    /// </summary>
    public int MaxResponseSize { get; set; } = DefaultMaxResponseSize;

    /// <summary>The default <see cref="MaxResponseSize"/>: 256 KiB.</summary>
    public const int DefaultMaxResponseSize = 256 * 1024;

    /// <summary>
    /// How many times a transient failure (connection error, 408, 429, 5xx) is retried after the
    /// first attempt. Default 4; 0 turns retries off.
    /// </summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first backoff delay; each retry doubles it, with jitter. Default 500 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff delay between two attempts. Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest <c>Retry-After</c> the client honours; a longer one is shortened to this.
    /// Default 60 seconds.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether a host renews the token in the background, so callers never wait on the token
    /// endpoint after the first token. Default <see langword="true"/>. Read by the hosted service
    /// that <c>AddPeddlerClient</c> registers; a client created with <see langword="new"/> has no
    /// background refresh and ignores it.
    /// </summary>
    public bool BackgroundRefresh { get; set; } = true;

    /// <summary>Describes the options without the client secret.</summary>
    public override string ToString() =>
        $"ClientId = {ClientId ?? "(none)"}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "(none)" : "***")}, " +
        $"TokenEndpoint = {(TokenEndpoint is null ? "(environment default)" : PeddlerRequestSettings.DisplayOf(TokenEndpoint))}, CarrierId = {CarrierId ?? "(none)"}";
}
