using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>PDL017: client secrets in appsettings*.json and launchSettings.json, reported at their line and column.</summary>
public class ConfigurationSecretAnalyzerTests
{
    private static DiagnosticResult At(string path, int line, int column, int endColumn, string key) =>
        new DiagnosticResult(DiagnosticDescriptors.ConfigurationFileSecret)
            .WithSpan(path, line, column, line, endColumn)
            .WithArguments(key);

    [Fact]
    public Task Secrets_under_client_secret_keys_are_reported_at_their_position() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/app/appsettings.json", """
            {
              // Comments and trailing commas are allowed in configuration files.
              "Peddler": {
                "ClientId": "shop-42",
                "ClientSecret": "q8Zr2LmT0vXk5NwP",
              },
              "AzureAd": { "Instance": "https://login.microsoftonline.com/", "ClientSecret": "Fq8~Q.aZ_3vXk5NwP-77" },
              "Authentication": { "client_secret": "s3cr3t-Value-123" },
              "Peddler:ClientSecret": "Zk9QmpR8x",
            }
            """)],
        null,
        At("/app/appsettings.json", 5, 21, 39, "Peddler:ClientSecret"),
        At("/app/appsettings.json", 7, 82, 104, "AzureAd:ClientSecret"),
        At("/app/appsettings.json", 8, 40, 58, "Authentication:client_secret"),
        At("/app/appsettings.json", 9, 27, 38, "Peddler:ClientSecret"));

    [Fact]
    public Task Nested_objects_arrays_and_environment_files_are_read() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [
            ("/app/appsettings.Development.json", """
                {
                  "Clients": [
                    { "ClientId": "m2m", "ClientSecrets": [ "Zk9QmpR8x", "${SECRET_FROM_ENV}" ] },
                    { "ClientId": "web", "ClientSecret": "Yq8PloQ7w" }
                  ],
                  "OAuth": { "Secret": "a7f3c9e1b2d4" }
                }
                """),
            ("/app/Properties/launchSettings.json", """
                {
                  "profiles": {
                    "app": {
                      "environmentVariables": { "ASPNETCORE_ENVIRONMENT": "Development", "PEDDLER_CLIENT_SECRET": "Vm3xQ9pLk2" }
                    }
                  }
                }
                """),
        ],
        null,
        At("/app/appsettings.Development.json", 3, 45, 56, "Clients:ClientSecrets"),
        At("/app/appsettings.Development.json", 4, 42, 53, "Clients:ClientSecret"),
        At("/app/appsettings.Development.json", 6, 24, 38, "OAuth:Secret"),
        At("/app/Properties/launchSettings.json", 4, 99, 111, "profiles:app:environmentVariables:PEDDLER_CLIENT_SECRET"));

    [Fact]
    public Task Placeholders_empty_values_and_substitutions_are_not_reported() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/app/appsettings.json", """
            {
              "Peddler": {
                "ClientSecret": "",
                "Secondary": { "ClientSecret": "<insert_client_secret_here>" },
                "Third": { "ClientSecret": "${PEDDLER_CLIENT_SECRET}" },
                "Fourth": { "ClientSecret": "#{Peddler.ClientSecret}#" },
                "Fifth": { "ClientSecret": "#{ClientSecret}" },
                "Sixth": { "ClientSecret": "[Enter here a client secret for your application]" },
                "Seventh": { "ClientSecret": "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/peddler)" },
                "Eighth": { "ClientSecret": null, "ClientSecretName": "peddler-client-secret" }
              },
              "KeyVault": { "Secret": "App-Default" },
              "Jwt": { "SigningSecret": "Zk9QmpR8xYq8PloQ7w" },
              "Webhooks": { "Secret": "Zk9QmpR8x" },
              "Logging": { "LogLevel": { "Default": "Information" } }
            }
            """)],
        null);

    [Fact]
    public Task Other_files_are_not_read() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/app/secrets.json", """{ "ClientSecret": "Zk9QmpR8x" }"""), ("/app/config.xml", """<ClientSecret>Zk9QmpR8x</ClientSecret>""")],
        null);

    [Fact]
    public Task Test_projects_are_skipped_unless_asked() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/app/appsettings.json", """{ "ClientSecret": "Zk9QmpR8x" }""")],
        "is_global = true\nbuild_property.IsTestProject = true\n");

    [Fact]
    public Task Test_projects_are_read_when_asked() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/app/appsettings.json", """{ "ClientSecret": "Zk9QmpR8x" }""")],
        "is_global = true\nbuild_property.IsTestProject = true\npeddler.PDL001.analyze_test_projects = true\n",
        At("/app/appsettings.json", 1, 19, 30, "ClientSecret"));

    [Fact]
    public Task Malformed_json_does_not_throw() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/app/appsettings.json", "{ \"ClientSecret\": \"Zk9QmpR8x\", \"Unclosed\": \"abc\n}}]]"), ("/app/appsettings.Empty.json", string.Empty)],
        null,
        At("/app/appsettings.json", 1, 19, 30, "ClientSecret"));
}
