using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Peddler.Diagnostics;

/// <summary>
/// One client's logger, instruments and constant tags, and the few places that turn a token
/// acquisition into log lines, measurements and an activity. Only the fingerprint of a token and
/// never the secret reach any of them.
/// </summary>
internal sealed class PeddlerClientDiagnostics
{
    /// <summary>Trigger of an acquisition started by a caller that found no fresh token.</summary>
    public const string CacheMissTrigger = "cache_miss";

    /// <summary>Trigger of an acquisition started by the background refresh.</summary>
    public const string BackgroundRefreshTrigger = "background_refresh";

    /// <summary>Trigger of a renewal started by a caller inside the refresh window (the caller did not wait for it).</summary>
    public const string RefreshWindowTrigger = "refresh_window";

    private readonly string _serverAddress;
    private readonly int _serverPort;

    public PeddlerClientDiagnostics(string clientName, Uri tokenEndpoint, ILogger? logger, PeddlerInstruments? instruments)
    {
        ClientName = clientName;
        Logger = logger ?? NullLogger.Instance;
        Instruments = instruments ?? PeddlerInstruments.Shared;
        ClientTag = new KeyValuePair<string, object?>(PeddlerTelemetry.ClientNameTag, clientName);
        TokenEndpoint = PeddlerRequestSettings.DisplayOf(tokenEndpoint);
        _serverAddress = tokenEndpoint.Host;
        _serverPort = tokenEndpoint.Port;
    }

    public string ClientName { get; }

    public ILogger Logger { get; }

    public PeddlerInstruments Instruments { get; }

    /// <summary><c>peddler.client.name</c> = the client class name; the only tag of the cache counters.</summary>
    public KeyValuePair<string, object?> ClientTag { get; }

    /// <summary>The token endpoint as every message shows it (<see cref="PeddlerRequestSettings.DisplayOf"/>: no user info, query or fragment).</summary>
    public string TokenEndpoint { get; }

    /// <summary>Starts the activity of one acquisition, if anyone listens.</summary>
    public Activity? StartAcquire(string trigger)
    {
        PeddlerLog.TokenRequestStarting(Logger, TokenEndpoint, trigger);
        if (!PeddlerInstruments.ActivitySource.HasListeners())
        {
            return null;
        }

        Activity? activity = PeddlerInstruments.ActivitySource.StartActivity(PeddlerTelemetry.AcquireTokenActivityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(PeddlerTelemetry.ClientNameTag, ClientName);
            activity.SetTag("server.address", _serverAddress);
            activity.SetTag("server.port", _serverPort);
            activity.SetTag(PeddlerTelemetry.TriggerTag, trigger);
        }

        return activity;
    }

    /// <summary>A transient failure of one attempt, about to be retried after <paramref name="delay"/>.</summary>
    public void Retrying(Activity? activity, int attempt, string errorType, string reason, TimeSpan delay)
    {
        PeddlerLog.TokenRequestRetrying(Logger, attempt, TokenEndpoint, errorType, reason, delay);
        if (Instruments.TokenRetries.Enabled)
        {
            Instruments.TokenRetries.Add(1, ClientTag, new KeyValuePair<string, object?>(PeddlerTelemetry.ErrorTypeTag, errorType));
        }

        activity?.AddEvent(new ActivityEvent("peddler.client.token.retry", tags: new ActivityTagsCollection
        {
            { "peddler.token.attempt", attempt },
            { PeddlerTelemetry.ErrorTypeTag, errorType },
            { "peddler.retry.delay", delay.TotalSeconds },
        }));
    }

