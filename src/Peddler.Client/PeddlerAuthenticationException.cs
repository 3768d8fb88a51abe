using System;
using System.Net;

namespace Peddler;

/// <summary>
/// The token endpoint refused the request with an OAuth 2.0 error response (RFC 6749 §5.2),
/// e.g. Peddler's <c>403 {"error":"access_denied","error_description":"Invalid subject: test"}</c>
/// or a standard server's <c>401 invalid_client</c> / <c>400 invalid_scope</c>. Never retried.
/// </summary>
public sealed class PeddlerAuthenticationException : PeddlerException
{
    /// <summary>Creates the exception from the fields of an OAuth error response.</summary>
    public PeddlerAuthenticationException(HttpStatusCode statusCode, string error, string? errorDescription, string? errorUri)
        : base(FormatMessage(statusCode, error, errorDescription))
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
        ErrorUri = errorUri;
    }

    /// <summary>The HTTP status of the response, e.g. <see cref="HttpStatusCode.Forbidden"/>.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The OAuth <c>error</c> code as sent, e.g. <c>access_denied</c>.</summary>
    public string Error { get; }

    /// <summary>The OAuth <c>error_description</c>, if the server sent one.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The OAuth <c>error_uri</c>, if the server sent one.</summary>
    public string? ErrorUri { get; }

    private static string FormatMessage(HttpStatusCode statusCode, string error, string? description) =>
        string.IsNullOrEmpty(description)
            ? $"Peddler's token endpoint refused the request: {(int)statusCode} {error}."
            : $"Peddler's token endpoint refused the request: {(int)statusCode} {error} ({description}).";
}
