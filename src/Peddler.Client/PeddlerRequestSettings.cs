using System;
using System.Collections.Generic;
using Peddler.Internal;

namespace Peddler;

/// <summary>
/// The validated, immutable copy of <see cref="PeddlerClientOptions"/> a provider works from.
/// Validation messages name the setting and never its value when it is the secret.
/// </summary>
internal sealed class PeddlerRequestSettings
{
    private PeddlerRequestSettings(string clientId, string clientSecret, Uri tokenEndpoint, string scope, PeddlerClientOptions options)
    {
        NeedsCarrier = scope.Contains(PeddlerScopes.CarrierIdPlaceholder, StringComparison.Ordinal);
        MaxCarriers = options.MaxCarriers;
        CarrierIdleTimeout = options.CarrierIdleTimeout;
        ClientId = clientId;
        ClientSecret = clientSecret;
        TokenEndpoint = tokenEndpoint;
        EndpointDisplay = DisplayOf(tokenEndpoint);
        Scope = scope;
        RefreshMargin = options.RefreshMargin;
        DefaultTokenLifetime = options.DefaultTokenLifetime;
        Timeout = options.Timeout;
        MaxRetries = options.MaxRetries;
        RetryBaseDelay = options.RetryBaseDelay;
        MaxRetryDelay = options.MaxRetryDelay;
        MaxRetryAfter = options.MaxRetryAfter;
        AttemptTimeout = options.AttemptTimeout;
        MaxResponseSize = options.MaxResponseSize;
    }

    /// <summary>The longest lifetime a token is given, whatever <c>expires_in</c> says: 24 hours.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// The clock-skew allowance: a cached token is served until this long before it expires
    /// (at most a quarter of its lifetime), so that it is still valid when the API checks it.
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    /// <summary>The largest accepted <see cref="PeddlerClientOptions.MaxResponseSize"/>: 64 MiB.</summary>
    public const int MaxResponseSizeLimit = 64 * 1024 * 1024;

    public string ClientId { get; }

    public string ClientSecret { get; }

    public Uri TokenEndpoint { get; }

    /// <summary>
    /// How <see cref="TokenEndpoint"/> is shown in every log line, exception message and health
    /// report: see <see cref="DisplayOf"/>.
    /// </summary>
    public string EndpointDisplay { get; }

    public string Scope { get; private set; }

    public TimeSpan RefreshMargin { get; }

    public TimeSpan DefaultTokenLifetime { get; }

    public TimeSpan Timeout { get; }

    public int MaxRetries { get; }

    public TimeSpan RetryBaseDelay { get; }

    public TimeSpan MaxRetryDelay { get; }

    public TimeSpan MaxRetryAfter { get; }

    public TimeSpan AttemptTimeout { get; }

    public int MaxResponseSize { get; }

    /// <summary>Whether <see cref="Scope"/> still holds <c>{CarrierId}</c>: no carrier in options; carriers come from <c>ForCarrier</c>.</summary>
    public bool NeedsCarrier { get; private set; }

    // The scopes with {CarrierId} left in, normalised: what WithCarrier fills in (whatever CarrierId the options fix).
    private string _scopeTemplate = string.Empty;

    public int MaxCarriers { get; }

    public TimeSpan CarrierIdleTimeout { get; }

    /// <summary>A copy for <paramref name="carrierId"/> (a valid scope token): the template's <c>{CarrierId}</c> filled in.</summary>
    public PeddlerRequestSettings WithCarrier(string carrierId)
    {
        var copy = (PeddlerRequestSettings)MemberwiseClone();
        copy.Scope = _scopeTemplate.Replace(PeddlerScopes.CarrierIdPlaceholder, carrierId, StringComparison.Ordinal);
        copy.NeedsCarrier = false;
        copy._sharedCacheKey = null;
        return copy;
    }

    private string? _sharedCacheKey;
    private Caching.FleetKeyMaterial? _fleetKeys;

    /// <summary>
    /// The shared-cache key material of this generation's endpoint, client id and secret (one slow
    /// derivation per process, shared with every carrier and with later generations of the same secret).
    /// </summary>
    public Caching.FleetKeyMaterial FleetKeys => _fleetKeys ??= Caching.FleetKeyMaterial.For(TokenEndpoint, ClientId, ClientSecret);

    /// <summary>The key of these settings' token in a shared cache (derived on first use, cheaply from <see cref="FleetKeys"/>; reveals no secret).</summary>
    public string SharedCacheKey => _sharedCacheKey ??= FleetKeys.CacheKey(Scope);

