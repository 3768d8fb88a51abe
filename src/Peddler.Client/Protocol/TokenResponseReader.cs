using System;
using System.Net;
using System.Text.Json;
using Peddler.Core;

namespace Peddler.Protocol;

/// <summary>
/// Turns the bytes of a token endpoint's answer into a token or a typed failure, strictly by
/// RFC 6749 §5.1/§5.2. Pure: no I/O and no clock (the caller gives the time); whatever the bytes,
/// the outcome is a token or a <see cref="PeddlerException"/>, and messages never quote the body
/// beyond the bounded, redacted OAuth fields.
/// </summary>
internal sealed class TokenResponseReader(PeddlerRequestSettings settings, PeddlerClientDescriptor descriptor)
{
    // Messages stay short whatever the server sends.
    private const int LongestField = 200;

    /// <summary>
    /// Reads a 200 token response (RFC 6749 §5.1): a token with a lifetime between 0 and
    /// <see cref="PeddlerRequestSettings.MaxTokenLifetime"/> (see <see cref="TokenLifetime"/>), or a
    /// <see cref="PeddlerProtocolException"/>. <c>expires_in</c> absent or null gives
    /// <c>DefaultTokenLifetime</c>; negative, fractional, non-numeric or beyond 64 bits is a protocol error.
    /// </summary>
    public PeddlerAccessToken ReadToken(ReadOnlySpan<byte> content, HttpStatusCode status, string? mediaType, DateTimeOffset now)
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

        TimeSpan lifetime = body.ExpiresIn is long seconds ? TokenLifetime.FromSeconds(seconds) : TokenLifetime.Bound(settings.DefaultTokenLifetime);
        string scope = string.IsNullOrWhiteSpace(body.Scope) ? settings.Scope : body.Scope;
        return new PeddlerAccessToken(body.AccessToken, body.TokenType, now + lifetime, scope);
    }

    /// <summary>
    /// Reads a non-transient error answer (4xx other than 408/429, or an unexpected 2xx): an OAuth
    /// error body is a <see cref="PeddlerAuthenticationException"/>, anything else a <see cref="PeddlerProtocolException"/>.
    /// </summary>
    public PeddlerException ReadError(ReadOnlySpan<byte> content, HttpStatusCode status, string? mediaType)
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

    /// <summary>
    /// Reads a 5xx, 408 or 429: transient whatever the body says, a <see cref="PeddlerException"/>
    /// with the status and the OAuth <c>error</c>, if the body had one.
    /// </summary>
    public PeddlerException ReadUnavailable(ReadOnlySpan<byte> content, bool tooLarge, HttpStatusCode status, string? mediaType)
    {
        PeddlerErrorResponse? error = tooLarge ? null : TryReadError(content, mediaType);
        string? code = string.IsNullOrEmpty(error?.Error) ? null : Bounded(settings.Redact(error.Error)!);
        string? description = string.IsNullOrEmpty(error?.ErrorDescription) ? null : Bounded(settings.Redact(error.ErrorDescription)!);
        string what = code is null
            ? (tooLarge ? "a body over MaxResponseSize" : content.IsEmpty ? "an empty body" : $"'{mediaType ?? "no content type"}'")
            : description is null ? code : $"{code} ({description})";
        return new PeddlerException(
            $"Peddler's token endpoint {settings.EndpointDisplay} is unavailable: it answered {(int)status} with {what}.",
            status,
            code);
    }

    /// <summary>A non-transient answer whose body is over <c>MaxResponseSize</c>: not read further.</summary>
    public PeddlerProtocolException TooLarge(HttpStatusCode status, string? mediaType) => new(
        $"Peddler's token endpoint answered {(int)status} with a body over MaxResponseSize ({settings.MaxResponseSize} bytes); it was not read further.",
        status,
        mediaType);

    /// <summary>Whether <paramref name="value"/> is RFC 6749's <c>VSCHAR</c>s: printable ASCII, space included.</summary>
    internal static bool IsVisibleAscii(string value)
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

    private PeddlerErrorResponse? TryReadError(ReadOnlySpan<byte> content, string? mediaType)
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

    private static bool IsJson(string? mediaType) =>
        mediaType is null
        || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> content) =>
        content.StartsWith("\uFEFF"u8) ? content[3..] : content;

    private static string Bounded(string text) => text.Length <= LongestField ? text : string.Concat(text.AsSpan(0, LongestField), "…");

    // Position only: the message of a JsonException can quote the body.
    private static string Describe(JsonException ex) =>
        ex.LineNumber is long line
            ? $"at line {line + 1}, byte {ex.BytePositionInLine + 1}"
            : "unreadable";
}
