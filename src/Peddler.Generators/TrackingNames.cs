namespace Peddler.Generators;

/// <summary>Names of the tracked pipeline steps, for incremental-caching tests.</summary>
internal static class TrackingNames
{
    /// <summary>Annotated classes turned into models (null for invalid ones).</summary>
    public const string Clients = nameof(Clients);

    /// <summary>Valid models only.</summary>
    public const string ValidClients = nameof(ValidClients);
}
