using System;
using System.Security.Cryptography;
using System.Text;

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

    private string? _fingerprint;

    /// <summary>
    /// A short, non-reversible fingerprint of the token (the first 8 hex digits of its SHA-256),
    /// safe for logs and transcripts: it tells tokens apart without revealing them.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint(AccessToken);

    /// <summary>A description that names the type, fingerprint, scope and expiry but never the token value.</summary>
    public override string ToString() =>
        $"{TokenType} token {Fingerprint} (redacted), scope '{Scope}', expires {ExpiresAt:O}";

    private static string ComputeFingerprint(string token)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Convert.ToHexString(hash[..4]).ToLowerInvariant();
    }
}
