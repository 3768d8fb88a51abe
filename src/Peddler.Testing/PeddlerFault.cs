using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;

namespace Peddler.Testing;

/// <summary>
/// A misbehaviour the <see cref="PeddlerAuthorizationServer"/> shows instead of (or before) its
/// normal answer. Create one with the factory methods and queue it on
/// <see cref="PeddlerAuthorizationServer.Faults"/> or <see cref="PeddlerAuthorizationServer.ApiFaults"/>.
/// </summary>
/// <remarks>Instances are immutable and may be queued any number of times.</remarks>
public sealed class PeddlerFault
{
    // Task.Delay accepts at most uint.MaxValue - 1 milliseconds.
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private PeddlerFault(PeddlerFaultKind kind)
    {
        Kind = kind;
    }

    /// <summary>What the fault does.</summary>
    public PeddlerFaultKind Kind { get; }

    /// <summary>The wait of a <see cref="PeddlerFaultKind.Delay"/> fault; <see cref="TimeSpan.Zero"/> otherwise.</summary>
    public TimeSpan DelayTime { get; private init; }

    /// <summary>The <c>Retry-After</c> of a <see cref="PeddlerFaultKind.TooManyRequests"/> fault; <see cref="TimeSpan.Zero"/> otherwise.</summary>
    public TimeSpan RetryAfter { get; private init; }

    /// <summary>The status code sent, or 0 for <see cref="PeddlerFaultKind.Delay"/> and <see cref="PeddlerFaultKind.DropConnection"/>.</summary>
    public int StatusCode { get; private init; }

    /// <summary>The <c>Content-Type</c> sent, or <see langword="null"/> for none.</summary>
    public string? ContentType { get; private init; }

    /// <summary>The body length of an <see cref="PeddlerFaultKind.EndlessBody"/> fault; 0 otherwise.</summary>
    public long BodyLength { get; private init; }

    /// <summary>Whether an <see cref="PeddlerFaultKind.EndlessBody"/> fault declares its length in <c>Content-Length</c>.</summary>
    public bool DeclaresLength { get; private init; }

    internal byte[] Body { get; private init; } = [];

    internal KeyValuePair<string, string>[] Headers { get; private init; } = [];

    /// <summary>
    /// Waits <paramref name="delay"/> on the server's clock, then answers normally. The wait ends
    /// early, without an answer, when the client aborts the request or the server stops.
    /// </summary>
    /// <param name="delay">The wait: zero or more, or <see cref="Timeout.InfiniteTimeSpan"/> to hang until the client gives up.</param>
    public static PeddlerFault Delay(TimeSpan delay)
    {
        if (delay != Timeout.InfiniteTimeSpan && (delay < TimeSpan.Zero || delay > MaxDelay))
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay must be between zero and 49 days, or Timeout.InfiniteTimeSpan.");
        }

