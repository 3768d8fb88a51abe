using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Peddler;
using Peddler.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks for <c>[PeddlerClient]</c> classes registered with <c>AddPeddlerClient</c>.</summary>
public static class PeddlerHealthChecksBuilderExtensions
{
    /// <summary>The longest a probe waits for a first token when the client has nothing to report yet: 5 seconds.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds a health check of <typeparamref name="TClient"/>, registered with
    /// <c>services.AddPeddlerClient&lt;TClient&gt;(…)</c>: <b>Healthy</b> while a token is cached and
    /// renewals succeed; <b>Degraded</b> while a still-valid token is served but its renewals fail
    /// (the data say how long until it expires, the last error code and how many renewals failed),
    /// while the fleet cache is unavailable and the instance requests its own tokens, or while some
    /// run-time carriers fail; <paramref name="failureStatus"/> (default Unhealthy) when there is no
    /// usable token and the last request failed, or a refusal is remembered (the endpoint's error
    /// code and description). Carriers are reported as counts. A probe reads what the client knows;
    /// it sends a token request only when the client has nothing to report yet, waiting at most
    /// <paramref name="probeTimeout"/>. It never shows a token or a secret.
    /// </summary>
    /// <typeparam name="TClient">The <c>[PeddlerClient]</c> class.</typeparam>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name; default <c>peddler-{ClientName}</c>.</param>
    /// <param name="failureStatus">The status reported for a failure; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <param name="probeTimeout">The longest a probe waits for a first token; default <see cref="DefaultProbeTimeout"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probeTimeout"/> is not positive.</exception>
    public static IHealthChecksBuilder AddPeddlerClient<TClient>(
        this IHealthChecksBuilder builder,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? probeTimeout = null)
        where TClient : class, IPeddlerClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(builder);
        TimeSpan timeout = probeTimeout ?? DefaultProbeTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(probeTimeout));
        string clientName = TClient.Descriptor.ClientName;
        return builder.Add(new HealthCheckRegistration(
            name ?? "peddler-" + clientName,
            sp => new PeddlerClientHealthCheck(
                sp.GetService<PeddlerClientServices<TClient>>()?.Provider
                    ?? throw new InvalidOperationException($"The health check of {clientName} needs services.AddPeddlerClient<{clientName}>(…) first."),
                timeout),
            failureStatus,
            tags));
    }
}
