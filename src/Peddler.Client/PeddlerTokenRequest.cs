using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Diagnostics;
using Peddler.Protocol;

namespace Peddler;

/// <summary>
/// One token acquisition: Peddler's client-credentials request, sent with retries inside one
/// overall timeout (each attempt bounded by its own), and the response read strictly by
/// RFC 6749 §5.1/§5.2 with a size limit. A redirect is never followed.
/// </summary>
internal static class PeddlerTokenRequest
{
    /// <summary>
    /// Encodes <c>grant_type=client_credentials&amp;client_id=…&amp;client_secret=…&amp;scope=…</c>
    /// once per provider: every byte outside RFC 3986's unreserved set is percent-encoded and a
    /// space becomes <c>+</c>, as <c>application/x-www-form-urlencoded</c> requires.
    /// </summary>
    public static ReadOnlyMemory<byte> EncodeBody(PeddlerRequestSettings settings)
    {
        var body = new StringBuilder(128);
        body.Append("grant_type=client_credentials");
        AppendField(body, "client_id", settings.ClientId);
        AppendField(body, "client_secret", settings.ClientSecret);
        AppendField(body, "scope", settings.Scope);
        return Encoding.ASCII.GetBytes(body.ToString());
    }

    private static void AppendField(StringBuilder body, string name, string value)
    {
        body.Append('&').Append(name).Append('=');
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                body.Append(c);
            }
            else if (c == ' ')
            {
                body.Append('+');
            }
            else
            {
                body.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// Acquires one token, retrying transient failures, and reports the acquisition to
    /// <paramref name="diagnostics"/>: an activity, log lines and measurements.
    /// <paramref name="startedAt"/> is the caller's <see cref="TimeProvider.GetTimestamp"/> at the
    /// start (read once per acquisition: on a VM each clock read costs tens of nanoseconds).
    /// </summary>
    public static async Task<PeddlerAccessToken> AcquireAsync(
        HttpClient httpClient,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor,
        ReadOnlyMemory<byte> body,
        TimeProvider timeProvider,
        PeddlerClientDiagnostics diagnostics,
        string trigger,
        long startedAt)
    {
        using Activity? activity = diagnostics.StartAcquire(trigger);
        var progress = new Progress(activity);
        try
        {
            PeddlerAccessToken token = await AcquireWithRetriesAsync(httpClient, settings, descriptor, body, timeProvider, diagnostics, progress, startedAt).ConfigureAwait(false);
            diagnostics.Succeeded(activity, token, trigger, progress.Attempts, startedAt, timeProvider);
            return token;
        }
        catch (Exception ex)
        {
            diagnostics.Failed(activity, ex, progress.Attempts, timeProvider.GetElapsedTime(startedAt));
            throw;
        }
    }

    /// <summary>What the diagnostics of one acquisition need to know from its retry loop.</summary>
    private sealed class Progress(Activity? activity)
    {
        public Activity? Activity { get; } = activity;

        public int Attempts { get; set; }
    }

    private static async Task<PeddlerAccessToken> AcquireWithRetriesAsync(
        HttpClient httpClient,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor,
        ReadOnlyMemory<byte> body,
        TimeProvider timeProvider,
        PeddlerClientDiagnostics diagnostics,
        Progress progress,
        long startedAt)
    {
        // One deadline for all attempts; each attempt gets one timer, for its own timeout or the
        // rest of the overall one, whichever ends first (no second timer for the overall timeout).
        long deadline = startedAt + (long)(settings.Timeout.TotalSeconds * timeProvider.TimestampFrequency);
        Exception? lastFailure = null;
        int attempt = 0;
        try
        {
            while (true)
            {
                attempt++;
                progress.Attempts = attempt;
                TimeSpan remaining = attempt == 1 ? settings.Timeout : Remaining(deadline, timeProvider);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new OverallTimeout();
                }

                Attempt outcome = await SendOnceAsync(httpClient, settings, descriptor, body, timeProvider, diagnostics, remaining).ConfigureAwait(false);
                if (outcome.Token is not null)
                {
                    return outcome.Token;
                }

                lastFailure = outcome.Failure!;
                if (lastFailure is AttemptTimedOut && Remaining(deadline, timeProvider) <= TimeSpan.Zero)
                {
                    // The overall timeout has ended as well (both timers were due): that is the news.
                    throw new OverallTimeout();
                }

                if (!outcome.Transient || attempt > settings.MaxRetries)
                {
                    throw Final(lastFailure, attempt, settings);
                }

                TimeSpan delay = outcome.RetryAfter ?? Backoff(settings, attempt);
                if (delay >= Remaining(deadline, timeProvider))
                {
                    // Waiting would outlast the overall timeout: report the failure now.
                    throw Final(lastFailure, attempt, settings);
                }

                diagnostics.Retrying(progress.Activity, attempt, outcome.ErrorType!, settings.Redact(lastFailure.Message)!, delay);
                await Task.Delay(delay, timeProvider).ConfigureAwait(false);
            }
        }
        catch (OverallTimeout)
        {
            throw new TimeoutException(
                $"{descriptor.ClientName}: no token from {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} within {settings.Timeout} ({attempt} attempt(s)).",
                lastFailure);
        }
    }

