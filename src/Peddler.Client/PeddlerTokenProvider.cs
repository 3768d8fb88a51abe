using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using Peddler.Core;
using Peddler.Diagnostics;
using Peddler.Internal;

namespace Peddler;

/// <summary>
/// The token machinery behind every generated client: builds Peddler's token request, retries
/// transient failures, validates the response, caches the token, renews it in the background
/// from its refresh point while still serving it, remembers refusals for a back-off window and
/// makes concurrent callers share one request. Generated classes hold one instance each.
/// </summary>
/// <remarks>
/// A thin façade over the parts in <c>src/Peddler.Client/Core</c> (map: <c>docs/architecture.md</c>):
/// the <see cref="ClientCore"/> its caches share, the client's own <see cref="TokenCache"/> and,
/// for <c>{CarrierId}</c> clients, a <see cref="CarrierSet"/> of carrier clients.
/// </remarks>
public sealed class PeddlerTokenProvider : IPeddlerTokenClient
{
    private readonly ClientCore _core;
    private readonly TokenCache _cache;
    private readonly CarrierSet? _carriers;

    /// <summary>Creates a provider. Generated constructors call this.</summary>
    /// <param name="httpClient">The client used to call the token endpoint; not disposed by the provider.</param>
    /// <param name="options">Run-time settings, validated and copied now.</param>
    /// <param name="descriptor">The generated client's compile-time description.</param>
    /// <param name="timeProvider">The clock for expiry, refresh and retry delays; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are incomplete or invalid; the message names the setting, never the secret.</exception>
    public PeddlerTokenProvider(HttpClient httpClient, PeddlerClientOptions options, PeddlerClientDescriptor descriptor, TimeProvider? timeProvider = null)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), null, options, descriptor, timeProvider, null, null)
    {
    }

    /// <summary>
    /// Creates a provider that calls the token endpoint through <paramref name="httpClient"/>, or
    /// through a client from <paramref name="createHttpClient"/> per acquisition (IHttpClientFactory),
    /// and reports to <paramref name="diagnostics"/>.
    /// </summary>
    internal PeddlerTokenProvider(
        HttpClient? httpClient,
        Func<HttpClient>? createHttpClient,
        PeddlerClientOptions options,
        PeddlerClientDescriptor descriptor,
        TimeProvider? timeProvider,
        Func<PeddlerRequestSettings, PeddlerClientDiagnostics>? diagnostics,
        PeddlerSharedTokenCache? sharedCache)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(descriptor);
        _core = new ClientCore(httpClient, createHttpClient, options, descriptor, timeProvider, diagnostics, sharedCache);
        _cache = new TokenCache(_core);
        if (PeddlerScopes.Split(descriptor.Scopes).Contains(PeddlerScopes.CarrierIdPlaceholder))
        {
            _carriers = new CarrierSet(_core);
        }

        FleetInvalidations.Subscribe(this, sharedCache, descriptor.ClientName);
    }

    /// <summary>The token endpoint this provider calls: the options' override or the environment's.</summary>
    public Uri TokenEndpoint => Settings.TokenEndpoint;

    /// <summary>The scope this provider requests, with the run-time carrier id filled in.</summary>
    public string RequestedScope => Settings.Scope;

    /// <summary>The compile-time description of the client this provider serves.</summary>
    public PeddlerClientDescriptor Descriptor => _core.Descriptor;

    internal PeddlerRequestSettings Settings => _core.Generation.Settings;

    internal PeddlerClientDiagnostics Diagnostics => _core.Generation.Diagnostics;

    /// <summary>What the client's caches share: clock, fleet cache, settings in force.</summary>
    internal ClientCore Core => _core;

    /// <summary>The client's own token.</summary>
    internal TokenCache Cache => _cache;

    /// <summary>The run-time carriers, for a client whose <c>Scopes</c> take one (<see cref="ForCarrier"/>); else <see langword="null"/>.</summary>
    internal CarrierSet? Carriers => _carriers;

    /// <summary>
    /// A token for <paramref name="carrierId"/>: the same as
    /// <c>ForCarrier(carrierId).GetTokenAsync(cancellationToken)</c>, with a faster cache hit (one
    /// read of the carrier's slot in a compact table, without touching the carrier's client).
    /// </summary>
    /// <param name="carrierId">The carrier id: a scope token (printable ASCII without spaces, quotes or backslashes).</param>
    /// <param name="cancellationToken">Cancels this caller's wait (not a request other callers share).</param>
    /// <returns>The carrier's cached token, or a new one.</returns>
    /// <exception cref="ArgumentException"><paramref name="carrierId"/> is not a valid scope token.</exception>
    /// <exception cref="InvalidOperationException">The client's <c>Scopes</c> fix the carrier (no <c>{CarrierId}</c>).</exception>
    public ValueTask<PeddlerAccessToken> GetCarrierTokenAsync(string carrierId, CancellationToken cancellationToken = default)
    {
        if (_carriers?.TryGetFreshToken(carrierId) is { } token)
        {
            if (_core.CacheHits.Enabled)
            {
                _core.CacheHits.Add(1, _core.ClientTag);
            }

            return new ValueTask<PeddlerAccessToken>(token);
        }

        return ForCarrier(carrierId).GetTokenAsync(cancellationToken);
    }

    /// <summary>
    /// The token client of <paramref name="carrierId"/>, for a client whose <c>Scopes</c> contain
    /// <c>{CarrierId}</c>: it requests the scope with that carrier filled in, and has its own cached
    /// token, single-flight and refresh window; it shares this provider's HTTP client, options
    /// (and their rotation, <see cref="UpdateOptions"/>), logs and metrics (metrics carry no carrier tag).
    /// </summary>
    /// <param name="carrierId">The carrier id: a scope token (printable ASCII without spaces, quotes or backslashes).</param>
    /// <returns>The carrier's client; the same instance for the same id while it is kept.</returns>
    /// <remarks>
    /// A lookup of a known carrier is a lock-free read of its slot in a compact table. At most
    /// <see cref="PeddlerClientOptions.MaxCarriers"/> carriers (default 10,000) are kept; a carrier
    /// unused for <see cref="PeddlerClientOptions.CarrierIdleTimeout"/> (default 1 hour) is
    /// evicted, checked lazily on lookups. Eviction only forgets the carrier here: a client already
    /// handed out keeps working (its cached token included) for whoever holds it.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="carrierId"/> is not a valid scope token.</exception>
    /// <exception cref="InvalidOperationException">The client's <c>Scopes</c> fix the carrier (no <c>{CarrierId}</c>).</exception>
    public IPeddlerTokenClient ForCarrier(string carrierId) =>
        (_carriers ?? throw new InvalidOperationException(
            $"{Descriptor.ClientName}: ForCarrier needs Scopes with {PeddlerScopes.CarrierIdPlaceholder}; this client's Scopes '{Descriptor.Scopes}' fix the carrier at compile time."))
        .Get(carrierId);

    /// <summary>
    /// Hands the provider new options (a rotated secret, another client id, endpoint, carrier or
    /// timing), used by the next token request; nothing is restarted. In a host this happens by
    /// itself when the client's configuration changes; outside one, call it yourself.
    /// </summary>
    /// <param name="options">The new options, validated and copied now.</param>
    /// <remarks>
    /// <para>
    /// The options are validated first: invalid ones throw and change nothing (the provider keeps
    /// its last valid options). Valid ones replace the settings as a whole, atomically: an
    /// acquisition uses either the old or the new settings, never a mix.
    /// </para>
    /// <para>
    /// The cached token stays in service until it expires or is refused (a rotated secret does not
    /// revoke tokens already issued), unless the scope (carrier) or token endpoint changed, which
    /// drops it. A remembered refusal is forgotten (see <see cref="ResetRefusal"/>), and a refusal
    /// of a request sent with older settings is retried once, at once, with the new ones.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are incomplete or invalid; the message names the setting, never the secret.</exception>
    public void UpdateOptions(PeddlerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PeddlerRequestSettings settings = _core.Validate(options);
        PeddlerRequestSettings previous = _core.Replace(settings).Settings;
        _cache.Failures.Reset();
        bool endpointChanged = settings.TokenEndpoint != previous.TokenEndpoint;
        if (endpointChanged || !string.Equals(settings.Scope, previous.Scope, StringComparison.Ordinal))
        {
            // A token for another carrier or from another server is not one these settings would get.
            _cache.Drop(null);
        }

        if (endpointChanged && _carriers is not null)
        {
            foreach (CarrierClient carrier in _carriers.All())
            {
                carrier.Drop(null);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Until the refresh point (<c>ExpiresAt - RefreshMargin</c>) the cached token is returned at
    /// once. From the refresh point until the token expires (less the clock-skew allowance) the
    /// cached token is still returned at once, and the first such caller starts one renewal in
    /// the background. Only without a usable token does a caller wait: for the request in flight,
    /// or for a new one — unless the endpoint refused the credentials within the back-off window,
    /// in which case the caller gets the same refusal at once (see <see cref="ResetRefusal"/>).
    /// </remarks>
    public ValueTask<PeddlerAccessToken> GetTokenAsync(CancellationToken cancellationToken = default) => _cache.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void InvalidateToken(PeddlerAccessToken? rejectedToken = null) => _cache.Reject(rejectedToken);

    /// <summary>
    /// Forgets a remembered refusal, so that the next call asks the token endpoint again at once,
    /// e.g. after the credentials were fixed on Peddler's side. Without it, a refusal
    /// (<see cref="PeddlerAuthenticationException"/>) is remembered for a back-off window of
    /// 5 seconds, doubling with each refusal in a row up to 5 minutes, during which callers get a
    /// new exception with the same fields without a request. A token, new options
    /// (<see cref="UpdateOptions"/>, or in a host a change of the client's configuration) also end the window.
    /// </summary>
    /// <remarks>In a host, resolve the provider as <c>[FromKeyedServices("ClientName")] PeddlerTokenProvider</c>.</remarks>
    public void ResetRefusal()
    {
        _cache.Failures.ResetRefusal();
        _core.ClientRefusals.ResetRefusal();
    }

    /// <summary>Drops every cached token (the client's, its carriers') whose fingerprint is <paramref name="fingerprint"/>: another instance saw it refused.</summary>
    internal void DropFingerprint(string fingerprint)
    {
        _cache.DropFingerprint(fingerprint);
        if (_carriers is not null)
        {
            // Run-time carriers share the client's subscription.
            foreach (CarrierClient carrier in _carriers.All())
            {
                carrier.DropFingerprint(fingerprint);
            }
        }
    }
}
