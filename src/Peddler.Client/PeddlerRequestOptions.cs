using System.Net.Http;

namespace Peddler;

/// <summary>Per-request settings read by the handler that <c>AddPeddlerAccessToken</c> adds.</summary>
public static class PeddlerRequestOptions
{
    /// <summary>
    /// The carrier whose token the request carries (<c>request.Options.Set(PeddlerRequestOptions.CarrierId, "900002")</c>),
    /// for a client whose <c>Scopes</c> contain <c>{CarrierId}</c>; see <see cref="PeddlerTokenProvider.ForCarrier"/>.
    /// Without it the carrier selector given to <c>AddPeddlerAccessToken</c>, if any, decides, else the client's own carrier.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> CarrierId = new("Peddler.CarrierId");
}
