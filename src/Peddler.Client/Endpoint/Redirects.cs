using System;
using System.Net;
using System.Net.Http;
using Peddler.Diagnostics;

namespace Peddler.Endpoint;

/// <summary>
/// The failures of a redirect: never followed by the client, so the form (with the secret) never
/// reaches another address; a caller's <see cref="HttpClient"/> that follows one is refused and told how to fix it.
/// </summary>
internal static class Redirects
{
    /// <summary>A 3xx answer: not followed.</summary>
    public static PeddlerProtocolException Answered(HttpResponseMessage response, HttpStatusCode status, string? mediaType, PeddlerRequestSettings settings)
    {
        Uri? location = response.Headers.Location;
        string target = location is null
            ? "no Location"
            : Uri.TryCreate(settings.TokenEndpoint, location, out Uri? resolved) ? PeddlerRequestSettings.DisplayOf(resolved) : "an unreadable Location";
        return new PeddlerProtocolException(
            $"Peddler's token endpoint {settings.EndpointDisplay} answered {(int)status} (a redirect to {target}); " +
            "redirects are not followed, so the client secret is never sent to another address. Set TokenEndpoint to the final address if the move is genuine.",
            status,
            mediaType);
    }

    /// <summary>
    /// The caller's HttpClient followed a 307/308 and was about to re-send the form elsewhere;
    /// <see cref="Protocol.TokenFormContent"/> refused to be written there, so there is no answer (status 0).
    /// </summary>
    public static PeddlerProtocolException FormRefused(Uri target, Exception inner, PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics) => new(
        FollowedMessage(target, " (307/308)", "and tried to re-send the form there; the form, which carries the client secret, was not sent.", settings, diagnostics),
        0,
        null,
        inner);

    /// <summary>The caller's HttpClient followed a redirect and brought back another address's answer: refused.</summary>
    public static PeddlerProtocolException AnswerRefused(Uri answeredBy, HttpStatusCode status, string? mediaType, PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics) => new(
        FollowedMessage(answeredBy, "", "(the form with the client secret was not sent there); its answer is refused.", settings, diagnostics),
        status,
        mediaType);

    // Logged (event 8), and a message that says what happened and what to change.
    private static string FollowedMessage(Uri target, string kind, string happened, PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics)
    {
        string shown = PeddlerRequestSettings.DisplayOf(target);
        diagnostics.RedirectFollowed(shown);
        return $"The HttpClient calling Peddler's token endpoint {settings.EndpointDisplay} followed a redirect{kind} to {shown} {happened} " +
            "Use an HttpClient that does not follow redirects (AllowAutoRedirect = false, e.g. PeddlerHttp.CreateTokenHttpClient()) " +
            "and set TokenEndpoint to the final address.";
    }
}
