using System;

namespace Peddler;

/// <summary>
/// Run-time settings of a generated Peddler token client. A client reads them once, when it is
/// constructed; changing them afterwards has no effect on that client.
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
    /// placeholder (carrier configured per deployment). Must be empty otherwise.
    /// </summary>
    public string? CarrierId { get; set; }

    /// <summary>
    /// How long before <see cref="PeddlerAccessToken.ExpiresAt"/> a cached token is renewed.
    /// Default 60 seconds; never more than half of the token's lifetime.
    /// </summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The lifetime assumed when a token response has no <c>expires_in</c> (RFC 6749 makes it
    /// optional). Default 5 minutes.
    /// </summary>
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The overall time one token acquisition may take, retries and waits included. Default
    /// 3 minutes (the timeout Peddler's examples intend). When it elapses,
    /// <c>GetTokenAsync</c> throws <see cref="TimeoutException"/>.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

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
        $"TokenEndpoint = {TokenEndpoint?.ToString() ?? "(environment default)"}, CarrierId = {CarrierId ?? "(none)"}";
}