    /// <summary>
    /// The exception a caller gets for the last failure: transport failures and attempt timeouts
    /// become a <see cref="PeddlerException"/> (the endpoint was unavailable); answers are already
    /// typed (transient statuses as <see cref="PeddlerException"/> with the status and OAuth error).
    /// </summary>
    private static Exception Final(Exception failure, int attempts, PeddlerRequestSettings settings) => failure switch
    {
        AttemptTimedOut timedOut => new PeddlerException(
            $"Peddler's token endpoint {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} did not answer within the attempt timeout of {settings.AttemptTimeout} ({attempts} attempt(s)).",
            null,
            null,
            timedOut.InnerException),
        PeddlerException => failure,
        _ => new PeddlerException(
            $"Peddler's token endpoint {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} could not be reached ({attempts} attempt(s)): {settings.Redact(failure.Message)}",
            null,
            null,
            failure),
    };

    /// <summary>One attempt got no complete answer within <see cref="PeddlerRequestSettings.AttemptTimeout"/>; never thrown to callers.</summary>
    private sealed class AttemptTimedOut(string message, Exception? inner) : Exception(message, inner);

    /// <summary>The overall timeout ended during an attempt or before the next; never thrown to callers (they get a <see cref="TimeoutException"/>).</summary>
    private sealed class OverallTimeout : Exception;

    /// <summary>
    /// One spare attempt source for the whole process, reused with
    /// <see cref="CancellationTokenSource.TryReset"/> (which stops its timer and drops its
    /// registrations), so that a cold acquisition does not allocate a source and a timer each time.
    /// A source that was cancelled (its attempt timed out) cannot be reset and is disposed instead.
    /// </summary>
    private static class SpareSource
    {
        private static CancellationTokenSource? s_spare;

        public static CancellationTokenSource Rent() => Interlocked.Exchange(ref s_spare, null) ?? new CancellationTokenSource();

        public static void Return(CancellationTokenSource source)
        {
            if (!source.TryReset() || Interlocked.CompareExchange(ref s_spare, source, null) is not null)
            {
                source.Dispose();
            }
        }

        /// <summary>Returns the source at the end of a <c>using</c> scope (a struct: no allocation).</summary>
        public readonly struct Returner(CancellationTokenSource source) : IDisposable
        {
            public void Dispose() => Return(source);
        }
    }

    private static TimeSpan Remaining(long deadline, TimeProvider timeProvider) =>
        TimeSpan.FromSeconds((deadline - timeProvider.GetTimestamp()) / (double)timeProvider.TimestampFrequency);

    private readonly struct Attempt
    {
        public PeddlerAccessToken? Token { get; init; }

        public Exception? Failure { get; init; }

        /// <summary>Whether the failure may go away on its own (connection error, attempt timeout, 408, 429, 5xx).</summary>
        public bool Transient { get; init; }

        /// <summary>The server's <c>Retry-After</c>, already bounded by <c>MaxRetryAfter</c>.</summary>
        public TimeSpan? RetryAfter { get; init; }

        /// <summary>For a transient failure, its <c>error.type</c>: the status code, <c>unreachable</c> or <c>timeout</c>.</summary>
        public string? ErrorType { get; init; }

        public static Attempt Unreachable(Exception ex) =>
            new() { Failure = ex, Transient = true, ErrorType = PeddlerClientDiagnostics.Outcome.Unreachable };

        public static Attempt TimedOut(PeddlerRequestSettings settings, Exception ex) => new()
        {
            Failure = new AttemptTimedOut($"no answer within the attempt timeout of {settings.AttemptTimeout}", ex),
            Transient = true,
            ErrorType = PeddlerClientDiagnostics.Outcome.Timeout,
        };
    }

