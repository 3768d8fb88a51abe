using Peddler;

namespace Peddler.Client.Tests;

/// <summary>The client as the README shows it: carrier fixed at compile time.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
public partial class CarrierTokens;

/// <summary>Carrier id taken from options at run time.</summary>
[PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class ConfiguredCarrierTokens;

/// <summary>Nested, to prove nested clients work at run time too.</summary>
public static partial class Nesting
{
    [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated")]
    internal sealed partial class NoCarrierTokens;
}
