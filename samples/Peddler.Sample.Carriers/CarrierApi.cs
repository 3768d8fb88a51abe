using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Sample.Carriers;

/// <summary>
/// A typed API client for many carriers. It knows nothing about tokens: it names the carrier in an
/// <c>X-Carrier</c> header, and the handler added by <c>AddPeddlerAccessToken&lt;CarrierTokens&gt;(selector)</c>
/// sends that carrier's token.
/// </summary>
internal sealed class CarrierApi(HttpClient http)
{
    /// <summary>The header that names the carrier of a request; read by the carrier selector in Program.cs.</summary>
    public const string CarrierHeader = "X-Carrier";

    /// <summary>Calls <c>GET /api/carrier</c> for <paramref name="carrierId"/>; the local server echoes the token's carrier and scope.</summary>
    public async Task<CarrierReply> GetCarrierAsync(string path, string carrierId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(CarrierHeader, carrierId);

        // Equivalent, without a header: request.Options.Set(PeddlerRequestOptions.CarrierId, carrierId),
        // which wins over the selector.
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? carrier = null, scope = null;
        if (response.IsSuccessStatusCode)
        {
            using JsonDocument json = JsonDocument.Parse(body);
            carrier = json.RootElement.TryGetProperty("carrier_id", out JsonElement c) ? c.GetString() : null;
            scope = json.RootElement.TryGetProperty("scope", out JsonElement s) ? s.GetString() : null;
        }

        return new CarrierReply((int)response.StatusCode, carrier, scope, body);
    }
}

/// <summary>What the API answered: the status and, on success, the carrier and scope of the token it received.</summary>
internal sealed record CarrierReply(int Status, string? CarrierId, string? Scope, string Body);
