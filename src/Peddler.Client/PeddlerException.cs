using System;
using System.Net;

namespace Peddler;

/// <summary>
/// The base of every failure <c>GetTokenAsync</c> reports, other than cancellation and the
/// overall timeout (<see cref="TimeoutException"/>). Thrown as itself when the token endpoint was
/// unavailable on every attempt: the connection failed (refused, reset, dropped), no answer came
/// within <see cref="PeddlerClientOptions.AttemptTimeout"/>, or it answered a transient status
/// (5xx, 408, 429, with or without an OAuth body; <see cref="StatusCode"/> and <see cref="Error"/>
/// then say which). The last transport error, if any, is the <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>No Peddler exception ever carries the client secret or a token value.</remarks>
public class PeddlerException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public PeddlerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the failure that caused it.</summary>
    public PeddlerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an HTTP answer: its status and OAuth <c>error</c> code, if any.</summary>
    /// <param name="message">The message; never the secret or a token.</param>
    /// <param name="statusCode">The HTTP status of the last answer, or <see langword="null"/> when there was none.</param>
    /// <param name="error">The OAuth <c>error</c> code of that answer (e.g. <c>temporarily_unavailable</c>), if it had one.</param>
    /// <param name="innerException">The failure that caused it.</param>
    public PeddlerException(string message, HttpStatusCode? statusCode, string? error, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Error = error;
    }

    /// <summary>
    /// The HTTP status of the token endpoint's last answer (e.g. 503), or <see langword="null"/>
    /// when no answer arrived (connection failure, attempt timeout).
    /// </summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>
    /// The OAuth <c>error</c> code of the last answer (e.g. <c>temporarily_unavailable</c>,
    /// <c>server_error</c>, <c>access_denied</c>), or <see langword="null"/> when it had none.
    /// </summary>
    public string? Error { get; }
}
