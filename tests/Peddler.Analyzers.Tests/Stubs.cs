namespace Peddler.Analyzers.Tests;

/// <summary>
/// Minimal stand-ins for the third-party APIs PDL001 knows by symbol, with their real namespaces
/// and member names, so tests can reference them without the packages.
/// </summary>
internal static class Stubs
{
    public const string Source = """
        #nullable enable
        namespace Microsoft.Extensions.Configuration
        {
            public interface IConfiguration
            {
                string? this[string key] { get; set; }
                IConfigurationSection GetSection(string key);
            }

            public interface IConfigurationSection : IConfiguration
            {
                string? Value { get; set; }
            }

            public interface IConfigurationRoot : IConfiguration { }

            public sealed class ConfigurationManager : IConfigurationRoot
            {
                public string? this[string key] { get => null; set { } }
                public IConfigurationSection GetSection(string key) => null!;
            }

            public static class ConfigurationBinder
            {
                public static T? GetValue<T>(this IConfiguration configuration, string key) => default;
                public static T GetValue<T>(this IConfiguration configuration, string key, T defaultValue) => defaultValue;
            }
        }

        namespace Microsoft.AspNetCore.Builder
        {
            public sealed class WebApplicationBuilder
            {
                public Microsoft.Extensions.Configuration.ConfigurationManager Configuration { get; } = new();
            }
        }

        namespace Microsoft.Identity.Client
        {
            public sealed class ConfidentialClientApplicationBuilder
            {
                public static ConfidentialClientApplicationBuilder Create(string clientId) => new();
                public ConfidentialClientApplicationBuilder WithClientSecret(string clientSecret) => this;
                public ConfidentialClientApplicationBuilder WithTenantId(string tenantId) => this;
            }
        }

        namespace Azure.Identity
        {
            public class ClientSecretCredential
            {
                public ClientSecretCredential(string tenantId, string clientId, string clientSecret) { }
            }
        }

        namespace Duende.IdentityModel.Client
        {
            public class ProtocolRequest
            {
                public string? Address { get; set; }
                public string? ClientId { get; set; }
                public string? ClientSecret { get; set; }
            }

            public class ClientCredentialsTokenRequest : ProtocolRequest
            {
                public string? Scope { get; set; }
            }

            public class BasicAuthenticationHeaderValue
            {
                public BasicAuthenticationHeaderValue(string userName, string password) { }
            }
        }

        namespace IdentityModel.Client
        {
            public class ProtocolRequest
            {
                public string? ClientId { get; set; }
                public string? ClientSecret { get; set; }
            }

            public class ClientCredentialsTokenRequest : ProtocolRequest { }
        }
        namespace Duende.IdentityServer.Models
        {
            public class Secret
            {
                public Secret() { }
                public Secret(string value, System.DateTime? expiration = null) { Value = value; }
                public Secret(string value, string description, System.DateTime? expiration = null) { Value = value; }
                public string? Value { get; set; }
                public string? Description { get; set; }
            }

            public class Client
            {
                public string? ClientId { get; set; }
                public System.Collections.Generic.ICollection<Secret> ClientSecrets { get; set; } = new System.Collections.Generic.List<Secret>();
            }

            public static class HashExtensions
            {
                public static string Sha256(this string input) => input;
                public static string Sha512(this string input) => input;
            }
        }

        namespace IdentityServer4.Models
        {
            public class Secret
            {
                public Secret(string value, System.DateTime? expiration = null) { }
            }

            public static class HashExtensions
            {
                public static string Sha256(this string input) => input;
            }
        }

        namespace Duende.AccessTokenManagement
        {
            public sealed class ClientSecret
            {
                public static ClientSecret Parse(string value) => new();
            }

            public sealed class ClientCredentialsClient
            {
                public string? ClientId { get; set; }
                public ClientSecret? ClientSecret { get; set; }
            }
        }
        """;
}
