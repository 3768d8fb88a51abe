using System.Threading.Tasks;
using Peddler.CodeFixes;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>Each code fix, shown as source before and after.</summary>
public class CodeFixTests
{
    private static Task FixSecretAsync(string source, string fixedSource, string equivalenceKey = HardCodedSecretCodeFixProvider.EnvironmentFixKey) =>
        Verify.CodeFixAsync<HardCodedSecretAnalyzer, HardCodedSecretCodeFixProvider>(source, fixedSource, equivalenceKey);

    [Fact]
    public Task PDL001_environment_variable_replaces_the_literal() => FixSecretAsync(
        """
        using System;
        using Peddler;

        class Startup
        {
            PeddlerClientOptions Options() => new PeddlerClientOptions { ClientId = "id", ClientSecret = {|PDL001:"Zk9QmpR8x"|} };
        }
        """,
        """
        using System;
        using Peddler;

        class Startup
        {
            PeddlerClientOptions Options() => new PeddlerClientOptions { ClientId = "id", ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable.") };
        }
        """);

    [Fact]
    public Task PDL001_wrapped_literal_is_replaced_inside_its_wrapper() => FixSecretAsync(
        """
        using System;
        using Duende.IdentityServer.Models;

        class Config
        {
            Client M2M() => new Client { ClientId = "m2m", ClientSecrets = { new Secret({|PDL001:"Zk9QmpR8x"|}.Sha256()) } };
        }
        """,
        """
        using System;
        using Duende.IdentityServer.Models;

        class Config
        {
            Client M2M() => new Client { ClientId = "m2m", ClientSecrets = { new Secret((Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable.")).Sha256()) } };
        }
        """);

    [Fact]
    public Task PDL001_environment_variable_without_using_System() => FixSecretAsync(
        """
        class Startup
        {
            void Configure(Peddler.PeddlerClientOptions options)
            {
                options.ClientSecret = {|PDL001:"Zk9QmpR8x"|};
            }
        }
        """,
        """
        class Startup
        {
            void Configure(Peddler.PeddlerClientOptions options)
            {
                options.ClientSecret = System.Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new System.InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable.");
            }
        }
        """);

    [Fact]
    public Task PDL001_const_field_becomes_static_readonly() => FixSecretAsync(
        """
        using System;

        static class Secrets
        {
            public const string ClientSecret = {|PDL001:"Zk9QmpR8x"|};
        }
        """,
        """
        using System;

        static class Secrets
        {
            public static readonly string ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable.");
        }
        """);

    [Fact]
    public Task PDL001_const_local_becomes_a_local() => FixSecretAsync(
        """
        using System;

        class Startup
        {
            void Run()
            {
                const string clientSecret = {|PDL001:"Zk9QmpR8x"|};
                Console.WriteLine(clientSecret.Length);
            }
        }
        """,
        """
        using System;

        class Startup
        {
            void Run()
            {
                string clientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable.");
                Console.WriteLine(clientSecret.Length);
            }
        }
        """);

    [Fact]
    public Task PDL001_switch_arm_and_fallback() => FixSecretAsync(
        """
        using System;

        class Startup
        {
            string Secret(string env) => GetClientSecret(env);

            static string GetClientSecret(string env)
            {
                return env switch
                {
                    "dev" => {|PDL001:"Zk9QmpR8x"|},
                    _ => Environment.GetEnvironmentVariable("X") ?? {|PDL001:"Yq8PloQ7w"|},
                };
            }
        }
        """,
        """
        using System;

        class Startup
        {
            string Secret(string env) => GetClientSecret(env);

            static string GetClientSecret(string env)
            {
                return env switch
                {
                    "dev" => Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable."),
                    _ => Environment.GetEnvironmentVariable("X") ?? Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? throw new InvalidOperationException("Set the PEDDLER_CLIENT_SECRET environment variable."),
                };
            }
        }
        """);

