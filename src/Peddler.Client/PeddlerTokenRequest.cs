using System;
using System.Diagnostics;
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
/// overall timeout, and the response read strictly by RFC 6749 §5.1/§5.2.
/// </summary>
internal static class PeddlerTokenRequest
{
    private const string FormMediaType = "application/x-www-form-urlencoded";

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
    /// </summary>
    public static async Task<PeddlerAccessToken> AcquireAsync(
        HttpClient httpClient,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor,
        ReadOnlyMemory<byte> body,
        TimeProvider timeProvider,
        PeddlerClientDiagnostics diagnostics,
        string trigger)
    {
        using Activity? activity = diagnostics.StartAcquire(trigger);
        long startedAt = timeProvider.GetTimestamp();
        var progress = new Progress(activity);
        try
        {
            PeddlerAccessToken token = await AcquireWithRetriesAsync(httpClient, settings, descriptor, body, timeProvider, diagnostics, progress).ConfigureAwait(false);
            diagnostics.Succeeded(activity, token, trigger, progress.Attempts, timeProvider.GetElapsedTime(startedAt), token.ExpiresAt - timeProvider.GetUtcNow());
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
        Progress progress)
    {
        using var timeout = new CancellationTokenSource(settings.Timeout, timeProvider);
        long deadline = timeProvider.GetTimestamp() + (long)(settings.Timeout.TotalSeconds * timeProvider.TimestampFrequency);
        Exception? lastFailure = null;
        int attempt = 0;
        try
        {
            while (true)
            {
                attempt++;
                progress.Attempts = attempt;
                Attempt outcome = await SendOnceAsync(httpClient, settings, descriptor, body, timeProvider, timeout.Token).ConfigureAwait(false);
                if (outcome.Token is not null)
                {
                    return outcome.Token;
                }

                lastFailure = outcome.Failure!;
                if (!outcome.Transient || attempt > settings.MaxRetries)
                {
                    throw Final(lastFailure, attempt, settings);
                }

                TimeSpan delay = outcome.RetryAfter ?? Backoff(settings, attempt);

                TimeSpan remaining = TimeSpan.FromSeconds((deadline - timeProvider.GetTimestamp()) / (double)timeProvider.TimestampFrequency);
                if (delay >= remaining)
                {
                    // Waiting would outlast the overall timeout: report the failure now.
                    throw Final(lastFailure, attempt, settings);
                }

                diagnostics.Retrying(progress.Activity, attempt, outcome.ErrorType!, settings.Redact(lastFailure.Message)!, delay);
                await Task.Delay(delay, timeProvider, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{descriptor.ClientName}: no token from {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} within {settings.Timeout} ({attempt} attempt(s)).",
                lastFailure);
        }
    }

    private static Exception Final(Exception failure, int attempts, PeddlerRequestSettings settings) =>
        failure is HttpRequestException or TaskCanceledException or System.IO.IOException
            ? new PeddlerException(
                $"Peddler's token endpoint {settings.TokenEndpoint.GetLeftPart(UriPartial.Path)} could not be reached ({attempts} attempt(s)): {settings.Redact(failure.Message)}",
                failure)
            : failure;

    private readonly struct Attempt
    {
        public PeddlerAccessToken? Token { get; init; }

        public Exception? Failure { get; init; }

        /// <summary>Whether the failure may go away on its own (connection error, 408, 429, 5xx).</summary>
        public bool Transient { get; init; }

        /// <summary>The server's <c>Retry-After</c>, already bounded by <c>MaxRetryAfter</c>.</summary>
        public TimeSpan? RetryAfter { get; init; }

        /// <summary>For a transient failure, its <c>error.type</c>: the status code, <c>unreachable</c> or <c>timeout</c>.</summary>
        public string? ErrorType { get; init; }
    }

    private static async Task<Attempt> SendOnceAsync(
        HttpClient httpClient,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor,
        ReadOnlyMemory<byte> body,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.TokenEndpoint)
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(FormMediaType);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        byte[] content;
        try
        {
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException)
        {
            // Connection refused, reset or dropped, also mid-body (HttpIOException): transient.
            return new Attempt { Failure = ex, Transient = true, ErrorType = PeddlerClientDiagnostics.Outcome.Unreachable };
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout elapsed for this attempt: transient.
            return new Attempt { Failure = ex, Transient = true, ErrorType = PeddlerClientDiagnostics.Outcome.Timeout };
        }

        using (response)
        {
            HttpStatusCode status = response.StatusCode;
            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (status == HttpStatusCode.OK)
            {
                return new Attempt { Token = ReadToken(content, status, mediaType, settings, descriptor, timeProvider) };
            }

            Exception failure = ReadError(content, status, mediaType, settings, descriptor);
            return IsTransient(status)
                ? new Attempt
                {
                    Failure = failure,
                    Transient = true,
                    RetryAfter = RetryAfter(response, settings, timeProvider),
                    ErrorType = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
                }
                : new Attempt { Failure = failure };
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

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

    private static PeddlerAccessToken ReadToken(
        byte[] content,
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
            body = JsonSerializer.Deserialize(content, descriptor.TokenResponseTypeInfo);
        }
        catch (JsonException ex) when (ex.Path == "$.expires_in")
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response has an invalid expires_in: it must be a number of seconds.", status, mediaType, ex);
        }
        catch (JsonException ex)
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response is not valid JSON ({Describe(ex)}).", status, mediaType, ex);
        }

        if (body is null)
        {
            throw new PeddlerProtocolException("Peddler's token response is JSON null instead of an object.", status, mediaType);
        }

        if (string.IsNullOrEmpty(body.AccessToken))
        {
            throw new PeddlerProtocolException("Peddler's token response has no access_token.", status, mediaType);
        }

        if (body.TokenType is null)
        {
            throw new PeddlerProtocolException("Peddler's token response has no token_type (expected Bearer).", status, mediaType);
        }

        if (!body.TokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response has token_type '{body.TokenType}'; only Bearer tokens are supported.", status, mediaType);
        }

        if (body.ExpiresIn is < 0)
        {
            throw new PeddlerProtocolException(
                $"Peddler's token response has a negative expires_in ({body.ExpiresIn}).", status, mediaType);
        }

        TimeSpan lifetime = body.ExpiresIn is long seconds ? TimeSpan.FromSeconds(seconds) : settings.DefaultTokenLifetime;
        string scope = string.IsNullOrWhiteSpace(body.Scope) ? settings.Scope : body.Scope;
        return new PeddlerAccessToken(body.AccessToken, body.TokenType, timeProvider.GetUtcNow() + lifetime, scope);
    }

