namespace Peddler;

/// <summary>
/// The names under which Peddler clients report traces and metrics, for OpenTelemetry
/// registration (<c>.AddSource(PeddlerTelemetry.ActivitySourceName)</c>,
/// <c>.AddMeter(PeddlerTelemetry.MeterName)</c>) and for <c>ActivityListener</c> /
/// <c>MeterListener</c>. No tag ever carries a token or the client secret.
/// </summary>
public static class PeddlerTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: <c>Peddler.Client</c>.</summary>
    public const string ActivitySourceName = "Peddler.Client";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: <c>Peddler.Client</c>.</summary>
    public const string MeterName = "Peddler.Client";

    /// <summary>The activity (span) of one token acquisition, retries included.</summary>
    public const string AcquireTokenActivityName = "peddler.client.token.acquire";

    /// <summary>Counter of token acquisitions (each may take several HTTP attempts), by outcome.</summary>
    public const string TokenRequestsInstrument = "peddler.client.token.requests";

    /// <summary>Histogram of the duration of token acquisitions, retries and waits included, in seconds.</summary>
    public const string TokenRequestDurationInstrument = "peddler.client.token.request.duration";

    /// <summary>Counter of retried attempts of token requests (transient failures), by <c>error.type</c>.</summary>
    public const string TokenRetriesInstrument = "peddler.client.token.retries";

    /// <summary>Counter of <c>GetTokenAsync</c> calls answered from the cache.</summary>
    public const string CacheHitsInstrument = "peddler.client.token.cache.hits";

    /// <summary>Counter of <c>GetTokenAsync</c> calls that had to wait for a token request.</summary>
    public const string CacheMissesInstrument = "peddler.client.token.cache.misses";

    /// <summary>Counter of background refreshes, by outcome.</summary>
    public const string RefreshesInstrument = "peddler.client.token.refreshes";

    /// <summary>Counter of cached tokens dropped by <c>InvalidateToken</c> (e.g. after an API answered 401).</summary>
    public const string InvalidationsInstrument = "peddler.client.token.invalidations";

    /// <summary>Tag: the <c>[PeddlerClient]</c> class name, e.g. <c>CarrierTokens</c>.</summary>
    public const string ClientNameTag = "peddler.client.name";

    /// <summary>
    /// Tag: how an acquisition or refresh ended: <c>success</c>, <c>oauth_error</c>,
    /// <c>protocol_error</c>, <c>unreachable</c>, <c>timeout</c> or <c>error</c>.
    /// </summary>
    public const string OutcomeTag = "peddler.token.outcome";

    /// <summary>
    /// Tag: the OAuth <c>error</c> code of a refused request (RFC 6749 §5.2, e.g. <c>access_denied</c>);
    /// codes outside RFC 6749 are reported as <c>other</c> to keep the tag's cardinality bounded.
    /// </summary>
    public const string OAuthErrorTag = "peddler.oauth.error";

    /// <summary>
    /// Tag (OpenTelemetry's <c>error.type</c>): on failures, the OAuth error code or the outcome;
    /// on retries, the HTTP status code (<c>503</c>) or <c>unreachable</c> / <c>timeout</c>.
    /// </summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>Activity tag: why the token was requested: <c>cache_miss</c> or <c>background_refresh</c>.</summary>
    public const string TriggerTag = "peddler.token.trigger";
}
