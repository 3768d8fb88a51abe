using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Sample.Worker;

/// <summary>
/// A typed API client. It knows nothing about tokens: the handler added by
/// <c>AddPeddlerAccessToken&lt;CarrierTokens&gt;()</c> sends them.
/// </summary>
internal sealed class CarrierApi(HttpClient http)
{
    /// <summary>Calls the protected endpoint; returns the status code and the body.</summary>
    public async Task<(int Status, string Body)> GetCarrierAsync(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync(path, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