    [Fact]
    public Task PDL001_configuration_parameter() => FixSecretAsync(
        """
        using Microsoft.Extensions.Configuration;
        using Peddler;

        class Startup
        {
            PeddlerClientOptions Options(IConfiguration configuration) => new() { ClientSecret = {|PDL001:"Zk9QmpR8x"|} };
        }
        """,
        """
        using Microsoft.Extensions.Configuration;
        using Peddler;

        class Startup
        {
            PeddlerClientOptions Options(IConfiguration configuration) => new() { ClientSecret = configuration["Peddler:ClientSecret"] ?? throw new System.InvalidOperationException("Set the configuration value Peddler:ClientSecret.") };
        }
        """,
        HardCodedSecretCodeFixProvider.ConfigurationFixKey);

    [Fact]
    public Task PDL001_configuration_field() => FixSecretAsync(
        """
        using System;
        using Microsoft.Extensions.Configuration;
        using Peddler;

        class Startup
        {
            private readonly IConfigurationRoot _config;

            Startup(IConfigurationRoot config) => _config = config;

            void Configure(PeddlerClientOptions options)
            {
                options.ClientSecret = {|PDL001:"Zk9QmpR8x"|};
            }
        }
        """,
        """
        using System;
        using Microsoft.Extensions.Configuration;
        using Peddler;

        class Startup
        {
            private readonly IConfigurationRoot _config;

            Startup(IConfigurationRoot config) => _config = config;

            void Configure(PeddlerClientOptions options)
            {
                options.ClientSecret = _config["Peddler:ClientSecret"] ?? throw new InvalidOperationException("Set the configuration value Peddler:ClientSecret.");
            }
        }
        """,
        HardCodedSecretCodeFixProvider.ConfigurationFixKey);

    [Fact]
    public Task PDL001_configuration_of_a_web_application_builder() => FixSecretAsync(
        """
        using System;
        using Microsoft.AspNetCore.Builder;
        using Peddler;

        class Program
        {
            static void Main()
            {
                var builder = new WebApplicationBuilder();
                Action<PeddlerClientOptions> configure = o => o.ClientSecret = {|PDL001:"Zk9QmpR8x"|};
            }
        }
        """,
        """
        using System;
        using Microsoft.AspNetCore.Builder;
        using Peddler;

        class Program
        {
            static void Main()
            {
                var builder = new WebApplicationBuilder();
                Action<PeddlerClientOptions> configure = o => o.ClientSecret = builder.Configuration["Peddler:ClientSecret"] ?? throw new InvalidOperationException("Set the configuration value Peddler:ClientSecret.");
            }
        }
        """,
        HardCodedSecretCodeFixProvider.ConfigurationFixKey);

    [Fact]
    public Task PDL001_no_configuration_fix_without_a_configuration_in_scope() => FixSecretAsync(
        """
        using Peddler;

        class Startup
        {
            void Configure(PeddlerClientOptions options) => options.ClientSecret = {|PDL001:"Zk9QmpR8x"|};
        }
        """,
        """
        using Peddler;

        class Startup
        {
            void Configure(PeddlerClientOptions options) => options.ClientSecret = {|PDL001:"Zk9QmpR8x"|};
        }
        """,
        HardCodedSecretCodeFixProvider.ConfigurationFixKey);

    [Fact]
    public Task PDL001_no_fix_for_a_secret_inside_a_form_body() => FixSecretAsync(
        """
        class Startup
        {
            string Body() => {|PDL001:"grant_type=client_credentials&client_id=a&client_secret=Zk9QmpR8x"|};
        }
        """,
        """
        class Startup
        {
            string Body() => {|PDL001:"grant_type=client_credentials&client_id=a&client_secret=Zk9QmpR8x"|};
        }
        """);

    [Fact]
    public Task PDL001_no_fix_for_a_parameter_default() => FixSecretAsync(
        """
        class Startup
        {
            void Connect(string clientSecret = {|PDL001:"Zk9QmpR8x"|}) { }
        }
        """,
        """
        class Startup
        {
            void Connect(string clientSecret = {|PDL001:"Zk9QmpR8x"|}) { }
        }
        """);

