using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Benchmarks.Support;

/// <summary>
/// The least code that gets a client-credentials token: a pre-encoded form body, one POST, one
/// source-generated deserialization, no validation, no retry, no cache. The floor for a cold
/// acquisition.
/// </summary>
internal sealed class HandWrittenTokenClient(HttpClient httpClient, Uri tokenEndpoint)
{
    private static readonly MediaTypeHeaderValue Form = new("application/x-www-form-urlencoded");
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly byte[] _body = Encoding.ASCII.GetBytes(
        "grant_type=client_credentials&client_id=" + Uri.EscapeDataString(LocalServer.ClientId)
        + "&client_secret=" + Uri.EscapeDataString(LocalServer.ClientSecret)
        + "&scope=" + Uri.EscapeDataString(LocalServer.Scope));

    public async Task<HandWrittenToken> AcquireAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = Form;
        request.Headers.Accept.Add(Json);
        using HttpResponseMessage response = await httpClient.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(HandWrittenJsonContext.Default.HandWrittenToken, cancellationToken)
            ?? throw new InvalidOperationException("null token response");
    }
}

/// <summary>The token response as the hand-written client reads it.</summary>
public sealed class HandWrittenToken
{
    public string? AccessToken { get; set; }

    public string? TokenType { get; set; }

    public long ExpiresIn { get; set; }

    public string? Scope { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HandWrittenToken))]
internal sealed partial class HandWrittenJsonContext : JsonSerializerContext;
