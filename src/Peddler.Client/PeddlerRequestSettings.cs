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
        ClientId = clientId;
        ClientSecret = clientSecret;
        TokenEndpoint = tokenEndpoint;
        Scope = scope;
        RefreshMargin = options.RefreshMargin;
        DefaultTokenLifetime = options.DefaultTokenLifetime;
        Timeout = options.Timeout;
        MaxRetries = options.MaxRetries;
        RetryBaseDelay = options.RetryBaseDelay;
        MaxRetryDelay = options.MaxRetryDelay;
        MaxRetryAfter = options.MaxRetryAfter;
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public Uri TokenEndpoint { get; }

    public string Scope { get; }

    public TimeSpan RefreshMargin { get; }

    public TimeSpan DefaultTokenLifetime { get; }

    public TimeSpan Timeout { get; }

    public int MaxRetries { get; }

    public TimeSpan RetryBaseDelay { get; }

    public TimeSpan MaxRetryDelay { get; }

    public TimeSpan MaxRetryAfter { get; }

    public static PeddlerRequestSettings From(PeddlerClientOptions options, PeddlerClientDescriptor descriptor)
    {
        string prefix = $"{descriptor.ClientName}: ";
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new ArgumentException(prefix + "PeddlerClientOptions.ClientId is required.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.ClientSecret))
        {
            throw new ArgumentException(prefix + "PeddlerClientOptions.ClientSecret is required.", nameof(options));
        }

        Uri endpoint = options.TokenEndpoint ?? descriptor.TokenEndpoint;
        string? endpointProblem = DescribeEndpointProblem(endpoint);
        if (endpointProblem is not null)
        {
            throw new ArgumentException(prefix + endpointProblem, nameof(options));
        }

        RequirePositive(options.Timeout, nameof(options.Timeout), prefix);
        RequireNonNegative(options.RefreshMargin, nameof(options.RefreshMargin), prefix);
        RequirePositive(options.DefaultTokenLifetime, nameof(options.DefaultTokenLifetime), prefix);
        RequireNonNegative(options.RetryBaseDelay, nameof(options.RetryBaseDelay), prefix);
        RequireNonNegative(options.MaxRetryDelay, nameof(options.MaxRetryDelay), prefix);
        RequireNonNegative(options.MaxRetryAfter, nameof(options.MaxRetryAfter), prefix);
        if (options.MaxRetries < 0)
        {
            throw new ArgumentException(prefix + "PeddlerClientOptions.MaxRetries must not be negative.", nameof(options));
        }

        string scope = ResolveScope(descriptor.Scopes, options.CarrierId, prefix);
        return new PeddlerRequestSettings(options.ClientId, options.ClientSecret, endpoint, scope, options);
    }

    /// <summary>
    /// Returns why <paramref name="endpoint"/> cannot be a token endpoint, or <see langword="null"/>:
    /// it must be absolute, and <c>https</c> unless its host is loopback.
    /// </summary>
    public static string? DescribeEndpointProblem(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            return $"PeddlerClientOptions.TokenEndpoint must be an absolute URI; '{endpoint}' is relative.";
        }

        if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (endpoint.Scheme == Uri.UriSchemeHttp)
        {
            return endpoint.IsLoopback
                ? null
                : $"PeddlerClientOptions.TokenEndpoint must use https: '{endpoint.GetLeftPart(UriPartial.Path)}' would send the client secret in clear text (http is allowed only on loopback hosts).";
        }

        return $"PeddlerClientOptions.TokenEndpoint must be an http(s) URI; its scheme is '{endpoint.Scheme}'.";
    }

    /// <summary>Replaces <c>{CarrierId}</c> with the run-time carrier id and normalises spacing.</summary>
    public static string ResolveScope(string template, string? carrierId, string prefix)
    {
        List<string> tokens = PeddlerScopes.Split(template);
        bool usesPlaceholder = tokens.Contains(PeddlerScopes.CarrierIdPlaceholder);
        if (usesPlaceholder)
        {
            if (string.IsNullOrWhiteSpace(carrierId))
            {
                throw new ArgumentException(
                    prefix + $"PeddlerClientOptions.CarrierId is required: the client's Scopes '{template}' take the carrier id from it.",
                    nameof(carrierId));
            }

            if (!PeddlerScopes.IsScopeToken(carrierId))
            {
                throw new ArgumentException(
                    prefix + $"PeddlerClientOptions.CarrierId '{carrierId}' is not a valid scope token (printable ASCII without spaces, quotes or backslashes).",
                    nameof(carrierId));
            }

            for (int i = 0; i < tokens.Count; i++)
            {
                if (tokens[i] == PeddlerScopes.CarrierIdPlaceholder)
                {
                    tokens[i] = carrierId;
                }
            }
        }
        else if (!string.IsNullOrEmpty(carrierId))
        {
            throw new ArgumentException(
                prefix + $"PeddlerClientOptions.CarrierId is set, but the client's Scopes '{template}' fix the carrier at compile time; " +
                $"write {PeddlerScopes.CarrierIdPlaceholder} in Scopes to take it from options, or leave CarrierId empty.",
                nameof(carrierId));
        }

        return string.Join(' ', tokens);
    }

    /// <summary>Replaces every occurrence of the client secret in <paramref name="text"/> with <c>***</c>.</summary>
    public string? Redact(string? text) =>
        text is null || ClientSecret.Length == 0 || !text.Contains(ClientSecret, StringComparison.Ordinal)
            ? text
            : text.Replace(ClientSecret, "***", StringComparison.Ordinal);

    private static void RequirePositive(TimeSpan value, string name, string prefix)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException(prefix + $"PeddlerClientOptions.{name} must be positive.", name);
        }
    }

    private static void RequireNonNegative(TimeSpan value, string name, string prefix)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentException(prefix + $"PeddlerClientOptions.{name} must not be negative.", name);
        }
    }
}
