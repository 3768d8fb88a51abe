using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Diagnostics;
using Peddler.Protocol;

namespace Peddler.Endpoint;

/// <summary>
/// One POST of the encoded form to the token endpoint and the reading of its answer, within one
/// <see cref="AttemptBudget"/>; every way it can end is an <see cref="AttemptOutcome"/>. A redirect
/// is never followed, and the answer of a redirect a caller's HttpClient followed is refused.
/// </summary>
internal sealed class TokenAttempt(
    PeddlerRequestSettings settings, ReadOnlyMemory<byte> form, TokenResponseReader reader, PeddlerClientDiagnostics diagnostics, TimeProvider timeProvider)
{
    public async Task<AttemptOutcome> SendAsync(HttpClient httpClient, TimeSpan remaining)
    {
        var content = new TokenFormContent(form, settings.TokenEndpoint);
        using HttpRequestMessage request = content.Bind(new HttpRequestMessage(HttpMethod.Post, settings.TokenEndpoint));
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        using AttemptBudget budget = AttemptBudget.Start(settings.AttemptTimeout, remaining, timeProvider);
        try
        {
            using HttpResponseMessage response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, budget.Token).ConfigureAwait(false);
            return await ReadAnswerAsync(response, budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (content.RedirectedTo is { } redirectedTo)
        {
            // The caller's HttpClient followed a 307/308; the form refused to be written there. Not transient.
            return AttemptOutcome.Failed(Redirects.FormRefused(redirectedTo, ex, settings, diagnostics));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // Connection refused, reset or dropped, before or during the body (HttpIOException): transient.
            return AttemptOutcome.Unreachable(ex);
        }
        catch (OperationCanceledException) when (budget.OverallEnded)
        {
            return AttemptOutcome.OutOfTime();
        }
        catch (OperationCanceledException ex)
        {
            // The attempt timeout (or the HttpClient's own Timeout) elapsed: transient.
            return AttemptOutcome.TimedOut(ex);
        }
    }

    private async Task<AttemptOutcome> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HttpStatusCode status = response.StatusCode;
        string? mediaType = response.Content.Headers.ContentType?.MediaType;

        // A caller's HttpClient that follows redirects has already re-sent the form elsewhere:
        // refuse its answer and say why, so the client can be fixed.
        Uri? answeredBy = response.RequestMessage?.RequestUri;
        if (answeredBy is not null && answeredBy != settings.TokenEndpoint)
        {
            return AttemptOutcome.Failed(Redirects.AnswerRefused(answeredBy, status, mediaType, settings, diagnostics));
        }

        if ((int)status is >= 300 and < 400)
        {
            return AttemptOutcome.Failed(Redirects.Answered(response, status, mediaType, settings));
        }

        (ReadOnlyMemory<byte> body, bool tooLarge) = await BoundedContent.ReadAsync(response.Content, settings.MaxResponseSize, cancellationToken).ConfigureAwait(false);
        if (IsTransient(status))
        {
            return AttemptOutcome.Unavailable(
                reader.ReadUnavailable(body.Span, tooLarge, status, mediaType),
                ((int)status).ToString(CultureInfo.InvariantCulture),
                RetryAfter(response.Headers.RetryAfter));
        }

        if (tooLarge)
        {
            return AttemptOutcome.Failed(reader.TooLarge(status, mediaType));
        }

        if (status != HttpStatusCode.OK)
        {
            return AttemptOutcome.Failed(reader.ReadError(body.Span, status, mediaType));
        }

        try
        {
            return AttemptOutcome.Succeeded(reader.ReadToken(body.Span, status, mediaType, timeProvider.GetUtcNow()));
        }
        catch (PeddlerProtocolException ex)
        {
            return AttemptOutcome.Failed(ex);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The server's <c>Retry-After</c> (seconds or an HTTP date), between zero and <c>MaxRetryAfter</c>.</summary>
    private TimeSpan? RetryAfter(RetryConditionHeaderValue? retryAfter)
    {
        TimeSpan? asked = retryAfter?.Delta ?? (retryAfter?.Date - timeProvider.GetUtcNow());
        if (asked is not TimeSpan wait)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > settings.MaxRetryAfter ? settings.MaxRetryAfter : wait;
    }
}
