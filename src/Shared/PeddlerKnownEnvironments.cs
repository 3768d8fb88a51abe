// Shared by the runtime library and the generator (linked into both), so that the list of
// Peddler environments and their token endpoints exists once.
namespace Peddler.Internal
{
    /// <summary>Peddler's documented environments and their token endpoints.</summary>
    internal static class PeddlerKnownEnvironments
    {
        /// <summary>The development environment's name, as written in <c>[PeddlerClient(Environment = "Dev")]</c>.</summary>
        public const string Dev = "Dev";

        /// <summary>The production environment's name.</summary>
        public const string Production = "Production";

        /// <summary>The development environment's API domain.</summary>
        public const string DevDomain = "https://alphadev-api.peddler.com";

        /// <summary>The production environment's API domain.</summary>
        public const string ProductionDomain = "https://api-lokl.peddler.com";

        /// <summary>The path of the token endpoint below an API domain.</summary>
        public const string TokenPath = "/oauth/token";

        /// <summary>The valid environment names, for messages.</summary>
        public const string ValidNames = "'Dev', 'Production'";

        /// <summary>Returns the token endpoint of a named environment, or <see langword="null"/> for an unknown name (names are case-sensitive).</summary>
        public static string? TokenEndpointOf(string? environment) => environment switch
        {
            Dev => DevDomain + TokenPath,
            Production => ProductionDomain + TokenPath,
            _ => null,
        };
    }
}
