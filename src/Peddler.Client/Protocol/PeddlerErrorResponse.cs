namespace Peddler.Protocol;

/// <summary>The JSON body of an OAuth 2.0 error response (RFC 6749 §5.2), as it arrives on the wire.</summary>
public sealed class PeddlerErrorResponse
{
    /// <summary><c>error</c>, e.g. <c>access_denied</c>.</summary>
    public string? Error { get; set; }

    /// <summary><c>error_description</c>.</summary>
    public string? ErrorDescription { get; set; }

    /// <summary><c>error_uri</c>.</summary>
    public string? ErrorUri { get; set; }
}
