namespace Peddler.Protocol;

/// <summary>
/// The JSON body of a successful token response (RFC 6749 §5.1), as it arrives on the wire.
/// Generated clients read it through their source-generated <c>JsonSerializerContext</c>.
/// </summary>
public sealed class PeddlerTokenResponse
{
    /// <summary><c>access_token</c>.</summary>
    public string? AccessToken { get; set; }

    /// <summary><c>token_type</c>.</summary>
    public string? TokenType { get; set; }

    /// <summary><c>expires_in</c>, in seconds (a JSON number, or a numeric string).</summary>
    public long? ExpiresIn { get; set; }

    /// <summary><c>scope</c>, space-separated.</summary>
    public string? Scope { get; set; }
}