        return new PeddlerFault(PeddlerFaultKind.Delay) { DelayTime = delay };
    }

    /// <summary>
    /// Answers with an error status, as a failing server or gateway does. With
    /// <paramref name="withBody"/> the body is a small OAuth error object:
    /// <c>{"error":"temporarily_unavailable",…}</c> for 408, 429 and 503, <c>{"error":"server_error",…}</c>
    /// for other 5xx and <c>{"error":"invalid_request",…}</c> for other 4xx; without it the body is
    /// empty and has no content type. No <c>Retry-After</c> is sent (see <see cref="TooManyRequests"/>).
    /// </summary>
    /// <param name="statusCode">A 4xx or 5xx status code, typically 500, 502, 503, 504 or 408.</param>
    /// <param name="withBody">Whether to send the JSON body (default) or an empty one.</param>
    public static PeddlerFault Status(int statusCode, bool withBody = true)
    {
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "Status faults are 4xx or 5xx; use PeddlerFault.Respond for other status codes.");
        }

        if (!withBody)
        {
            return new PeddlerFault(PeddlerFaultKind.Status) { StatusCode = statusCode };
        }

        string error = statusCode switch
        {
            408 or 429 or 503 => "temporarily_unavailable",
            >= 500 => "server_error",
            _ => "invalid_request",
        };
        byte[] body = JsonBodies.Error(error, string.Create(CultureInfo.InvariantCulture, $"Injected fault: HTTP {statusCode}."));
        return new PeddlerFault(PeddlerFaultKind.Status) { StatusCode = statusCode, ContentType = JsonBodies.MediaType, Body = body };
    }

    /// <summary>
    /// Answers 429 Too Many Requests with <c>Retry-After: &lt;seconds&gt;</c> (the delay rounded up to
    /// whole seconds) and a small JSON body <c>{"error":"temporarily_unavailable",…}</c>.
    /// </summary>
    /// <param name="retryAfter">The wait to announce; zero or more.</param>
    public static PeddlerFault TooManyRequests(TimeSpan retryAfter)
    {
        if (retryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "Retry-After cannot be negative.");
        }

        long seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
        string text = seconds.ToString(CultureInfo.InvariantCulture);
        byte[] body = JsonBodies.Error("temporarily_unavailable", $"Too many requests; retry after {text} seconds.");
        return new PeddlerFault(PeddlerFaultKind.TooManyRequests)
        {
            StatusCode = 429,
            RetryAfter = retryAfter,
            ContentType = JsonBodies.MediaType,
            Body = body,
            Headers = [new("Retry-After", text)],
        };
    }

    /// <summary>
    /// Answers 200 with <c>Content-Type: application/json</c>, the no-store headers of a real
    /// token response and a token response cut off in the middle:
    /// <c>{"access_token":"…","expires_in":72</c>. No token is issued.
    /// </summary>
    public static PeddlerFault MalformedJson() => new(PeddlerFaultKind.MalformedJson)
    {
        StatusCode = 200,
        ContentType = JsonBodies.MediaType,
        Body = Encoding.UTF8.GetBytes("{\"access_token\":\"" + TokenValues.NewToken() + "\",\"expires_in\":72"),
        Headers = [new("Cache-Control", "no-store"), new("Pragma", "no-cache")],
    };

    /// <summary>
    /// Answers with the HTML error page a reverse proxy sends (<c>text/html; charset=utf-8</c>),
    /// e.g. <c>&lt;title&gt;502 Bad Gateway&lt;/title&gt;</c>.
    /// </summary>
    /// <param name="statusCode">A 4xx or 5xx status code; default 502.</param>
    public static PeddlerFault HtmlError(int statusCode = 502)
    {
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "HTML error pages are 4xx or 5xx.");
        }

        string reason = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode);
        string title = string.Create(CultureInfo.InvariantCulture, $"{statusCode} {reason}").TrimEnd();
        string html =
            "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
            "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        return new PeddlerFault(PeddlerFaultKind.HtmlError)
        {
            StatusCode = statusCode,
            ContentType = "text/html; charset=utf-8",
            Body = Encoding.UTF8.GetBytes(html),
        };
    }

    /// <summary>
    /// Accepts the request and never answers: <see cref="Delay"/> with <see cref="Timeout.InfiniteTimeSpan"/>.
    /// The request ends only when the client gives up or the server stops.
    /// </summary>
    public static PeddlerFault NeverAnswer() => Delay(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Answers 200 <c>application/json</c> with a body that starts like a token response
    /// (<c>{"access_token":"</c>) and goes on for <paramref name="length"/> bytes — 4 GiB by
    /// default, i.e. endless for a client — streamed in 64 KiB writes as fast as the client reads,
    /// so the server holds no more than one chunk. By default the body is chunked (no
    /// <c>Content-Length</c>); with <paramref name="declareLength"/> it declares its full length.
    /// <see cref="PeddlerAuthorizationServer.FaultBodyBytesSent"/> counts what was written.
    /// </summary>
    /// <param name="length">The body length in bytes; at least 64.</param>
    /// <param name="declareLength">Whether to send <c>Content-Length: length</c>.</param>
    public static PeddlerFault EndlessBody(long length = 4L * 1024 * 1024 * 1024, bool declareLength = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 64);
        return new PeddlerFault(PeddlerFaultKind.EndlessBody)
        {
            StatusCode = 200,
            ContentType = JsonBodies.MediaType,
            BodyLength = length,
            DeclaresLength = declareLength,
            Headers = [new("Cache-Control", "no-store"), new("Pragma", "no-cache")],
        };
    }

    /// <summary>
    /// Answers a redirect: <paramref name="statusCode"/> (301, 302, 303, 307 or 308) with
    /// <c>Location: location</c> and an empty body, as a moved endpoint or a hostile proxy would.
    /// A client that follows a 307 or 308 re-sends the whole form, client secret included.
    /// </summary>
    /// <param name="statusCode">A 3xx status code.</param>
    /// <param name="location">The <c>Location</c>: absolute (another origin) or relative.</param>
    public static PeddlerFault Redirect(int statusCode, Uri location)
    {
        if (statusCode is < 300 or > 399)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "Redirects are 3xx.");
        }

        ArgumentNullException.ThrowIfNull(location);
        return new PeddlerFault(PeddlerFaultKind.Redirect)
        {
            StatusCode = statusCode,
            Headers = [new("Location", location.OriginalString)],
        };
    }

    /// <summary>
    /// Answers 200 with a well-formed token response (a fresh token value that the API endpoint
    /// does not accept, <c>token_type</c> Bearer) whose <c>expires_in</c> is
    /// <paramref name="rawJsonValue"/> exactly as written: <c>1000000000000000</c>, <c>-1</c>,
    /// <c>1e400</c>, <c>"7200"</c>, <c>null</c>, <c>[]</c>, …
    /// </summary>
    /// <param name="rawJsonValue">The JSON text of the value; not validated.</param>
    public static PeddlerFault ExpiresIn(string rawJsonValue)
    {
        ArgumentNullException.ThrowIfNull(rawJsonValue);
        string body = "{\"access_token\":\"" + TokenValues.NewToken() + "\",\"token_type\":\"Bearer\",\"expires_in\":" + rawJsonValue + "}";
        return new PeddlerFault(PeddlerFaultKind.ExpiresIn)
        {
            StatusCode = 200,
            ContentType = JsonBodies.MediaType,
            Body = Encoding.UTF8.GetBytes(body),
            Headers = [new("Cache-Control", "no-store"), new("Pragma", "no-cache")],
        };
    }

    /// <summary>Aborts the connection without sending any response (<c>HttpContext.Abort()</c>).</summary>
    public static PeddlerFault DropConnection() => new(PeddlerFaultKind.DropConnection);

    /// <summary>
    /// Answers with exactly this status, content type, UTF-8 body and headers, and nothing
    /// else of the server's own (no <c>Cache-Control</c>, no <c>Pragma</c>).
    /// </summary>
    /// <param name="statusCode">The status code (200–599).</param>
    /// <param name="contentType">The <c>Content-Type</c> header, sent as given; empty for none.</param>
    /// <param name="body">The body, encoded as UTF-8 without a byte order mark.</param>
    /// <param name="headers">More response headers; a repeated name sends the header repeatedly. <c>Content-Length</c> and <c>Transfer-Encoding</c> are not allowed.</param>
    public static PeddlerFault Respond(int statusCode, string contentType, string body, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Respond(statusCode, contentType, Encoding.UTF8.GetBytes(body), headers);
    }

    /// <summary>
    /// Answers with exactly this status, content type, body bytes and headers, and nothing else
    /// of the server's own. Use it for bodies that are not valid UTF-8.
    /// </summary>
    /// <param name="statusCode">The status code (200–599).</param>
    /// <param name="contentType">The <c>Content-Type</c> header, sent as given; empty for none.</param>
    /// <param name="body">The body bytes; copied.</param>
    /// <param name="headers">More response headers; a repeated name sends the header repeatedly. <c>Content-Length</c> and <c>Transfer-Encoding</c> are not allowed.</param>
    public static PeddlerFault Respond(int statusCode, string contentType, byte[] body, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        if (statusCode is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "The status code must be between 200 and 599.");
        }

        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(body);
        var list = new List<KeyValuePair<string, string>>();
        if (headers is not null)
        {
            foreach (KeyValuePair<string, string> header in headers)
            {
                ArgumentException.ThrowIfNullOrEmpty(header.Key, nameof(headers));
                ArgumentNullException.ThrowIfNull(header.Value, nameof(headers));
                if (header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"The server frames the body itself; '{header.Key}' cannot be set.", nameof(headers));
                }

                list.Add(header);
            }
        }

        return new PeddlerFault(PeddlerFaultKind.Respond)
        {
            StatusCode = statusCode,
            ContentType = contentType.Length == 0 ? null : contentType,
            Body = (byte[])body.Clone(),
            Headers = list.ToArray(),
        };
    }

    /// <summary>Describes the fault, e.g. <c>TooManyRequests(429, Retry-After 00:00:05)</c>.</summary>
    public override string ToString() => Kind switch
    {
        PeddlerFaultKind.Delay => $"Delay({DelayTime})",
        PeddlerFaultKind.DropConnection => "DropConnection",
        PeddlerFaultKind.TooManyRequests => string.Create(CultureInfo.InvariantCulture, $"TooManyRequests({StatusCode}, Retry-After {RetryAfter})"),
        PeddlerFaultKind.EndlessBody => string.Create(CultureInfo.InvariantCulture, $"EndlessBody({BodyLength} bytes{(DeclaresLength ? ", Content-Length" : ", chunked")})"),
        PeddlerFaultKind.Redirect => string.Create(CultureInfo.InvariantCulture, $"Redirect({StatusCode}, {Headers[0].Value})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Kind}({StatusCode}, {ContentType ?? "no content type"}, {Body.Length} bytes)"),
    };
}
