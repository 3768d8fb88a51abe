using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading.Tasks;
using Peddler.Core;
using Peddler.Diagnostics;
using Peddler.Protocol;

namespace Peddler.Endpoint;

/// <summary>
/// The token endpoint as one settings generation sees it: the form encoded once, and
/// <see cref="AcquireAsync"/>, which sends it with retries inside the overall timeout (each
/// <see cref="TokenAttempt"/> bounded by its own) and reports the acquisition to <see cref="Diagnostics"/>.
/// </summary>
internal sealed class TokenEndpointClient
{
    private readonly PeddlerClientDescriptor _descriptor;
    private readonly TimeProvider _timeProvider;
    private readonly TokenAttempt _attempt;

    public TokenEndpointClient(PeddlerRequestSettings settings, PeddlerClientDescriptor descriptor, PeddlerClientDiagnostics diagnostics, TimeProvider timeProvider)
    {
        Settings = settings;
        Diagnostics = diagnostics;
        _descriptor = descriptor;
        _timeProvider = timeProvider;
        _attempt = new TokenAttempt(settings, TokenForm.Encode(settings), new TokenResponseReader(settings, descriptor), diagnostics, timeProvider);
    }

    public PeddlerRequestSettings Settings { get; }

    public PeddlerClientDiagnostics Diagnostics { get; }

    /// <summary>
    /// Acquires one token, retrying transient failures, with an activity, log lines and measurements.
    /// <paramref name="startedAt"/> is the caller's <see cref="TimeProvider.GetTimestamp"/> at the start
    /// (read once per acquisition: on a VM each clock read costs tens of nanoseconds).
    /// </summary>
    public async Task<PeddlerAccessToken> AcquireAsync(HttpClient httpClient, string trigger, long startedAt)
    {
        using Activity? activity = Diagnostics.StartAcquire(trigger);

        // One deadline for all attempts; each attempt gets one timer, for its own timeout or the
        // rest of the overall one, whichever ends first (no second timer for the overall timeout).
        long deadline = startedAt + (long)(Settings.Timeout.TotalSeconds * _timeProvider.TimestampFrequency);
        Exception? lastFailure = null;
        int attempt = 0;
        try
        {
            while (true)
            {
                attempt++;
                TimeSpan remaining = attempt == 1 ? Settings.Timeout : Remaining(deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    throw OutOfTime(attempt, lastFailure);
                }

                AttemptOutcome outcome = await _attempt.SendAsync(httpClient, remaining).ConfigureAwait(false);
                if (outcome.Token is { } token)
                {
                    Diagnostics.Succeeded(activity, token, trigger, attempt, startedAt, _timeProvider);
                    return token;
                }

                if (outcome.End == AttemptEnd.OutOfTime)
                {
                    throw OutOfTime(attempt, lastFailure);
                }

                lastFailure = outcome.Failure!;
                if (outcome.End == AttemptEnd.TimedOut && Remaining(deadline) <= TimeSpan.Zero)
                {
                    // The overall timeout has ended as well (both timers were due): that is the news.
                    throw OutOfTime(attempt, lastFailure);
                }

                if (!outcome.Transient || attempt > Settings.MaxRetries)
                {
                    throw Final(outcome, attempt);
                }

                TimeSpan delay = outcome.RetryAfter ?? Backoff.Retry(Settings, attempt);
                if (delay >= Remaining(deadline))
                {
                    // Waiting would outlast the overall timeout: report the failure now.
                    throw Final(outcome, attempt);
                }

                Diagnostics.Retrying(activity, attempt, outcome.ErrorType!, Settings.Redact(Reason(outcome))!, delay);
                await Task.Delay(delay, _timeProvider).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Diagnostics.Failed(activity, ex, attempt, _timeProvider.GetElapsedTime(startedAt));
            throw;
        }
    }

    private TimeSpan Remaining(long deadline) =>
        TimeSpan.FromSeconds((deadline - _timeProvider.GetTimestamp()) / (double)_timeProvider.TimestampFrequency);

    private string Reason(AttemptOutcome outcome) =>
        outcome.End == AttemptEnd.TimedOut ? $"no answer within the attempt timeout of {Settings.AttemptTimeout}" : outcome.Failure!.Message;

    /// <summary>The overall timeout ended: a <see cref="TimeoutException"/> with the last failure, if any, inside.</summary>
    private TimeoutException OutOfTime(int attempts, Exception? lastFailure) => new(
        $"{_descriptor.ClientName}: no token from {Settings.EndpointDisplay} within {Settings.Timeout} ({attempts} attempt(s)).",
        lastFailure);

    /// <summary>
    /// The exception a caller gets for the last failure: transport failures and attempt timeouts
    /// become a <see cref="PeddlerException"/> (the endpoint was unavailable); answers are already
    /// typed (transient statuses as <see cref="PeddlerException"/> with the status and OAuth error).
    /// </summary>
    private PeddlerException Final(AttemptOutcome outcome, int attempts) => outcome switch
    {
        { End: AttemptEnd.TimedOut } => new PeddlerException(
            $"Peddler's token endpoint {Settings.EndpointDisplay} did not answer within the attempt timeout of {Settings.AttemptTimeout} ({attempts} attempt(s)).",
            null,
            null,
            outcome.Failure),
        { Failure: PeddlerException answer } => answer,
        _ => new PeddlerException(
            $"Peddler's token endpoint {Settings.EndpointDisplay} could not be reached ({attempts} attempt(s)): {Settings.Redact(outcome.Failure!.Message)}",
            null,
            null,
            outcome.Failure),
    };
}
