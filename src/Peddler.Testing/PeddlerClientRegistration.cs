namespace Peddler.Testing;

/// <summary>
/// A client the <see cref="PeddlerAuthorizationServer"/> accepts: its id, its secret and,
/// optionally, the carrier id it may ask for in <c>scope</c>.
/// </summary>
/// <remarks>
/// The settable properties let the registration bind from configuration (for example a
/// <c>Clients</c> array in <c>appsettings.json</c>). <see cref="ToString"/> never prints the secret.
/// </remarks>
public sealed class PeddlerClientRegistration
{
    /// <summary>Creates an empty registration, to be filled by configuration binding.</summary>
    public PeddlerClientRegistration()
    {
    }

    /// <summary>Creates a registration.</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="clientSecret">The client secret.</param>
    /// <param name="carrierId">The carrier id the client may request as a scope, or <see langword="null"/>.</param>
    public PeddlerClientRegistration(string clientId, string clientSecret, string? carrierId = null)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        CarrierId = carrierId;
    }

    /// <summary>The client id (<c>client_id</c>), compared ordinally (case-sensitive).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (<c>client_secret</c>), compared ordinally in constant time.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The client's carrier id: the one scope token besides <c>DEFAULT</c> and
    /// <c>authenticated</c> that the client may request. <see langword="null"/> or empty for none.
    /// </summary>
    public string? CarrierId { get; set; }

    /// <summary>Describes the registration without its secret.</summary>
    public override string ToString() =>
        $"ClientId = {ClientId ?? "(none)"}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "(none)" : "***")}, CarrierId = {(string.IsNullOrEmpty(CarrierId) ? "(none)" : CarrierId)}";
}