    [Fact]
    public Task PDL002_appends_the_run_time_placeholder() => Verify.CodeFixAsync<PeddlerClientAttributeAnalyzer, ScopesCodeFixProvider>(
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = {|PDL002:"DEFAULT authenticated"|})]
        public partial class CarrierTokens { }
        """,
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
        public partial class CarrierTokens { }
        """);

    [Fact]
    public Task PDL002_appends_to_a_constant_expression() => Verify.CodeFixAsync<PeddlerClientAttributeAnalyzer, ScopesCodeFixProvider>(
        """
        using Peddler;

        static class S { public const string Scopes = "DEFAULT authenticated"; }

        [PeddlerClient(Environment = "Dev", Scopes = {|PDL002:S.Scopes|})]
        public partial class CarrierTokens { }
        """,
        """
        using Peddler;

        static class S { public const string Scopes = "DEFAULT authenticated"; }

        [PeddlerClient(Environment = "Dev", Scopes = S.Scopes + " {CarrierId}")]
        public partial class CarrierTokens { }
        """);

    [Fact]
    public Task PDL003_replaces_the_documentation_placeholder() => Verify.CodeFixAsync<PeddlerClientAttributeAnalyzer, ScopesCodeFixProvider>(
        """
        using Peddler;

        [PeddlerClient(Environment = "Production", Scopes = {|PDL003:"DEFAULT authenticated CARRIER_ID"|})]
        public partial class CarrierTokens { }
        """,
        """
        using Peddler;

        [PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
        public partial class CarrierTokens { }
        """);

    [Fact]
    public Task PDL005_normalises_spaces() => Verify.CodeFixAsync<PeddlerClientAttributeAnalyzer, ScopesCodeFixProvider>(
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = {|PDL005:" DEFAULT  authenticated 900001 "|})]
        public partial class CarrierTokens { }

        [PeddlerClient(Environment = "Dev", Scopes = {|PDL005:"DEFAULT,authenticated;900002"|})]
        public partial class OtherTokens { }
        """,
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens { }

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900002")]
        public partial class OtherTokens { }
        """);

    [Fact]
    public Task PDL007_corrects_the_case() => Verify.CodeFixAsync<PeddlerClientAttributeAnalyzer, ScopesCodeFixProvider>(
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = {|PDL007:"default authenticated 900001"|})]
        public partial class CarrierTokens { }
        """,
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens { }
        """);

    [Fact]
    public Task PDL009_uses_the_suggested_environment() => Verify.CodeFixAsync<PeddlerClientAttributeAnalyzer, ScopesCodeFixProvider>(
        """
        using Peddler;

        [PeddlerClient(Environment = {|PDL009:"production"|}, Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens { }
        """,
        """
        using Peddler;

        [PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens { }
        """);

    [Fact]
    public Task PDL012_adds_partial() => Verify.CodeFixWithGeneratorAsync<PeddlerClientAttributeAnalyzer, MakePartialCodeFixProvider>(
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public sealed class {|PDL012:CarrierTokens|} { }

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900002")]
        class {|PDL012:OtherTokens|} { }
        """,
        """
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public sealed partial class CarrierTokens { }

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900002")]
        partial class OtherTokens { }
        """);

    [Fact]
    public Task PDL015_makes_every_containing_type_partial() => Verify.CodeFixWithGeneratorAsync<PeddlerClientAttributeAnalyzer, MakePartialCodeFixProvider>(
        """
        using Peddler;

        public static class Clients
        {
            internal class Group
            {
                [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
                public partial class {|PDL015:CarrierTokens|} { }
            }
        }
        """,
        """
        using Peddler;

        public static partial class Clients
        {
            internal partial class Group
            {
                [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
                public partial class CarrierTokens { }
            }
        }
        """);

    [Fact]
    public Task PDL016_switches_to_https() => Verify.CodeFixAsync<InsecureTokenEndpointAnalyzer, InsecureTokenEndpointCodeFixProvider>(
        """
        using System;
        using Peddler;

        class Startup
        {
            void Configure(PeddlerClientOptions o) => o.TokenEndpoint = new Uri({|PDL016:"http://auth.example.com/oauth/token"|});
        }
        """,
        """
        using System;
        using Peddler;

        class Startup
        {
            void Configure(PeddlerClientOptions o) => o.TokenEndpoint = new Uri("https://auth.example.com/oauth/token");
        }
        """);
}
