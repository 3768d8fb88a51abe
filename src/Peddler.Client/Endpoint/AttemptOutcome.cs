using System;
using Peddler.Diagnostics;

namespace Peddler.Endpoint;

/// <summary>How one attempt ended, as far as the retry loop cares.</summary>
internal enum AttemptEnd
{
    /// <summary>A token.</summary>
    Token,

    /// <summary>An answer or failure that retrying will not change (a refusal, a protocol error, a followed redirect).</summary>
    Final,

    /// <summary>A failure that may go away on its own: unreachable, or a 408, 429 or 5xx.</summary>
    Transient,

    /// <summary>No complete answer within <c>AttemptTimeout</c>: transient.</summary>
    TimedOut,

    /// <summary>The overall timeout ended during the attempt.</summary>
    OutOfTime,
}

/// <summary>The result of one <see cref="TokenAttempt"/>: a token, or a failure and what to do about it.</summary>
internal readonly struct AttemptOutcome
{
    private AttemptOutcome(AttemptEnd end, PeddlerAccessToken? token, Exception? failure, string? errorType, TimeSpan? retryAfter)
    {
        End = end;
        Token = token;
        Failure = failure;
        ErrorType = errorType;
        RetryAfter = retryAfter;
    }

    public AttemptEnd End { get; }

    public PeddlerAccessToken? Token { get; }

    /// <summary>The failure: the caller's exception for a final one, the cause for a transient one (for a timeout, the cancellation).</summary>
    public Exception? Failure { get; }

    /// <summary>Whether another attempt may succeed.</summary>
    public bool Transient => End is AttemptEnd.Transient or AttemptEnd.TimedOut;

    /// <summary>For a transient failure, its <c>error.type</c>: the status code, <c>unreachable</c> or <c>timeout</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>The server's <c>Retry-After</c>, already bounded by <c>MaxRetryAfter</c>.</summary>
    public TimeSpan? RetryAfter { get; }

    public static AttemptOutcome Succeeded(PeddlerAccessToken token) => new(AttemptEnd.Token, token, null, null, null);

    public static AttemptOutcome Failed(PeddlerException failure) => new(AttemptEnd.Final, null, failure, null, null);

    public static AttemptOutcome Unavailable(PeddlerException failure, string statusCode, TimeSpan? retryAfter) =>
        new(AttemptEnd.Transient, null, failure, statusCode, retryAfter);

    public static AttemptOutcome Unreachable(Exception cause) =>
        new(AttemptEnd.Transient, null, cause, PeddlerClientDiagnostics.Outcome.Unreachable, null);

    public static AttemptOutcome TimedOut(OperationCanceledException cause) =>
        new(AttemptEnd.TimedOut, null, cause, PeddlerClientDiagnostics.Outcome.Timeout, null);

    public static AttemptOutcome OutOfTime() => new(AttemptEnd.OutOfTime, null, null, null, null);
}
