using System;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Peddler.Protocol;

namespace Peddler;

/// <summary>
/// What a generated client knows at compile time: its name, environment, token endpoint,
/// requested scopes and the JSON metadata of its wire types. Created once per annotated class by
/// the generated code.
/// </summary>
public sealed class PeddlerClientDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    /// <param name="clientName">The annotated class's name, for messages.</param>
    /// <param name="environment">The Peddler environment name.</param>
    /// <param name="tokenEndpoint">The environment's token endpoint.</param>
    /// <param name="scopes">The requested scopes; may contain <c>{CarrierId}</c>.</param>
    /// <param name="tokenResponseTypeInfo">Source-generated metadata of the token response.</param>
    /// <param name="errorResponseTypeInfo">Source-generated metadata of the error response.</param>
    public PeddlerClientDescriptor(
        string clientName,
        string environment,
        Uri tokenEndpoint,
        string scopes,
        JsonTypeInfo<PeddlerTokenResponse> tokenResponseTypeInfo,
        JsonTypeInfo<PeddlerErrorResponse> errorResponseTypeInfo)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientName);
        ArgumentException.ThrowIfNullOrEmpty(environment);
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(scopes);
        ArgumentNullException.ThrowIfNull(tokenResponseTypeInfo);
        ArgumentNullException.ThrowIfNull(errorResponseTypeInfo);
        ClientName = clientName;
        Environment = environment;
        TokenEndpoint = tokenEndpoint;
        Scopes = scopes;
        TokenResponseTypeInfo = tokenResponseTypeInfo;
        ErrorResponseTypeInfo = errorResponseTypeInfo;
    }

    /// <summary>The annotated class's name.</summary>
    public string ClientName { get; }

    /// <summary>The Peddler environment name (<c>Dev</c> or <c>Production</c>).</summary>
    public string Environment { get; }

    /// <summary>The environment's token endpoint.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The requested scopes as written in the attribute.</summary>
    public string Scopes { get; }

    /// <summary>Source-generated metadata of <see cref="PeddlerTokenResponse"/>.</summary>
    public JsonTypeInfo<PeddlerTokenResponse> TokenResponseTypeInfo { get; }

    /// <summary>Source-generated metadata of <see cref="PeddlerErrorResponse"/>.</summary>
    public JsonTypeInfo<PeddlerErrorResponse> ErrorResponseTypeInfo { get; }

    /// <summary>
    /// The client's name, environment, token endpoint and scopes, e.g.
    /// <c>CarrierTokens (Environment: Dev, TokenEndpoint: https://alphadev-api.peddler.com/oauth/token, Scopes: DEFAULT authenticated 900001)</c>.
    /// A descriptor holds nothing secret: credentials live in <see cref="PeddlerClientOptions"/>.
    /// </summary>
    /// <returns>A one-line description for logs and debugger displays.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{ClientName} (Environment: {Environment}, TokenEndpoint: {PeddlerRequestSettings.DisplayOf(TokenEndpoint)}, Scopes: {Scopes})");
}
