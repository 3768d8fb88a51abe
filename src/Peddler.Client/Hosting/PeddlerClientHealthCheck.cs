using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Peddler.Core;

namespace Peddler.Hosting;

/// <summary>
/// The health of one client (<c>AddHealthChecks().AddPeddlerClient&lt;TClient&gt;()</c>), read from
/// what the client already knows: its cached token, its renewals, a remembered refusal, the fleet
/// cache and its run-time carriers. Sends a token request only when the client has nothing to
/// report yet (no token, no failure, nothing in flight), and never waits longer than its bound.
/// Shows fingerprints, error codes and descriptions, never a token or a secret.
/// </summary>
internal sealed class PeddlerClientHealthCheck(PeddlerTokenProvider provider, TimeSpan probeTimeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthStatus failure = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["client"] = provider.Descriptor.ClientName,
            ["token_endpoint"] = provider.Diagnostics.TokenEndpoint,
        };

        (HealthStatus status, string description) = provider.Settings.NeedsCarrier
            ? (HealthStatus.Healthy, "no token of the client's own (its carriers come at run time)")
            : await OwnTokenAsync(failure, data, cancellationToken).ConfigureAwait(false);

        if (provider.Carriers is { } carriers)
        {
            (HealthStatus carrierStatus, string said) = Carriers(carriers, failure, data);
            status = Worst(status, carrierStatus);
            description = provider.Settings.NeedsCarrier ? said : description + "; " + said;
        }

        if (provider.Core.SharedCache is { } fleet)
        {
            data["fleet_cache"] = fleet.IsAvailable ? "available" : "unavailable";
            if (!fleet.IsAvailable)
            {
                status = Worst(status, HealthStatus.Degraded);
                description += "; the fleet cache is unavailable: this instance requests its own tokens";
            }
        }

        return new HealthCheckResult(status, description, data: data);
    }

    private async Task<(HealthStatus, string)> OwnTokenAsync(HealthStatus failure, Dictionary<string, object> data, CancellationToken cancellationToken)
    {
        HealthSnapshot health = provider.Cache.Health();
        if (health is { UsableFor: null, LastFailure: null, Refusal: null, Acquiring: false })
        {
            // Nothing to report yet (no background refresh, no caller so far): ask once, bounded.
            health = await FirstTokenAsync(cancellationToken).ConfigureAwait(false);
        }

        if (health.Refusal is { } refused)
        {
            data["error"] = refused.Error;
            data["status_code"] = (int)refused.StatusCode;
            if (refused.ErrorDescription is { } text)
            {
                data["error_description"] = text;
            }

            data["refused_for_seconds"] = Seconds(health.RefusedFor);
            if (health.UsableFor is { } still)
            {
                // A token from before the refusal (e.g. the secret was revoked since) is still served.
                data["expires_in_seconds"] = Seconds(still);
            }

            return (failure, $"the token endpoint refused the client ({(int)refused.StatusCode} {refused.Error}{(refused.ErrorDescription is null ? "" : ": " + refused.ErrorDescription)}); no token request for {Seconds(health.RefusedFor)} s");
        }

        if (health.ExpiresAt is { } expiresAt)
        {
            data["expires_at"] = expiresAt.ToString("O", CultureInfo.InvariantCulture);
        }

        if (health.UsableFor is { } usable)
        {
            data["expires_in_seconds"] = Seconds(usable);
            if (health.RenewalFailures == 0)
            {
                return (HealthStatus.Healthy, $"a token is cached for {Seconds(usable)} s more");
            }

            data["renewal_failures"] = health.RenewalFailures;
            data["last_error"] = ErrorCode(health.LastFailure);
            return (HealthStatus.Degraded, $"serving a token valid for {Seconds(usable)} s more, but {health.RenewalFailures} renewal(s) in a row failed ({ErrorCode(health.LastFailure)})");
        }

        if (health.LastFailure is { } last)
        {
            data["last_error"] = ErrorCode(last);
            return (failure, $"no usable token: the last token request failed ({ErrorCode(last)})");
        }

        return (HealthStatus.Degraded, "no token yet: the first token request is in flight");
    }

    /// <summary>Starts the first acquisition and waits for it at most the probe timeout; the request goes on if the wait ends.</summary>
    private async Task<HealthSnapshot> FirstTokenAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(probeTimeout);
        try
        {
            await provider.GetTokenAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PeddlerException or OperationCanceledException)
        {
            // Recorded by the provider (a failure), or still in flight (the bound ended the wait).
            cancellationToken.ThrowIfCancellationRequested();
        }

        return provider.Cache.Health();
    }

    private (HealthStatus, string) Carriers(CarrierSet carriers, HealthStatus failure, Dictionary<string, object> data)
    {
        int kept = 0, usable = 0, failing = 0, refused = 0;
        foreach (CarrierClient carrier in carriers.All())
        {
            kept++;
            HealthSnapshot health = carrier.Health();
            if (health.Refusal is not null)
            {
                refused++;
            }
            else if (health.LastFailure is not null)
            {
                failing++;
            }

            if (health.UsableFor is not null)
            {
                usable++;
            }
        }

        data["carriers"] = kept;
        data["carriers_with_token"] = usable;
        data["carriers_failing"] = failing;
        data["carriers_refused"] = refused;

        // A refusal of the client itself (every carrier waits it out) is the client's failure.
        if (provider.Settings.NeedsCarrier && provider.Cache.Health() is { Refusal: { } denied } client)
        {
            data["error"] = denied.Error;
            data["status_code"] = (int)denied.StatusCode;
            if (denied.ErrorDescription is { } text)
            {
                data["error_description"] = text;
            }

            return (failure, $"the token endpoint refused the client ({(int)denied.StatusCode} {denied.Error}); none of its {kept} carrier(s) sends a request for {Seconds(client.RefusedFor)} s");
        }

        string counts = $"{kept} carrier(s): {usable} with a token, {failing} failing, {refused} refused";
        return (failing > 0 || refused > 0 ? HealthStatus.Degraded : HealthStatus.Healthy, counts);
    }

    private static HealthStatus Worst(HealthStatus a, HealthStatus b) => a < b ? a : b;

    private static long Seconds(TimeSpan span) => (long)Math.Floor(span.TotalSeconds);

    /// <summary>The failure's <c>error.type</c> (as in telemetry): the endpoint's OAuth error code (bounded), else the outcome; never a message that could quote a response.</summary>
    private static string ErrorCode(Exception? failure) => failure is null ? "none" : Diagnostics.PeddlerClientDiagnostics.ErrorType(failure);
}
