namespace Peddler.Generators.Tests;

/// <summary>Representative consumer sources, each with a checked-in expected output.</summary>
internal static class TestSources
{
    public const string FileScopedPublic = """
        using Peddler;

        namespace MyApp.Auth;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens;
        """;

    public const string NestedInternal = """
        namespace MyApp
        {
            public static partial class Outer
            {
                internal partial record struct Middle
                {
                    [Peddler.PeddlerClient(Environment = "Production", Scopes = "  DEFAULT   authenticated 900002 ")]
                    internal sealed partial class ProductionTokens
                    {
                        public int UserMember => 42;
                    }
                }
            }
        }
        """;

    public const string GlobalNamespaceRunTimeCarrier = """
        [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
        partial class ConfiguredCarrierTokens
        {
        }
        """;

    /// <summary>Source names and texts for the output tests.</summary>
    public static readonly (string Name, string Source)[] Valid =
    [
        ("FileScopedPublic", FileScopedPublic),
        ("NestedInternal", NestedInternal),
        ("GlobalNamespaceRunTimeCarrier", GlobalNamespaceRunTimeCarrier),
    ];
}
