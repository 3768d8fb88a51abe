using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Peddler.Testing.Tests;

/// <summary>Obviously fake credentials.</summary>
internal static class Fake
{
    public const string ClientId = "test-client";
    public const string Secret = "fake-secret-do-not-use";
    public const string Carrier = "900001";
}

/// <summary>Starts servers and speaks to them over real HTTP.</summary>
internal static class Wire
{
    /// <summary>The longest a test waits for something that should happen at once.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A started server with <see cref="Fake"/>'s client registered.</summary>
    public static async Task<PeddlerAuthorizationServer> StartAsync(Action<PeddlerAuthorizationServerOptions>? configure = null)
    {
        var options = new PeddlerAuthorizationServerOptions();
        options.Clients.Add(new PeddlerClientRegistration(Fake.ClientId, Fake.Secret, Fake.Carrier));
        configure?.Invoke(options);
        var server = new PeddlerAuthorizationServer(options);
        await server.StartAsync();
        return server;
    }

    /// <summary>A form body as a browser or curl --data-urlencode sends it (UTF-8, space as '+').</summary>
    public static FormUrlEncodedContent Form(params (string Name, string Value)[] fields)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach ((string name, string value) in fields)
        {
            pairs.Add(new(name, value));
        }

        return new FormUrlEncodedContent(pairs);
    }

    /// <summary>Peddler's documented request for <see cref="Fake"/>'s client.</summary>
    public static FormUrlEncodedContent TokenForm(string clientId = Fake.ClientId, string secret = Fake.Secret, string? scope = "DEFAULT authenticated " + Fake.Carrier)
    {
        var fields = new List<(string, string)>
        {
            ("grant_type", "client_credentials"),
            ("client_id", clientId),
            ("client_secret", secret),
        };
        if (scope is not null)
        {
            fields.Add(("scope", scope));
        }

        return Form(fields.ToArray());
    }

    /// <summary>A body sent with exactly this content type (or none).</summary>
    public static ByteArrayContent Raw(string body, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    public static async Task<Reply> PostAsync(HttpClient http, Uri uri, HttpContent content, CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = await http.PostAsync(uri, content, cancellationToken);
        return await Reply.ReadAsync(response);
    }

    public static async Task<Reply> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using HttpResponseMessage response = await http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    /// <summary>Gets a token for <see cref="Fake"/>'s client (or fails the test).</summary>
    public static async Task<string> GetTokenAsync(HttpClient http, PeddlerAuthorizationServer server, string? scope = "DEFAULT authenticated " + Fake.Carrier)
    {
        Reply reply = await PostAsync(http, server.TokenEndpoint, TokenForm(scope: scope));
        if (reply.Status != 200)
        {
            throw new InvalidOperationException($"Expected a token, got {reply.Status}: {reply.Body}");
        }

        return reply.Json().GetProperty("access_token").GetString()!;
    }
}

/// <summary>A response, read whole.</summary>
internal sealed class Reply
{
    private Reply(int status, byte[] bytes, string? contentType, Dictionary<string, string> headers)
    {
        Status = status;
        Bytes = bytes;
        ContentType = contentType;
        Headers = headers;
    }

    public int Status { get; }

    public byte[] Bytes { get; }

    public string Body => Encoding.UTF8.GetString(Bytes);

    /// <summary>The Content-Type header as sent, or null.</summary>
    public string? ContentType { get; }

    /// <summary>Response and content headers, values joined with ", ".</summary>
    public Dictionary<string, string> Headers { get; }

    public static async Task<Reply> ReadAsync(HttpResponseMessage response)
    {
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, HeaderStringValues> header in response.Headers.NonValidated)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        foreach (KeyValuePair<string, HeaderStringValues> header in response.Content.Headers.NonValidated)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        headers.TryGetValue("Content-Type", out string? contentType);
        return new Reply((int)response.StatusCode, bytes, contentType, headers);
    }

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    public JsonElement Json()
    {
        using JsonDocument document = JsonDocument.Parse(Bytes);
        return document.RootElement.Clone();
    }
}

/// <summary>A fake clock that says when a timer was created on it, so a test knows the server is waiting.</summary>
internal sealed class SignallingTimeProvider : FakeTimeProvider
{
    private readonly TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SignallingTimeProvider()
        : base(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public Task TimerCreated => _timerCreated.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _timerCreated.TrySetResult();
        return timer;
    }
}