    private static Exception ReadError(
        byte[] content,
        HttpStatusCode status,
        string? mediaType,
        PeddlerRequestSettings settings,
        PeddlerClientDescriptor descriptor)
    {
        if (IsJson(mediaType) && content.Length > 0)
        {
            try
            {
                PeddlerErrorResponse? error = JsonSerializer.Deserialize(content, descriptor.ErrorResponseTypeInfo);
                if (!string.IsNullOrEmpty(error?.Error))
                {
                    return new PeddlerAuthenticationException(
                        status,
                        settings.Redact(error.Error)!,
                        settings.Redact(error.ErrorDescription),
                        settings.Redact(error.ErrorUri));
                }
            }
            catch (JsonException ex)
            {
                return new PeddlerProtocolException(
                    $"Peddler's token endpoint answered {(int)status} with malformed JSON ({Describe(ex)}).", status, mediaType, ex);
            }
        }

        string shape = content.Length == 0 ? "an empty body" : $"'{mediaType ?? "no content type"}'";
        return new PeddlerProtocolException(
            $"Peddler's token endpoint answered {(int)status} with {shape}, not an OAuth error response.", status, mediaType);
    }

    // Position only: the message of a JsonException can quote the body.
    private static string Describe(JsonException ex) =>
        ex.LineNumber is long line
            ? $"at line {line + 1}, byte {ex.BytePositionInLine + 1}"
            : "unreadable";
}
