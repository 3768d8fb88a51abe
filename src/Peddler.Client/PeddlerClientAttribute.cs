using System;

namespace Peddler;

/// <summary>
/// Marks a <see langword="partial"/> class as a token client for Peddler's OAuth2
/// client-credentials endpoint. The Peddler.Generators source generator completes the class at
/// compile time: constructors, <c>GetTokenAsync</c>, <c>InvalidateToken</c>, the static
/// <c>TokenEndpoint</c> and a source-generated <c>System.Text.Json</c> context for the wire types.
/// </summary>
/// <example>
/// <code>
/// [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
/// public partial class CarrierTokens;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PeddlerClientAttribute : Attribute
{
    /// <summary>
    /// The Peddler environment whose token endpoint the client calls: <c>"Dev"</c>
    /// (<c>https://alphadev-api.peddler.com</c>) or <c>"Production"</c>
    /// (<c>https://api-lokl.peddler.com</c>). Case-sensitive.
    /// </summary>
    public string? Environment { get; set; }

    /// <summary>
    /// The space-separated scopes the client requests, as Peddler issues them:
    /// <c>"DEFAULT authenticated 900001"</c>, where the last token is the carrier id. Write
    /// <c>{CarrierId}</c> in its place to take the carrier id from
    /// <see cref="PeddlerClientOptions.CarrierId"/> at run time.
    /// </summary>
    public string? Scopes { get; set; }
}