    public static PeddlerRequestSettings From(PeddlerClientOptions options, PeddlerClientDescriptor descriptor)
    {
        string prefix = $"{descriptor.ClientName}: ";
        List<OptionProblem> problems = Validate(options, descriptor, OptionKey, stopAtFirst: true);
        if (problems.Count > 0)
        {
            string message = prefix + problems[0].Message;
            if (!string.IsNullOrEmpty(options.ClientSecret))
            {
                // E.g. a secret pasted into the endpoint's user info.
                message = message.Replace(options.ClientSecret, "***", StringComparison.Ordinal);
            }

            throw new ArgumentException(message, problems[0].ParamName);
        }

        Uri endpoint = options.TokenEndpoint ?? descriptor.TokenEndpoint;
        string scope = ResolveScope(descriptor.Scopes, options.CarrierId, prefix);
        return new PeddlerRequestSettings(options.ClientId!, options.ClientSecret!, endpoint, scope, options)
        {
            _scopeTemplate = ResolveScope(descriptor.Scopes, null, prefix),
        };
    }

    /// <summary>How a setting is named in messages when it did not come from configuration.</summary>
    public static string OptionKey(string name) => "PeddlerClientOptions." + name;

    /// <summary>One thing wrong with the options: a message naming the setting (never the secret's value).</summary>
    public readonly record struct OptionProblem(string Message, string ParamName);

    /// <summary>
    /// Everything wrong with <paramref name="options"/> for <paramref name="descriptor"/>, in a fixed
    /// order, each message naming the setting as <paramref name="key"/> spells it
    /// (<c>PeddlerClientOptions.ClientSecret</c>, or a configuration key such as <c>Peddler:ClientSecret</c>).
    /// </summary>
    public static List<OptionProblem> Validate(PeddlerClientOptions options, PeddlerClientDescriptor descriptor, Func<string, string> key, bool stopAtFirst)
    {
        var problems = new List<OptionProblem>();
        bool Add(string message, string paramName)
        {
            problems.Add(new OptionProblem(message, paramName));
            return stopAtFirst;
        }

        if (string.IsNullOrWhiteSpace(options.ClientId)
            && Add($"{key(nameof(options.ClientId))} is required.", nameof(options)))
        {
            return problems;
        }

        if (string.IsNullOrEmpty(options.ClientSecret)
            && Add($"{key(nameof(options.ClientSecret))} is required.", nameof(options)))
        {
            return problems;
        }

        Uri endpoint = options.TokenEndpoint ?? descriptor.TokenEndpoint;
        string? endpointProblem = DescribeEndpointProblem(endpoint, key(nameof(options.TokenEndpoint)));
        if (endpointProblem is not null && Add(endpointProblem, nameof(options)))
        {
            return problems;
        }

        if ((options.Timeout <= TimeSpan.Zero && Add($"{key(nameof(options.Timeout))} must be positive.", nameof(options.Timeout)))
            || (options.RefreshMargin < TimeSpan.Zero && Add($"{key(nameof(options.RefreshMargin))} must not be negative.", nameof(options.RefreshMargin)))
            || (options.DefaultTokenLifetime <= TimeSpan.Zero && Add($"{key(nameof(options.DefaultTokenLifetime))} must be positive.", nameof(options.DefaultTokenLifetime)))
            || (options.RetryBaseDelay < TimeSpan.Zero && Add($"{key(nameof(options.RetryBaseDelay))} must not be negative.", nameof(options.RetryBaseDelay)))
            || (options.MaxRetryDelay < TimeSpan.Zero && Add($"{key(nameof(options.MaxRetryDelay))} must not be negative.", nameof(options.MaxRetryDelay)))
            || (options.MaxRetryAfter < TimeSpan.Zero && Add($"{key(nameof(options.MaxRetryAfter))} must not be negative.", nameof(options.MaxRetryAfter)))
            || (options.MaxRetries < 0 && Add($"{key(nameof(options.MaxRetries))} must not be negative.", nameof(options)))
            || (options.AttemptTimeout <= TimeSpan.Zero && options.AttemptTimeout != System.Threading.Timeout.InfiniteTimeSpan
                && Add($"{key(nameof(options.AttemptTimeout))} must be positive (or Timeout.InfiniteTimeSpan).", nameof(options.AttemptTimeout)))
            || (options.AttemptTimeout > TimeSpan.FromMilliseconds(uint.MaxValue - 1)
                && Add($"{key(nameof(options.AttemptTimeout))} must be at most 49 days.", nameof(options.AttemptTimeout)))
            || (options.Timeout > TimeSpan.FromMilliseconds(uint.MaxValue - 1)
                && Add($"{key(nameof(options.Timeout))} must be at most 49 days.", nameof(options.Timeout)))
            || ((options.MaxResponseSize < 1024 || options.MaxResponseSize > MaxResponseSizeLimit)
                && Add($"{key(nameof(options.MaxResponseSize))} must be between 1024 bytes and 64 MiB.", nameof(options.MaxResponseSize)))
            || (options.MaxCarriers < 1 && Add($"{key(nameof(options.MaxCarriers))} must be positive.", nameof(options.MaxCarriers)))
            || (options.CarrierIdleTimeout <= TimeSpan.Zero && Add($"{key(nameof(options.CarrierIdleTimeout))} must be positive.", nameof(options.CarrierIdleTimeout))))
        {
            return problems;
        }

        string? scopeProblem = DescribeScopeProblem(descriptor.Scopes, options.CarrierId, key(nameof(options.CarrierId)));
        if (scopeProblem is not null)
        {
            Add(scopeProblem, "carrierId");
        }

        return problems;
    }

