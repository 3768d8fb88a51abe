using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Peddler.Testing;

// The request handling: one RequestDelegate dispatches on the exact path, no routing, no model
// binding, no reflection.
public sealed partial class PeddlerAuthorizationServer
{
    private const string FormMediaType = "application/x-www-form-urlencoded";
    private const string ClientCredentials = "client_credentials";

    private Task HandleAsync(HttpContext context)
    {
        string? path = context.Request.Path.Value;
        if (string.Equals(path, TokenPath, StringComparison.Ordinal))
        {
            return HandleTokenAsync(context);
        }

        if (string.Equals(path, ApiPath, StringComparison.Ordinal))
        {
            return HandleApiAsync(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private async Task HandleTokenAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await SendAsync(context, StatusCodes.Status405MethodNotAllowed, JsonBodies.MediaType,
                JsonBodies.Error("invalid_request", "The token endpoint accepts POST only."), noStore: true).ConfigureAwait(false);
            return;
        }

        DateTimeOffset receivedAt = _timeProvider.GetUtcNow();
        Interlocked.Increment(ref _tokenRequestCount);
        SignalWaiters();
        PeddlerFault? fault = Faults.TryTake();
        string? contentType = request.Headers.ContentType.Count == 0 ? null : request.Headers.ContentType.ToString();

        TokenForm form;
        try
        {
            form = await ReadTokenFormAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client went away while sending the body.
            Log(new PeddlerTokenRequestRecord(receivedAt, contentType, [], null, null, fault?.Kind, null));
            return;
        }

        IReadOnlyList<KeyValuePair<string, string>> logged = Masked(form.Fields);
        string? secretFingerprint = SecretFingerprint(form.Fields);
        if (fault is not null && fault.Kind != PeddlerFaultKind.Delay)
        {
            Log(new PeddlerTokenRequestRecord(receivedAt, contentType, logged, fault.Kind == PeddlerFaultKind.DropConnection ? null : fault.StatusCode, null, fault.Kind, secretFingerprint));
            await SendFaultAsync(context, fault).ConfigureAwait(false);
            return;
        }

        if (fault is not null && !await DelayAsync(context, fault.DelayTime).ConfigureAwait(false))
        {
            Log(new PeddlerTokenRequestRecord(receivedAt, contentType, logged, null, null, fault.Kind, secretFingerprint));
            return;
        }

        Answer answer = DecideToken(form, request);
        Log(new PeddlerTokenRequestRecord(receivedAt, contentType, logged, answer.StatusCode, answer.Error, fault?.Kind, secretFingerprint));
        await SendAsync(context, answer.StatusCode, JsonBodies.MediaType, answer.Body, noStore: true).ConfigureAwait(false);
    }

    private async Task HandleApiAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET";
            await SendAsync(context, StatusCodes.Status405MethodNotAllowed, JsonBodies.MediaType,
                JsonBodies.Description("The API endpoint accepts GET only."), noStore: false).ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _apiRequestCount);
        SignalWaiters();
        PeddlerFault? fault = ApiFaults.TryTake();
        if (fault is not null && fault.Kind != PeddlerFaultKind.Delay)
        {
            await SendFaultAsync(context, fault).ConfigureAwait(false);
            return;
        }

        if (fault is not null && !await DelayAsync(context, fault.DelayTime).ConfigureAwait(false))
        {
            return;
        }

