using System;
using Microsoft.Extensions.Logging;

namespace Peddler.Diagnostics;

/// <summary>
/// Every log line Peddler writes, source-generated. Event ids and names are stable (documented in
/// README). A token appears only as its <see cref="PeddlerAccessToken.Fingerprint"/>; the client
/// secret never appears.
/// </summary>
internal static partial class PeddlerLog
{
    /// <summary>The category prefix; each client logs as <c>Peddler.Client.{ClientName}</c>.</summary>
    public const string CategoryPrefix = "Peddler.Client.";

    [LoggerMessage(EventId = 1, EventName = "TokenAcquired", Level = LogLevel.Information,
        Message = "Acquired token {TokenFingerprint} for scope '{Scope}' from {TokenEndpoint} ({Trigger}); expires {ExpiresAt:O} (lifetime {Lifetime}); {Attempts} attempt(s) in {ElapsedMilliseconds} ms")]
    public static partial void TokenAcquired(
        ILogger logger, string tokenFingerprint, string scope, string tokenEndpoint, string trigger, DateTimeOffset expiresAt, TimeSpan lifetime, int attempts, long elapsedMilliseconds);

    [LoggerMessage(EventId = 2, EventName = "TokenRequestRetrying", Level = LogLevel.Warning,
        Message = "Token request attempt {Attempt} to {TokenEndpoint} failed ({ErrorType}): {Reason}; retrying in {Delay}")]
    public static partial void TokenRequestRetrying(ILogger logger, int attempt, string tokenEndpoint, string errorType, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3, EventName = "TokenRequestRefused", Level = LogLevel.Error,
        Message = "Token request refused by {TokenEndpoint}: {StatusCode} {OAuthError} ({ErrorDescription})")]
    public static partial void TokenRequestRefused(ILogger logger, string tokenEndpoint, int statusCode, string oAuthError, string? errorDescription);

    [LoggerMessage(EventId = 4, EventName = "TokenRequestFailed", Level = LogLevel.Error,
        Message = "Token request to {TokenEndpoint} failed after {Attempts} attempt(s) ({ErrorType})")]
    public static partial void TokenRequestFailed(ILogger logger, string tokenEndpoint, int attempts, string errorType, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "TokenInvalidated", Level = LogLevel.Information,
        Message = "Token {TokenFingerprint} invalidated; the next call requests a new one")]
    public static partial void TokenInvalidated(ILogger logger, string tokenFingerprint);

    [LoggerMessage(EventId = 6, EventName = "TokenRequestStarting", Level = LogLevel.Debug,
        Message = "Requesting a token from {TokenEndpoint} ({Trigger})")]
    public static partial void TokenRequestStarting(ILogger logger, string tokenEndpoint, string trigger);

    [LoggerMessage(EventId = 7, EventName = "TokenRequestsHeldBack", Level = LogLevel.Warning,
        Message = "{TokenEndpoint} refused {Refused} ({StatusCode} {OAuthError}); no token request is sent for {Window} (until {RetryAt:O}): callers get the same refusal at once. {Advice}, then call PeddlerTokenProvider.ResetRefusal() or wait")]
    public static partial void TokenRequestsHeldBack(ILogger logger, string tokenEndpoint, string refused, int statusCode, string oAuthError, TimeSpan window, DateTimeOffset retryAt, string advice);

    [LoggerMessage(EventId = 8, EventName = "TokenRequestRedirected", Level = LogLevel.Error,
        Message = "The HttpClient calling {TokenEndpoint} followed a redirect to {RedirectTarget}; the form with the client secret is never written there and any answer from there is refused. Give the client an HttpClient that does not follow redirects (AllowAutoRedirect = false, e.g. PeddlerHttp.CreateTokenHttpClient())")]
    public static partial void TokenRequestRedirected(ILogger logger, string tokenEndpoint, string redirectTarget);

    [LoggerMessage(EventId = 9, EventName = "RefreshWindowRenewalFailed", Level = LogLevel.Warning,
        Message = "Renewal of token {TokenFingerprint} failed ({ErrorType}); still serving it until {ServedUntil:O}; next renewal attempt not before {Delay} from now")]
    public static partial void RefreshWindowRenewalFailed(ILogger logger, string tokenFingerprint, string errorType, DateTimeOffset servedUntil, TimeSpan delay);

    [LoggerMessage(EventId = 10, EventName = "BackgroundRefreshStarted", Level = LogLevel.Information,
        Message = "Background token refresh started; it renews {Coverage}")]
    public static partial void BackgroundRefreshStarted(ILogger logger, string coverage);

    [LoggerMessage(EventId = 11, EventName = "BackgroundRefreshScheduled", Level = LogLevel.Debug,
        Message = "Background refresh of token {TokenFingerprint} scheduled at {DueAt:O} (in {Delay}); callers would renew it at {RefreshAt:O}")]
    public static partial void BackgroundRefreshScheduled(ILogger logger, string tokenFingerprint, DateTimeOffset dueAt, TimeSpan delay, DateTimeOffset refreshAt);

    [LoggerMessage(EventId = 12, EventName = "BackgroundRefreshSucceeded", Level = LogLevel.Debug,
        Message = "Background refresh replaced token {PreviousTokenFingerprint} with {TokenFingerprint}, which expires {ExpiresAt:O}")]
    public static partial void BackgroundRefreshSucceeded(ILogger logger, string previousTokenFingerprint, string tokenFingerprint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 13, EventName = "BackgroundRefreshFailed", Level = LogLevel.Warning,
        Message = "Background refresh failed ({ErrorType}); still serving token {TokenFingerprint} until {ServedUntil:O}; next attempt in {Delay}")]
    public static partial void BackgroundRefreshFailed(ILogger logger, string errorType, string tokenFingerprint, DateTimeOffset servedUntil, TimeSpan delay);

    [LoggerMessage(EventId = 16, EventName = "BackgroundRefreshFailedWithoutToken", Level = LogLevel.Warning,
        Message = "Background refresh failed ({ErrorType}); there is no token yet, so callers wait for one (or get this failure); next attempt in {Delay}")]
    public static partial void BackgroundRefreshFailedWithoutToken(ILogger logger, string errorType, TimeSpan delay);

    [LoggerMessage(EventId = 17, EventName = "BackgroundRefreshHeldBack", Level = LogLevel.Debug,
        Message = "Background refresh waits {Delay} for the refusal back-off window to end")]
    public static partial void BackgroundRefreshHeldBack(ILogger logger, TimeSpan delay);

    [LoggerMessage(EventId = 14, EventName = "BackgroundRefreshStopped", Level = LogLevel.Debug,
        Message = "Background token refresh stopped")]
    public static partial void BackgroundRefreshStopped(ILogger logger);

    [LoggerMessage(EventId = 15, EventName = "BackgroundRefreshDisabled", Level = LogLevel.Debug,
        Message = "Background token refresh is off (BackgroundRefresh = false)")]
    public static partial void BackgroundRefreshDisabled(ILogger logger);

    [LoggerMessage(EventId = 20, EventName = "ApiUnauthorizedRetrying", Level = LogLevel.Information,
        Message = "{Method} {RequestUri} answered 401 to token {TokenFingerprint}; retrying once with token {NewTokenFingerprint}")]
    public static partial void ApiUnauthorizedRetrying(ILogger logger, string method, string requestUri, string tokenFingerprint, string newTokenFingerprint);

    [LoggerMessage(EventId = 21, EventName = "ApiUnauthorizedNotReplayable", Level = LogLevel.Warning,
        Message = "{Method} {RequestUri} answered 401 to token {TokenFingerprint}; the token was invalidated, but the request is not retried: its content ({ContentType}) cannot be sent twice")]
    public static partial void ApiUnauthorizedNotReplayable(ILogger logger, string method, string requestUri, string tokenFingerprint, string contentType);

    [LoggerMessage(EventId = 22, EventName = "ApiUnauthorizedAfterRetry", Level = LogLevel.Warning,
        Message = "{Method} {RequestUri} answered 401 again, to the new token {TokenFingerprint}; not retrying further")]
    public static partial void ApiUnauthorizedAfterRetry(ILogger logger, string method, string requestUri, string tokenFingerprint);

    [LoggerMessage(EventId = 30, EventName = "OptionsChangeRejected", Level = LogLevel.Error,
        Message = "New options rejected, the client keeps its last valid options: {Problem}")]
    public static partial void OptionsChangeRejected(ILogger logger, string problem);

    [LoggerMessage(EventId = 31, EventName = "OptionsChanged", Level = LogLevel.Information,
        Message = "New options in use from the next token request (token endpoint {TokenEndpoint}, scope '{Scope}')")]
    public static partial void OptionsChanged(ILogger logger, string tokenEndpoint, string scope);
}