    /// <summary>
    /// The one display form of an endpoint: scheme, host, port and path, without the user info,
    /// query and fragment (any of which may carry a secret); a relative URI up to its query or fragment.
    /// </summary>
    public static string DisplayOf(Uri uri) =>
        uri.IsAbsoluteUri
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : uri.OriginalString.Split('?', '#')[0];

    /// <summary>
    /// Returns why <paramref name="endpoint"/> cannot be a token endpoint, or <see langword="null"/>:
    /// it must be absolute, and <c>https</c> unless its host is loopback.
    /// </summary>
    public static string? DescribeEndpointProblem(Uri endpoint, string key = "PeddlerClientOptions.TokenEndpoint")
    {
        if (!endpoint.IsAbsoluteUri)
        {
            return $"{key} must be an absolute URI; '{DisplayOf(endpoint)}' is relative.";
        }

        if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (endpoint.Scheme == Uri.UriSchemeHttp)
        {
            return endpoint.IsLoopback
                ? null
                : $"{key} must use https: '{DisplayOf(endpoint)}' would send the client secret in clear text (http is allowed only on loopback hosts).";
        }

        return $"{key} must be an http(s) URI; its scheme is '{endpoint.Scheme}'.";
    }

    /// <summary>Returns why the carrier id does not fit the scope template, or <see langword="null"/>.</summary>
    private static string? DescribeScopeProblem(string template, string? carrierId, string key)
    {
        List<string> tokens = PeddlerScopes.Split(template);
        if (tokens.Contains(PeddlerScopes.CarrierIdPlaceholder))
        {
            // No carrier in options is legal: the carriers come per call (ForCarrier).
            if (!string.IsNullOrEmpty(carrierId) && !PeddlerScopes.IsScopeToken(carrierId))
            {
                return $"{key} '{carrierId}' is not a valid scope token (printable ASCII without spaces, quotes or backslashes).";
            }
        }
        else if (!string.IsNullOrEmpty(carrierId))
        {
            return $"{key} is set, but the client's Scopes '{template}' fix the carrier at compile time; " +
                $"write {PeddlerScopes.CarrierIdPlaceholder} in Scopes to take it from options, or leave CarrierId empty.";
        }

        return null;
    }

    /// <summary>Replaces <c>{CarrierId}</c> with the run-time carrier id and normalises spacing.</summary>
    public static string ResolveScope(string template, string? carrierId, string prefix)
    {
        string? problem = DescribeScopeProblem(template, carrierId, OptionKey(nameof(PeddlerClientOptions.CarrierId)));
        if (problem is not null)
        {
            throw new ArgumentException(prefix + problem, nameof(carrierId));
        }

        List<string> tokens = PeddlerScopes.Split(template);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] == PeddlerScopes.CarrierIdPlaceholder && !string.IsNullOrEmpty(carrierId))
            {
                tokens[i] = carrierId!;
            }
        }

        return string.Join(' ', tokens);
    }

    /// <summary>Replaces every occurrence of the client secret in <paramref name="text"/> with <c>***</c>.</summary>
    public string? Redact(string? text) =>
        text is null || ClientSecret.Length == 0 || !text.Contains(ClientSecret, StringComparison.Ordinal)
            ? text
            : text.Replace(ClientSecret, "***", StringComparison.Ordinal);
}