        if (!TryReadBearer(context.Request.Headers.Authorization, out string? token))
        {
            // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await SendAsync(context, StatusCodes.Status401Unauthorized, JsonBodies.MediaType,
                JsonBodies.Description("The request has no 'Authorization: Bearer <token>' header."), noStore: false).ConfigureAwait(false);
            return;
        }

        string? problem = null;
        if (!_tokens.TryGetValue(token, out IssuedToken? issued))
        {
            problem = "The access token was not issued by this server, or was revoked.";
        }
        else if (_timeProvider.GetUtcNow() >= issued.ExpiresAt)
        {
            _tokens.TryRemove(token, out _);
            problem = "The access token expired.";
        }

        if (problem is not null || issued is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await SendAsync(context, StatusCodes.Status401Unauthorized, JsonBodies.MediaType,
                JsonBodies.Error("invalid_token", problem ?? "The access token is invalid."), noStore: false).ConfigureAwait(false);
            return;
        }

        await SendAsync(context, StatusCodes.Status200OK, JsonBodies.MediaType,
            JsonBodies.Carrier(issued.CarrierId, issued.ClientId, issued.Scope), noStore: false).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the body as a form only when the content type is exactly
    /// <c>application/x-www-form-urlencoded</c> (parameters such as <c>charset</c> allowed).
    /// </summary>
    private static async Task<TokenForm> ReadTokenFormAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        StringValues header = request.Headers.ContentType;
        if (header.Count == 0)
        {
            return TokenForm.Rejected("The request has no Content-Type; send the parameters as application/x-www-form-urlencoded.");
        }

        if (header.Count > 1
            || !MediaTypeHeaderValue.TryParse(header.ToString(), out MediaTypeHeaderValue? mediaType)
            || !mediaType.MediaType.Equals(FormMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return TokenForm.Rejected($"The Content-Type must be application/x-www-form-urlencoded (got '{header}').");
        }

        IFormCollection collection;
        try
        {
            collection = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            // Form limits exceeded (too many or too long fields).
            return TokenForm.Rejected("The request body is not a readable application/x-www-form-urlencoded form.");
        }
        catch (BadHttpRequestException)
        {
            return TokenForm.Rejected("The request body could not be read.");
        }

        var fields = new List<KeyValuePair<string, string>>(collection.Count);
        foreach (KeyValuePair<string, StringValues> field in collection)
        {
            foreach (string? value in field.Value)
            {
                fields.Add(new KeyValuePair<string, string>(field.Key, value ?? string.Empty));
            }
        }

        return new TokenForm(fields, null);
    }

    private static List<KeyValuePair<string, string>> Masked(List<KeyValuePair<string, string>> fields)
    {
        var masked = new List<KeyValuePair<string, string>>(fields.Count);
        foreach (KeyValuePair<string, string> field in fields)
        {
            masked.Add(field.Key.Equals("client_secret", StringComparison.OrdinalIgnoreCase)
                ? new KeyValuePair<string, string>(field.Key, PeddlerTokenRequestRecord.Mask)
                : field);
        }

        return masked;
    }

    /// <summary>The fingerprint of the first <c>client_secret</c> field (exact name, as the server reads it), or null.</summary>
    private static string? SecretFingerprint(List<KeyValuePair<string, string>> fields)
    {
        foreach (KeyValuePair<string, string> field in fields)
        {
            if (string.Equals(field.Key, "client_secret", StringComparison.Ordinal))
            {
                return PeddlerTokenRequestRecord.SecretFingerprintOf(field.Value);
            }
        }

        return null;
    }

    /// <summary>Peddler's token endpoint logic, checked in RFC 6749 order: request, grant, client, scope.</summary>
    private Answer DecideToken(TokenForm form, HttpRequest request)
    {
        if (form.Problem is not null)
        {
            return Answer.BadRequest("invalid_request", form.Problem);
        }

        // Parameter names are case-sensitive (RFC 6749 §3.2), but the form collection is not:
        // look the exact names up here.
        string? grantType = null, clientId = null, clientSecret = null, scope = null;
        int grantTypes = 0, clientIds = 0, clientSecrets = 0, scopes = 0;
        foreach (KeyValuePair<string, string> field in form.Fields)
        {
            switch (field.Key)
            {
                case "grant_type":
                    grantType ??= field.Value;
                    grantTypes++;
                    break;
                case "client_id":
                    clientId ??= field.Value;
                    clientIds++;
                    break;
                case "client_secret":
                    clientSecret ??= field.Value;
                    clientSecrets++;
                    break;
                case "scope":
                    scope ??= field.Value;
                    scopes++;
                    break;
            }
        }

        string? repeated = grantTypes > 1 ? "grant_type" : clientIds > 1 ? "client_id" : clientSecrets > 1 ? "client_secret" : scopes > 1 ? "scope" : null;
        if (repeated is not null)
        {
            return Answer.BadRequest("invalid_request", $"The parameter '{repeated}' is repeated; each parameter may appear once (RFC 6749 §3.2).");
        }

        if (string.IsNullOrEmpty(grantType))
        {
            return Answer.BadRequest("invalid_request", "The request has no grant_type; Peddler requires grant_type=client_credentials.");
        }

        if (!string.Equals(grantType, ClientCredentials, StringComparison.Ordinal))
        {
            return Answer.BadRequest("unsupported_grant_type", $"The grant_type '{grantType}' is not supported; use client_credentials.");
        }

        if (request.Query.ContainsKey("client_secret"))
        {
            return Answer.BadRequest("invalid_request", "The client_secret must be sent in the request body, never in the URL.");
        }

        if (request.Headers.Authorization.Count > 0)
        {
            return Answer.BadRequest("invalid_request",
                "Send client_id and client_secret in the request body (client_secret_post); the Authorization header is not supported here.");
        }

        if (string.IsNullOrEmpty(clientId))
        {
            return Answer.BadRequest("invalid_request", "The request has no client_id.");
        }

        if (string.IsNullOrEmpty(clientSecret))
        {
            return Answer.BadRequest("invalid_request", "The request has no client_secret.");
        }

        if (!Authenticate(clientId, clientSecret, out RegisteredClient? client))
        {
            return new Answer(StatusCodes.Status403Forbidden, "access_denied",
                JsonBodies.Error("access_denied", "Invalid subject: " + clientId));
        }

        string? carrier = null;
        if (scope is not null)
        {
            foreach (string token in Scopes.Split(scope))
            {
                if (token is Scopes.Default or Scopes.Authenticated)
                {
                    continue;
                }

                if (carrier is null && client.Allows(token))
                {
                    carrier = token;
                    continue;
                }

                return Answer.BadRequest("invalid_scope", DescribeRefusedScope(token, client));
            }
        }

        string granted = carrier is not null ? Scopes.Base + " " + carrier : Scopes.Base;
        string accessToken = TokenValues.NewToken();
        long expiresIn = (long)TokenLifetime.TotalSeconds;
        DateTimeOffset expiresAt = _timeProvider.GetUtcNow() + TimeSpan.FromSeconds(expiresIn);
        _tokens[accessToken] = new IssuedToken(client.ClientId, carrier, granted, expiresAt);
        return new Answer(StatusCodes.Status200OK, null, JsonBodies.Token(accessToken, expiresIn, granted));
    }

    private static string DescribeRefusedScope(string token, RegisteredClient client)
    {
        // Every carrier of the client (AddCarriers' too), the first few by name: a platform may have thousands.
        const int Named = 5;
        string[] carriers = (client.CarrierId is null ? client.MoreCarriers : client.MoreCarriers.Remove(client.CarrierId))
            .Order(StringComparer.Ordinal)
            .Prepend(client.CarrierId)
            .OfType<string>()
            .ToArray();
        string allowed = "DEFAULT, authenticated"
            + string.Concat(carriers.Take(Named).Select(carrier => ", " + carrier))
            + (carriers.Length > Named ? $" and {carriers.Length - Named} more carriers" : string.Empty);
        string shown = Scopes.IsScopeToken(token) ? token : "(invalid characters)";
        string hint = token == Scopes.DocumentationPlaceholder
            ? " Replace the documentation's placeholder CARRIER_ID with your carrier id."
            : string.Empty;
        return $"The scope '{shown}' is not allowed for this client; allowed: {allowed}.{hint}";
    }

    /// <summary>Compares the secret in constant time, also for unknown clients, so timing reveals neither.</summary>
    private bool Authenticate(string clientId, string clientSecret, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisteredClient? client)
    {
        bool known = _clients.TryGetValue(clientId, out client);
        bool secretMatches = TokenValues.SecretEquals(known ? client!.ClientSecret : "\0unknown-client\0", clientSecret);
        return known && secretMatches;
    }

    private static bool TryReadBearer(StringValues authorization, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? token)
    {
        token = null;
        if (authorization.Count != 1)
        {
            return false;
        }

        string value = authorization.ToString().Trim();
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !value.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string candidate = value[(space + 1)..].Trim(' ');
        if (candidate.Length == 0)
        {
            return false;
        }

        token = candidate;
        return true;
    }

    /// <summary>Waits on the server's clock; false when the client aborted or the server is stopping.</summary>
    private async Task<bool> DelayAsync(HttpContext context, TimeSpan delay)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(delay, _timeProvider, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            if (!context.RequestAborted.IsCancellationRequested)
            {
                context.Abort();
            }

            return false;
        }
    }

    // One chunk of an endless body, shared by every request: the server holds no more than this.
    private static readonly byte[] s_endlessChunk = CreateEndlessChunk();

    private static byte[] CreateEndlessChunk()
    {
        byte[] chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'a');
        return chunk;
    }

    private async Task SendFaultAsync(HttpContext context, PeddlerFault fault)
    {
        if (fault.Kind == PeddlerFaultKind.DropConnection)
        {
            context.Abort();
            return;
        }

        if (fault.Kind == PeddlerFaultKind.EndlessBody)
        {
            await SendEndlessBodyAsync(context, fault).ConfigureAwait(false);
            return;
        }

        HttpResponse response = context.Response;
        response.StatusCode = fault.StatusCode;
        if (fault.ContentType is not null)
        {
            response.Headers.ContentType = fault.ContentType;
        }

        foreach (KeyValuePair<string, string> header in fault.Headers)
        {
            response.Headers.Append(header.Key, header.Value);
        }

        response.ContentLength = fault.Body.Length;
        await WriteBodyAsync(context, fault.Body).ConfigureAwait(false);
    }

    private async Task SendEndlessBodyAsync(HttpContext context, PeddlerFault fault)
    {
        HttpResponse response = context.Response;
        response.StatusCode = fault.StatusCode;
        response.Headers.ContentType = fault.ContentType;
        foreach (KeyValuePair<string, string> header in fault.Headers)
        {
            response.Headers.Append(header.Key, header.Value);
        }

        if (fault.DeclaresLength)
        {
            response.ContentLength = fault.BodyLength;
        }

        // Through the PipeWriter: its flush result says when the client has gone away (Kestrel
        // accepts Stream writes after that without an error).
        System.IO.Pipelines.PipeWriter writer = response.BodyWriter;
        long remaining = fault.BodyLength;
        try
        {
            // Counted when handed to the response, before the write completes: a client can read
            // the bytes before the awaited write returns here.
            ReadOnlyMemory<byte> prefix = "{\"access_token\":\""u8.ToArray();
            Interlocked.Add(ref _faultBodyBytesSent, prefix.Length);
            System.IO.Pipelines.FlushResult result = await writer.WriteAsync(prefix, context.RequestAborted).ConfigureAwait(false);
            remaining -= prefix.Length;
            while (remaining > 0 && !result.IsCompleted && !result.IsCanceled
                && !_stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                int size = (int)Math.Min(remaining, s_endlessChunk.Length);
                Interlocked.Add(ref _faultBodyBytesSent, size);
                result = await writer.WriteAsync(s_endlessChunk.AsMemory(0, size), context.RequestAborted).ConfigureAwait(false);
                remaining -= size;
                if ((remaining / size) % 16 == 0)
                {
                    // Let the transport's abort notification run on a busy machine.
                    await Task.Yield();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client stopped reading and went away, as it should.
        }
    }

    private static async Task SendAsync(HttpContext context, int statusCode, string contentType, ReadOnlyMemory<byte> body, bool noStore)
    {
        HttpResponse response = context.Response;
        response.StatusCode = statusCode;
        response.Headers.ContentType = contentType;
        if (noStore)
        {
            response.Headers.CacheControl = "no-store";
            response.Headers.Pragma = "no-cache";
        }

        response.ContentLength = body.Length;
        await WriteBodyAsync(context, body).ConfigureAwait(false);
    }

    private static async Task WriteBodyAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return;
        }

        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
    }

    /// <summary>The form fields as received, or why the body is not a form.</summary>
    private sealed record TokenForm(List<KeyValuePair<string, string>> Fields, string? Problem)
    {
        public static TokenForm Rejected(string problem) => new([], problem);
    }

    private sealed record Answer(int StatusCode, string? Error, byte[] Body)
    {
        public static Answer BadRequest(string error, string description) =>
            new(StatusCodes.Status400BadRequest, error, JsonBodies.Error(error, description));
    }
}
