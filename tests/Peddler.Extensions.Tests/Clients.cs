using Peddler;

namespace Peddler.Extensions.Tests
{
    /// <summary>The README's client: carrier fixed at compile time.</summary>
    [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
    public partial class CarrierTokens;

    /// <summary>A second carrier's client, to prove that clients coexist in one container.</summary>
    [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900002")]
    public partial class SecondCarrierTokens;

    /// <summary>Carrier id taken from configuration at run time.</summary>
    [PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
    public partial class ConfiguredCarrierTokens;
}

namespace Peddler.Extensions.Tests.Elsewhere
{
    /// <summary>Same class name as <see cref="Tests.CarrierTokens"/>, in another namespace.</summary>
    [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
    public partial class CarrierTokens;
}
