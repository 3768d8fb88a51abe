using System;
using System.Net;

namespace Peddler;

/// <summary>
/// The token endpoint refused the request with an OAuth 2.0 error response (RFC 6749 §5.2) on a
/// 4xx status other than 408 and 429, e.g. Peddler's
/// <c>403 {"error":"access_denied","error_description":"Invalid subject: test"}</c> or a standard
/// server's <c>401 invalid_client</c> / <c>400 invalid_scope</c>. Never retried; the refusal is
/// remembered for a back-off window (see <see cref="PeddlerTokenProvider.ResetRefusal"/>). A 5xx,
/// 408 or 429 is never this exception, whatever its body says.
/// </summary>
public sealed class PeddlerAuthenticationException : PeddlerException
{
    /// <summary>Creates the exception from the fields of an OAuth error response.</summary>
    public PeddlerAuthenticationException(HttpStatusCode statusCode, string error, string? errorDescription, string? errorUri)
        : this(statusCode, error, errorDescription, errorUri, null)
    {
    }

    /// <summary>Creates the exception with a sentence naming what was refused (the scope and carrier, or the client's credentials).</summary>
    internal PeddlerAuthenticationException(HttpStatusCode statusCode, string error, string? errorDescription, string? errorUri, string? cause)
        : base(FormatMessage(statusCode, error, errorDescription) + (cause is null ? string.Empty : " " + cause), statusCode, error ?? throw new ArgumentNullException(nameof(error)))
    {
        ErrorDescription = errorDescription;
        ErrorUri = errorUri;
        Cause = cause;
    }

    /// <summary>What was refused, in words, or <see langword="null"/>.</summary>
    internal string? Cause { get; }

    /// <summary>
    /// Whether the client itself was refused (its id, secret or grant), which every carrier of the
    /// client would be too; a refused scope (<c>invalid_scope</c>) names one carrier only.
    /// </summary>
    internal bool RefusesClient => RefusesClientFor(Error);

    /// <summary>The rule behind <see cref="RefusesClient"/>, for an OAuth <c>error</c> code.</summary>
    internal static bool RefusesClientFor(string error) => !string.Equals(error, "invalid_scope", StringComparison.Ordinal);

    /// <summary>The HTTP status of the response, e.g. <see cref="HttpStatusCode.Forbidden"/>.</summary>
    public new HttpStatusCode StatusCode => base.StatusCode.GetValueOrDefault();

    /// <summary>The OAuth <c>error</c> code as sent, e.g. <c>access_denied</c>.</summary>
    public new string Error => base.Error!;

    /// <summary>The OAuth <c>error_description</c>, if the server sent one.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The OAuth <c>error_uri</c>, if the server sent one.</summary>
    public string? ErrorUri { get; }

    private static string FormatMessage(HttpStatusCode statusCode, string error, string? description) =>
        string.IsNullOrEmpty(description)
            ? $"Peddler's token endpoint refused the request: {(int)statusCode} {error}."
            : $"Peddler's token endpoint refused the request: {(int)statusCode} {error} ({description}).";
}
