using System;
using System.Net;

namespace Peddler;

/// <summary>
/// The token endpoint answered with something that is not a valid token or OAuth error
/// response: an HTML error page from a proxy, truncated or malformed JSON, a missing or empty
/// <c>access_token</c>, a non-numeric or negative <c>expires_in</c>, a <c>token_type</c> other
/// than <c>Bearer</c>. The message says which; it never quotes the body.
/// </summary>
public sealed class PeddlerProtocolException : PeddlerException
{
    /// <summary>Creates the exception.</summary>
    public PeddlerProtocolException(string message, HttpStatusCode statusCode, string? contentType, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ContentType = contentType;
    }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The response's media type (e.g. <c>text/html</c>), or <see langword="null"/> if it had none.</summary>
    public string? ContentType { get; }
}