    private static async Task<Attempt> SendOnceAsync(
        HttpClient httpClient,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor,
        ReadOnlyMemory<byte> body,
        TimeProvider timeProvider,
        PeddlerClientDiagnostics diagnostics,
        TimeSpan remaining)
    {
        var form = new TokenFormContent(body, settings.TokenEndpoint);
        using HttpRequestMessage request = form.Bind(new HttpRequestMessage(HttpMethod.Post, settings.TokenEndpoint));
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        // The attempt's own deadline, or the rest of the overall one if that ends first: one timer.
        // The system clock cancels the source directly; another TimeProvider (tests) gets a timer of its own.
        bool overall = settings.AttemptTimeout == Timeout.InfiniteTimeSpan || remaining <= settings.AttemptTimeout;
        TimeSpan budget = overall ? remaining : settings.AttemptTimeout;
        CancellationTokenSource attempt = SpareSource.Rent();
        using var returnAttempt = new SpareSource.Returner(attempt);
        using ITimer? timer = ReferenceEquals(timeProvider, TimeProvider.System) ? null
            : timeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), attempt, budget, Timeout.InfiniteTimeSpan);
        if (timer is null)
        {
            attempt.CancelAfter(budget);
        }

        CancellationToken cancellationToken = attempt.Token;
        HttpResponseMessage response;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (form.RedirectedTo is { } redirectedTo)
        {
            // The caller's HttpClient followed a 307/308 and was about to re-send the form (with
            // the secret) elsewhere; the form refused to be written there. Not transient.
            return RedirectFollowed(
                redirectedTo, " (307/308)", "and tried to re-send the form there; the form, which carries the client secret, was not sent.", 0, null, ex, settings, diagnostics);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // Connection refused, reset or dropped: transient.
            return Attempt.Unreachable(ex);
        }
        catch (OperationCanceledException ex) when (!overall || !attempt.IsCancellationRequested)
        {
            // The attempt timeout (or the HttpClient's own Timeout) elapsed: transient.
            return Attempt.TimedOut(settings, ex);
        }
        catch (OperationCanceledException)
        {
            throw new OverallTimeout();
        }

        using (response)
        {
            HttpStatusCode status = response.StatusCode;
            string? mediaType = response.Content.Headers.ContentType?.MediaType;

            // A caller's HttpClient that follows redirects has already re-sent the form elsewhere:
            // refuse its answer and say why, so the client can be fixed.
            Uri? answeredBy = response.RequestMessage?.RequestUri;
            if (answeredBy is not null && answeredBy != settings.TokenEndpoint)
            {
                return RedirectFollowed(answeredBy, "", "(the form with the client secret was not sent there); its answer is refused.", status, mediaType, null, settings, diagnostics);
            }

            if ((int)status is >= 300 and < 400)
            {
                return new Attempt { Failure = Redirect(response, status, mediaType, settings) };
            }

            (ReadOnlyMemory<byte> content, bool tooLarge) result;
            try
            {
                result = await ReadBoundedAsync(response.Content, settings.MaxResponseSize, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                // Dropped mid-body (HttpIOException): transient.
                return Attempt.Unreachable(ex);
            }
            catch (OperationCanceledException ex) when (!overall || !attempt.IsCancellationRequested)
            {
                return Attempt.TimedOut(settings, ex);
            }
            catch (OperationCanceledException)
            {
                throw new OverallTimeout();
            }

            if (IsTransient(status))
            {
                return new Attempt
                {
                    Failure = TransientFailure(result.content, result.tooLarge, status, mediaType, settings, descriptor),
                    Transient = true,
                    RetryAfter = RetryAfter(response, settings, timeProvider),
                    ErrorType = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            }

            if (result.tooLarge)
            {
                return new Attempt
                {
                    Failure = new PeddlerProtocolException(
                        $"Peddler's token endpoint answered {(int)status} with a body over MaxResponseSize ({settings.MaxResponseSize} bytes); it was not read further.",
                        status,
                        mediaType),
                };
            }

            return status == HttpStatusCode.OK
                ? new Attempt { Token = ReadToken(result.content.Span, status, mediaType, settings, descriptor, timeProvider) }
                : new Attempt { Failure = ReadError(result.content.Span, status, mediaType, settings, descriptor) };
        }
    }

    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes of <paramref name="content"/>: refuses a larger
    /// <c>Content-Length</c> without reading, and stops at the first byte past the limit. A body of
    /// declared length is read into an array of that length; one of unknown length into pooled
    /// buffers that grow from 4 KiB to <c>limit</c> bytes (then a one-byte probe), copied out only
    /// if it fits.
    /// </summary>
    internal static async Task<(ReadOnlyMemory<byte> Content, bool TooLarge)> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        long? declared = content.Headers.ContentLength;
        if (declared > limit)
        {
            return (ReadOnlyMemory<byte>.Empty, true);
        }

        if (declared == 0)
        {
            return (ReadOnlyMemory<byte>.Empty, false);
        }

        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (declared is long length)
            {
                // Content-Length framing ends the body there.
                byte[] exact = new byte[length];
                int read = 0;
                while (read < exact.Length)
                {
                    int n = await stream.ReadAsync(exact.AsMemory(read), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                return (exact.AsMemory(0, read), false);
            }

            System.Buffers.ArrayPool<byte> pool = System.Buffers.ArrayPool<byte>.Shared;
            byte[] buffer = pool.Rent(Math.Min(4096, limit));
            try
            {
                int total = 0;
                while (true)
                {
                    int capacity = Math.Min(buffer.Length, limit);
                    if (total == capacity)
                    {
                        if (total == limit)
                        {
                            // Full: one more byte means over the limit (a probe, so the buffer never
                            // needs the next power of two up).
                            byte[] probe = buffer.Length > limit ? buffer : new byte[1];
                            int extra = await stream.ReadAsync(probe.AsMemory(probe == buffer ? limit : 0, 1), cancellationToken).ConfigureAwait(false);
                            return extra == 0 ? (buffer.AsSpan(0, total).ToArray(), false) : (ReadOnlyMemory<byte>.Empty, true);
                        }

                        byte[] larger = pool.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                        buffer.AsSpan(0, total).CopyTo(larger);
                        pool.Return(buffer);
                        buffer = larger;
                        continue;
                    }

                    int read = await stream.ReadAsync(buffer.AsMemory(total, capacity - total), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer.AsSpan(0, total).ToArray(), false);
                    }

                    total += read;
                }
            }
            finally
            {
                pool.Return(buffer);
            }
        }
    }

    /// <summary>
    /// A caller's HttpClient followed a redirect: logged (event 8), and a protocol error that says
    /// what happened and what to change. A 307/308 whose re-sent form <see cref="TokenFormContent"/>
    /// refused to write has no answer, so its status is 0.
    /// </summary>
    private static Attempt RedirectFollowed(
        Uri target,
        string kind,
        string happened,
        HttpStatusCode status,
        string? mediaType,
        Exception? inner,
        PeddlerRequestSettings settings,
        PeddlerClientDiagnostics diagnostics)
    {
        string shown = WithoutQuery(target);
        diagnostics.RedirectFollowed(shown);
        return new Attempt
        {
            Failure = new PeddlerProtocolException(
                $"The HttpClient calling Peddler's token endpoint {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} followed a redirect{kind} to {shown} {happened} " +
                "Use an HttpClient that does not follow redirects (AllowAutoRedirect = false, e.g. PeddlerHttp.CreateTokenHttpClient()) " +
                "and set TokenEndpoint to the final address.",
                status,
                mediaType,
                inner),
        };
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>A 3xx: never followed, so the form (with the secret) never reaches another address.</summary>
    private static PeddlerProtocolException Redirect(HttpResponseMessage response, HttpStatusCode status, string? mediaType, PeddlerRequestSettings settings)
    {
        Uri? location = response.Headers.Location;
        string target = location is null
            ? "no Location"
            : Uri.TryCreate(settings.TokenEndpoint, location, out Uri? resolved) ? WithoutQuery(resolved) : "an unreadable Location";
        return new PeddlerProtocolException(
            $"Peddler's token endpoint {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} answered {(int)status} (a redirect to {target}); " +
            "redirects are not followed, so the client secret is never sent to another address. Set TokenEndpoint to the final address if the move is genuine.",
            status,
            mediaType);
    }

    /// <summary>An absolute URI without user info, query and fragment, which may carry secrets.</summary>
    private static string WithoutQuery(Uri uri) =>
        uri.IsAbsoluteUri
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : uri.OriginalString.Split('?', '#')[0];

    /// <summary>
    /// A 5xx, 408 or 429: transient whatever the body says. After the retries the caller gets a
    /// <see cref="PeddlerException"/> with the status and the OAuth <c>error</c>, if the body had one.
    /// </summary>
    private static PeddlerException TransientFailure(
        ReadOnlyMemory<byte> content,
        bool tooLarge,
        HttpStatusCode status,
        string? mediaType,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor)
    {
        PeddlerErrorResponse? error = tooLarge ? null : TryReadError(content.Span, mediaType, descriptor);
        string? code = string.IsNullOrEmpty(error?.Error) ? null : Bounded(settings.Redact(error.Error)!);
        string? description = string.IsNullOrEmpty(error?.ErrorDescription) ? null : Bounded(settings.Redact(error.ErrorDescription)!);
        string what = code is null
            ? (tooLarge ? "a body over MaxResponseSize" : content.IsEmpty ? "an empty body" : $"'{mediaType ?? "no content type"}'")
            : description is null ? code : $"{code} ({description})";
        return new PeddlerException(
            $"Peddler's token endpoint {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} is unavailable: it answered {(int)status} with {what}.",
            status,
            code);
    }

    // Messages stay short whatever the server sends.
    private static string Bounded(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");

    /// <summary>
    /// Exponential backoff with jitter: the n-th retry waits between half and all of
    /// <c>RetryBaseDelay * 2^(n-1)</c>, capped at <c>MaxRetryDelay</c>, so that many clients
    /// failing together do not retry together.
    /// </summary>
    internal static TimeSpan Backoff(PeddlerRequestSettings settings, int attempt)
    {
        double exponential = settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        double capped = Math.Min(exponential, settings.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, PeddlerRequestSettings settings, TimeProvider timeProvider)
    {
        RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
        TimeSpan? asked = retryAfter?.Delta ?? (retryAfter?.Date - timeProvider.GetUtcNow());
        if (asked is TimeSpan wait)
        {
            if (wait < TimeSpan.Zero)
            {
                wait = TimeSpan.Zero;
            }

            return wait > settings.MaxRetryAfter ? settings.MaxRetryAfter : wait;
        }

        return null;
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is null
        || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> content) =>
        content.StartsWith("\uFEFF"u8) ? content[3..] : content;

    /// <summary>
    /// Reads a 200 token response (RFC 6749 §5.1). Whatever the bytes, the outcome is a token with
    /// a lifetime between 0 and <see cref="PeddlerRequestSettings.MaxTokenLifetime"/> or a
    /// <see cref="PeddlerProtocolException"/>: <c>expires_in</c> absent or null gives
    /// <c>DefaultTokenLifetime</c>; a whole number of seconds (or a numeric string) above 24 hours
    /// gives 24 hours; negative, fractional, non-numeric or beyond 64 bits is a protocol error.
    /// </summary>
    internal static PeddlerAccessToken ReadToken(
        ReadOnlySpan<byte> content,
        HttpStatusCode status,
        string? mediaType,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor,
        TimeProvider timeProvider)
    {
        if (!IsJson(mediaType))
        {
            throw new PeddlerProtocolException(
                $"Peddler's token endpoint answered {(int)status} with '{mediaType}' instead of a JSON token response.", status, mediaType);
        }

        PeddlerTokenResponse? body;
        try
        {
            body = JsonSerializer.Deserialize(WithoutBom(content), descriptor.TokenResponseTypeInfo);
        }
        catch (JsonException ex) when (ex.Path == "$.expires_in")
        {
            throw new PeddlerProtocolException(
                "Peddler's token response has an invalid expires_in: it must be a whole number of seconds.", status, mediaType, ex);
        }
        catch (JsonException ex)
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response is not valid JSON ({Describe(ex)}).", status, mediaType, ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // E.g. invalid UTF-8 inside a string: whatever the reader throws, it is the body's fault.
            throw new PeddlerProtocolException(
                $"Peddler's token response could not be read ({ex.GetType().Name}).", status, mediaType, ex);
        }

        if (body is null)
        {
            throw new PeddlerProtocolException("Peddler's token response is JSON null instead of an object.", status, mediaType);
        }

        if (string.IsNullOrEmpty(body.AccessToken))
        {
            throw new PeddlerProtocolException("Peddler's token response has no access_token.", status, mediaType);
        }

        if (!IsVisibleAscii(body.AccessToken))
        {
            // RFC 6749 A.12: 1*VSCHAR. Anything else would corrupt (or inject into) the Authorization header.
            throw new PeddlerProtocolException(
                "Peddler's token response has an access_token with characters outside printable ASCII.", status, mediaType);
        }

        if (body.TokenType is null)
        {
            throw new PeddlerProtocolException("Peddler's token response has no token_type (expected Bearer).", status, mediaType);
        }

        if (!body.TokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response has token_type '{Bounded(settings.Redact(body.TokenType)!)}'; only Bearer tokens are supported.", status, mediaType);
        }

        if (body.ExpiresIn is < 0)
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response has a negative expires_in ({body.ExpiresIn}).", status, mediaType);
        }

        TimeSpan lifetime = body.ExpiresIn is long seconds
            ? (seconds >= (long)PeddlerRequestSettings.MaxTokenLifetime.TotalSeconds ? PeddlerRequestSettings.MaxTokenLifetime : TimeSpan.FromSeconds(seconds))
            : (settings.DefaultTokenLifetime > PeddlerRequestSettings.MaxTokenLifetime ? PeddlerRequestSettings.MaxTokenLifetime : settings.DefaultTokenLifetime);
        string scope = string.IsNullOrWhiteSpace(body.Scope) ? settings.Scope : body.Scope;
        return new PeddlerAccessToken(body.AccessToken, body.TokenType, timeProvider.GetUtcNow() + lifetime, scope);
    }

    private static bool IsVisibleAscii(string value)
    {
        foreach (char c in value)
        {
            if (c is < '\x20' or > '\x7E')
            {
                return false;
            }
        }

        return true;
    }

    private static PeddlerErrorResponse? TryReadError(ReadOnlySpan<byte> content, string? mediaType, PeddlerClientDescriptor descriptor)
    {
        if (!IsJson(mediaType) || content.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(WithoutBom(content), descriptor.ErrorResponseTypeInfo);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads a non-transient error answer (4xx other than 408/429, or an unexpected 2xx): an OAuth
    /// error body is a <see cref="PeddlerAuthenticationException"/>, anything else a <see cref="PeddlerProtocolException"/>.
    /// </summary>
    internal static PeddlerException ReadError(
        ReadOnlySpan<byte> content,
        HttpStatusCode status,
        string? mediaType,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor)
    {
        if (IsJson(mediaType) && !content.IsEmpty && (int)status is >= 400 and < 500)
        {
            try
            {
                PeddlerErrorResponse? error = JsonSerializer.Deserialize(WithoutBom(content), descriptor.ErrorResponseTypeInfo);
                if (!string.IsNullOrEmpty(error?.Error))
                {
                    string code = settings.Redact(error.Error)!;
                    return new PeddlerAuthenticationException(
                        status,
                        code,
                        settings.Redact(error.ErrorDescription),
                        settings.Redact(error.ErrorUri),
                        PeddlerAuthenticationException.RefusesClientFor(code)
                            ? $"The client '{settings.ClientId}' was refused: check its client id and secret."
                            : $"The scope '{settings.Scope}' was refused: the carrier id (or scope) is not allowed for client '{settings.ClientId}'; its credentials are fine.");
                }
            }
            catch (JsonException ex)
            {
                return new PeddlerProtocolException(
                    $"Peddler's token endpoint answered {(int)status} with malformed JSON ({Describe(ex)}).", status, mediaType, ex);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return new PeddlerProtocolException(
                    $"Peddler's token endpoint answered {(int)status} with unreadable JSON ({ex.GetType().Name}).", status, mediaType, ex);
            }
        }

        string shape = content.IsEmpty ? "an empty body" : $"'{mediaType ?? "no content type"}'";
        return new PeddlerProtocolException(
            $"Peddler's token endpoint answered {(int)status} with {shape}, not an OAuth error response.", status, mediaType);
    }

    // Position only: the message of a JsonException can quote the body.
    private static string Describe(JsonException ex) =>
        ex.LineNumber is long line
            ? $"at line {line + 1}, byte {ex.BytePositionInLine + 1}"
            : "unreadable";
}
