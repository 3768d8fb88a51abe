using System;

namespace Peddler;

/// <summary>
/// The base of every failure <c>GetTokenAsync</c> reports, other than cancellation and the
/// overall timeout (<see cref="TimeoutException"/>). Thrown as itself when the token endpoint
/// could not be reached (connection refused, reset or dropped) on every attempt; the last
/// transport error is the <see cref="Exception.InnerException"/>.
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
}
