using System;
using System.Net;

namespace Peddler;

/// <summary>
/// The token endpoint answered with something that is not a valid token or OAuth error
/// response, and retrying would not help: an HTML or empty 4xx, truncated or malformed JSON, a
/// body over <see cref="PeddlerClientOptions.MaxResponseSize"/>, a missing or empty
/// <c>access_token</c>, a non-numeric or negative <c>expires_in</c>, a <c>token_type</c> other
/// than <c>Bearer</c>, or a redirect (3xx: the client secret never follows one). The message says
/// which; it never quotes the body.
/// </summary>
public sealed class PeddlerProtocolException : PeddlerException
{
    /// <summary>Creates the exception.</summary>
    public PeddlerProtocolException(string message, HttpStatusCode statusCode, string? contentType, Exception? innerException = null)
        : base(message, statusCode, null, innerException)
    {
        ContentType = contentType;
    }

    /// <summary>The HTTP status of the response.</summary>
    public new HttpStatusCode StatusCode => base.StatusCode.GetValueOrDefault();

    /// <summary>The response's media type (e.g. <c>text/html</c>), or <see langword="null"/> if it had none.</summary>
    public string? ContentType { get; }
}