    /// <summary>Reports a token acquired; the clock is read (elapsed time, lifetime) only if a log line or a measurement needs it.</summary>
    public void Succeeded(Activity? activity, PeddlerAccessToken token, string trigger, int attempts, long startedAt, TimeProvider timeProvider)
    {
        if (activity is null && !Instruments.TokenRequests.Enabled && !Instruments.TokenRequestDuration.Enabled && !Logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        TimeSpan elapsed = timeProvider.GetElapsedTime(startedAt);
        if (Logger.IsEnabled(LogLevel.Information))
        {
            // Guarded: the fingerprint is a SHA-256 of the token, not worth computing for nobody.
            TimeSpan lifetime = token.ExpiresAt - timeProvider.GetUtcNow();
            PeddlerLog.TokenAcquired(Logger, token.Fingerprint, token.Scope, TokenEndpoint, trigger, token.ExpiresAt, lifetime, attempts, (long)elapsed.TotalMilliseconds);
        }

        Record(Outcome.Success, null, elapsed);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(PeddlerTelemetry.OutcomeTag, Outcome.Success);
            activity.SetTag("peddler.token.attempts", attempts);
            activity.SetTag("peddler.token.fingerprint", token.Fingerprint);
            activity.SetTag("peddler.token.scope", token.Scope);
            activity.SetTag("peddler.token.expires_at", token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture));
            activity.SetStatus(ActivityStatusCode.Ok);
        }
    }

    public void Failed(Activity? activity, Exception failure, int attempts, TimeSpan elapsed)
    {
        (string outcome, string? oauthError) = Classify(failure);
        if (failure is PeddlerAuthenticationException refused)
        {
            PeddlerLog.TokenRequestRefused(Logger, TokenEndpoint, (int)refused.StatusCode, refused.Error, refused.ErrorDescription);
        }
        else
        {
            PeddlerLog.TokenRequestFailed(Logger, TokenEndpoint, attempts, outcome, failure);
        }

        Record(outcome, oauthError, elapsed);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(PeddlerTelemetry.OutcomeTag, outcome);
            activity.SetTag(PeddlerTelemetry.ErrorTypeTag, oauthError ?? outcome);
            activity.SetTag("peddler.token.attempts", attempts);
            if (oauthError is not null)
            {
                activity.SetTag(PeddlerTelemetry.OAuthErrorTag, oauthError);
            }

            // Peddler's exception messages never carry the secret or a token (see PeddlerException).
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        }
    }

    /// <summary>A caller's HttpClient followed a redirect with the token request.</summary>
    public void RedirectFollowed(string target) => PeddlerLog.TokenRequestRedirected(Logger, TokenEndpoint, target);

    public void CacheMiss()
    {
        if (Instruments.CacheMisses.Enabled)
        {
            Instruments.CacheMisses.Add(1, ClientTag);
        }
    }

    public void Invalidated(PeddlerAccessToken token)
    {
        if (Logger.IsEnabled(LogLevel.Information))
        {
            PeddlerLog.TokenInvalidated(Logger, token.Fingerprint);
        }

        if (Instruments.Invalidations.Enabled)
        {
            Instruments.Invalidations.Add(1, ClientTag);
        }
    }

    /// <summary>Counts one background refresh; <paramref name="failure"/> is null on success.</summary>
    public void Refreshed(Exception? failure)
    {
        if (Instruments.Refreshes.Enabled)
        {
            string outcome = failure is null ? Outcome.Success : Classify(failure).Outcome;
            Instruments.Refreshes.Add(1, ClientTag, new KeyValuePair<string, object?>(PeddlerTelemetry.OutcomeTag, outcome));
        }
    }

    /// <summary>The outcome of a failed acquisition and, for refusals, the OAuth error code (bounded).</summary>
    public static (string Outcome, string? OAuthError) Classify(Exception failure) => failure switch
    {
        PeddlerAuthenticationException refused => (Outcome.OAuthError, BoundedOAuthError(refused.Error)),
        PeddlerProtocolException => (Outcome.ProtocolError, null),
        TimeoutException => (Outcome.Timeout, null),
        PeddlerException { Error: not null } unavailable => (Outcome.Unavailable, BoundedOAuthError(unavailable.Error)),
        PeddlerException { StatusCode: not null } => (Outcome.Unavailable, null),
        PeddlerException => (Outcome.Unreachable, null),
        _ => (Outcome.Error, null),
    };

    /// <summary>The <c>error.type</c> of a failure: the OAuth error code, or the outcome.</summary>
    public static string ErrorType(Exception failure)
    {
        (string outcome, string? oauthError) = Classify(failure);
        return oauthError ?? outcome;
    }

    private void Record(string outcome, string? oauthError, TimeSpan elapsed)
    {
        bool count = Instruments.TokenRequests.Enabled;
        bool time = Instruments.TokenRequestDuration.Enabled;
        if (!count && !time)
        {
            return;
        }

        var tags = new TagList { ClientTag, { PeddlerTelemetry.OutcomeTag, outcome } };
        if (outcome != Outcome.Success)
        {
            tags.Add(PeddlerTelemetry.ErrorTypeTag, oauthError ?? outcome);
        }

        if (oauthError is not null)
        {
            tags.Add(PeddlerTelemetry.OAuthErrorTag, oauthError);
        }

        if (count)
        {
            Instruments.TokenRequests.Add(1, tags);
        }

        if (time)
        {
            Instruments.TokenRequestDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    private static string BoundedOAuthError(string error) => error switch
    {
        "invalid_request" or "invalid_client" or "invalid_grant" or "unauthorized_client" or "unsupported_grant_type"
            or "invalid_scope" or "access_denied" or "server_error" or "temporarily_unavailable" => error,
        _ => "other",
    };

    /// <summary>Values of <see cref="PeddlerTelemetry.OutcomeTag"/>.</summary>
    public static class Outcome
    {
        public const string Success = "success";
        public const string OAuthError = "oauth_error";
        public const string ProtocolError = "protocol_error";
        public const string Unreachable = "unreachable";
        public const string Unavailable = "unavailable";
        public const string Timeout = "timeout";
        public const string Error = "error";
    }
}
