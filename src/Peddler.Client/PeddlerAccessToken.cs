using System;

namespace Peddler;

/// <summary>An access token issued by Peddler's token endpoint.</summary>
/// <remarks><see cref="ToString"/> never reveals the token value.</remarks>
public sealed class PeddlerAccessToken
{
    /// <summary>Creates a token.</summary>
    /// <param name="accessToken">The token value; not empty.</param>
    /// <param name="tokenType">The token type as issued (<c>Bearer</c>).</param>
    /// <param name="expiresAt">When the token expires.</param>
    /// <param name="scope">The scope as granted.</param>
    public PeddlerAccessToken(string accessToken, string tokenType, DateTimeOffset expiresAt, string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        ArgumentException.ThrowIfNullOrEmpty(tokenType);
        ArgumentNullException.ThrowIfNull(scope);
        AccessToken = accessToken;
        TokenType = tokenType;
        ExpiresAt = expiresAt;
        Scope = scope;
    }

    /// <summary>The token value to send as <c>Authorization: Bearer {AccessToken}</c>.</summary>
    public string AccessToken { get; }

    /// <summary>The token type as the server wrote it (compared case-insensitively with <c>Bearer</c>).</summary>
    public string TokenType { get; }

    /// <summary>When the token expires: the time of the response plus <c>expires_in</c>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>
    /// The scope as granted: the response's <c>scope</c>, or the requested scope when the server
    /// omitted it (RFC 6749 §5.1).
    /// </summary>
    public string Scope { get; }

    /// <summary>A description that names the type, scope and expiry but never the token value.</summary>
    public override string ToString() =>
        $"{TokenType} token (redacted), scope '{Scope}', expires {ExpiresAt:O}";
}
