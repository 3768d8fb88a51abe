using System.Threading.Tasks;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>Look-alikes: PDL001 must stay silent on every one of these.</summary>
public class HardCodedSecretNegativeTests
{
    public static TheoryData<string, string> Cases => new()
    {
        // Empty values.
        { "empty string", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "" };""") },
        { "string.Empty", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = string.Empty };""") },
        { "null", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = null };""") },
        { "whitespace", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "   " };""") },

        // Placeholders.
        { "angle placeholder from the docs", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "<insert_client_secret_here>" };""") },
        { "angle placeholder", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "<client-secret>" };""") },
        { "YOUR_CLIENT_SECRET", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "YOUR_CLIENT_SECRET" };""") },
        { "your-secret-here", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "your-secret-here" };""") },
        { "${VAR}", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "${PEDDLER_CLIENT_SECRET}" };""") },
        { "%VAR%", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "%PEDDLER_CLIENT_SECRET%" };""") },
        { "{{var}}", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "{{client_secret}}" };""") },
        { "changeme", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "changeme" };""") },
        { "[REDACTED]", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "[REDACTED]" };""") },
        { "***", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "***" };""") },
        { "TODO", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "TODO" };""") },
        { "xxxxxxxx", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "xxxxxxxx" };""") },
        { "placeholder word", Sources.InMethod("""var clientSecret = "placeholder";""") },
        { "example value", Sources.InMethod("""var clientSecret = "example-client-secret";""") },
        { "Key Vault reference", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/peddler)" };""") },
        { "format placeholder", Sources.InMethod("""var clientSecret = "{0}";""") },

        // Lookups: keys and variable names are not secrets.
        { "configuration indexer", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = configuration["Peddler:ClientSecret"] };""") },
        { "environment variable", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") };""") },
        { "GetValue", Sources.InMethod("""var s = configuration.GetValue<string>("ClientSecret");""") },
        { "GetSection", Sources.InMethod("""var s = configuration.GetSection("Peddler:ClientSecret").Value;""") },
        { "fallback that throws", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = configuration["Peddler:ClientSecret"] ?? throw new InvalidOperationException("Set Peddler:ClientSecret") };""") },
        { "fallback to empty", Sources.InMethod("""var clientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? "";""") },
        { "secret-named variable holding the variable name", Sources.InMethod("""var clientSecret = "PEDDLER_CLIENT_SECRET";""") },
        { "key constant", Sources.InClass("""    public const string ClientSecretKey = "Peddler:ClientSecret";""") },
        { "environment variable name constant", Sources.InClass("""    public const string ClientSecretEnvironmentVariable = "PEDDLER_CLIENT_SECRET";""") },
        { "form field name constant", Sources.InClass("""    public const string ClientSecret = "client_secret";""") },
        { "the literal client_secret", Sources.InMethod("""var field = "client_secret";""") },
        { "nameof", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = nameof(PeddlerClientOptions.ClientSecret) };""") },
        { "Key Vault secret name", Sources.InMethod("""var secretName = "peddler-client-secret";""") },
        { "SetEnvironmentVariable to null", Sources.InMethod("""Environment.SetEnvironmentVariable("PEDDLER_CLIENT_SECRET", null);""") },
        { "SetEnvironmentVariable of the client id", Sources.InMethod("""Environment.SetEnvironmentVariable("PEDDLER_CLIENT_ID", "my-client");""") },

        // Names that only contain the word.
        { "ClientSecretEnvVar", Sources.InMethod("""var clientSecretEnvVar = "PEDDLER_SECRET";""") },
        { "clientSecretHeader", Sources.InMethod("""var clientSecretHeader = "X-Client-Secret";""") },
        { "ClientSecretPath", Sources.InClass("""    const string ClientSecretPath = "/run/secrets/peddler";""") },
        { "ClientSecretHash", Sources.InClass("""    const string ClientSecretHash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";""") },
        { "clientSecretKey", Sources.InMethod("""var clientSecretKey = "peddler_secret";""") },
        { "secretKeyName", Sources.InMethod("""var secretKeyName = "PeddlerSecret";""") },
        { "ClientSecretLabel", Sources.InClass("""    const string ClientSecretLabel = "Client secret";""") },
        { "ClientSecretId", Sources.InClass("""    const string ClientSecretId = "9b2f6c1d-aaaa-4bbb-8ccc-1234567890ab";""") },
        { "SecretClient", Sources.InMethod("""var secretClientName = "vault";""") },
        { "webhook secret", Sources.InMethod("""var webhookSecret = "whsec_Zk9QmpR8x";""") },
        { "secret alone without OAuth context", Sources.InFile("""class Recipe { void Bake() { var secret = "cinnamon"; } }""") },

        // Client ids, scopes, grant types.
        { "client id", Sources.InMethod("""var o = new PeddlerClientOptions { ClientId = "my-client-id", CarrierId = "900001" };""") },
        { "scopes and grant type", Sources.InMethod("""var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "id", ["scope"] = "DEFAULT authenticated 900001" };""") },
        { "non-constant form value", Sources.InMethod("""var form = new Dictionary<string, string> { ["client_secret"] = value };""") },
        { "non-constant KeyValuePair", Sources.InMethod("""var pair = new KeyValuePair<string, string>("client_secret", value);""") },
        { "interpolated hole", Sources.InMethod("""var body = $"grant_type=client_credentials&client_id={id}&client_secret={value}";""") },
        { "partly interpolated value", Sources.InMethod("""var body = $"client_secret=prefix{value}";""") },
        { "empty form value", Sources.InMethod("""var form = new Dictionary<string, string> { ["client_secret"] = "" };""") },
        { "nameof as pair value", Sources.InMethod("""var form = new Dictionary<string, string> { { "client_secret", nameof(value) } };""") },
        { "Basic header from variables", Sources.InMethod("""var header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{value}")));""") },
        { "Basic header with placeholder", Sources.InMethod("""var header = new AuthenticationHeaderValue("Basic", "bXljbGllbnQ6PHNlY3JldD4=");""") },

        { "string.Format with variables", Sources.InMethod("""var body = string.Format(System.Globalization.CultureInfo.InvariantCulture, "client_id={0}&client_secret={1}", id, value);""") },
        { "Append chain with a variable", Sources.InMethod("""new StringBuilder().Append("client_secret=").Append(value);""") },
        { "url-encoded variable in a body", Sources.InMethod("""var body = "client_id=abc&client_secret=" + Uri.EscapeDataString(value);""") },
        { "tuple of names", Sources.InMethod("""var names = (Key: "client_secret", Setting: "Peddler:ClientSecret");""") },
        { "json with placeholder", Sources.InMethod("var json = \"\"\"{ \"Peddler\": { \"ClientSecret\": \"${PEDDLER_CLIENT_SECRET}\" } }\"\"\";") },
        { "json with null and empty", Sources.InMethod("var json = \"\"\"{ \"client_secret\": null, \"ClientSecret\": \"\" }\"\"\";") },
        { "fake value", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "fake-secret" };""") },
        { "JsonPropertyName", Sources.InClass("""    [System.Text.Json.Serialization.JsonPropertyName("client_secret")] public string? ClientSecret { get; set; }""") },
        { "null-forgiving default", Sources.InClass("""    public string ClientSecret { get; set; } = null!;""") },
        { "regex constant", Sources.InClass("""    const string ClientSecretRegex = @"^[A-Za-z0-9]{32}$"; const string SecretPattern = "client_secret=([^&]+)";""") },
        { "secret field of an unrelated class", Sources.InFile("""class Game { private string _secret = "treasure42"; }""") },
        { "passwords and api keys are other rules' business", Sources.InMethod("""var password = "hunter2"; var apiKey = "AKIA1234567";""") },

        { "field reassigned in the constructor", Sources.InFile("""class Startup { private string _value = "Zk9QmpR8x"; Startup(string v) { _value = v; } void Configure(PeddlerClientOptions o) { o.ClientSecret = _value; } }""") },
        { "settable property is not followed", Sources.InFile("""class Startup { public string Value { get; set; } = "Zk9QmpR8x"; void Configure(PeddlerClientOptions o) { o.ClientSecret = Value; } }""") },
        { "token-replacement markers", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "#{ClientSecret}#" }; var p = new PeddlerClientOptions { ClientSecret = "__CLIENT_SECRET__" };""") },
        { "pipeline expression", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "{{ secrets.PEDDLER_CLIENT_SECRET }}" };""") },
        { "error response text", Sources.InMethod("""var error = "{\"error\":\"invalid_client\",\"error_description\":\"Bad client_secret\"}";""") },
        { "key and header name constants", Sources.InClass("""    public const string ClientSecretConfigPath = "Peddler:ClientSecret"; const string ClientSecretHeaderName = "X-Client-Secret";""") },

        { "validation error for the secret field", Sources.InFile("""class ModelState { public void AddModelError(string key, string errorMessage) { } } class Api { void Validate(ModelState m, Dictionary<string, string> errors) { m.AddModelError("ClientSecret", "Required"); errors["ClientSecret"] = "Invalid"; } }""") },

        { "NetworkCredential from variables", Sources.InMethod("""var credential = new System.Net.NetworkCredential(id, value);""") },
        { "secret from a provider call", Sources.InFile("""class Vault { public string GetSecret(string name) => name; } class Startup { void Configure(Vault vault, PeddlerClientOptions o) { o.ClientSecret = vault.GetSecret("peddler-client-secret"); } }""") },
        { "tuple and dictionary of setting names", Sources.InMethod("""var map = new Dictionary<string, string> { ["ClientSecret"] = "PEDDLER_CLIENT_SECRET" }; var pair = ("ClientSecret", "Peddler:ClientSecret");""") },
        { "not-set fallback", Sources.InMethod("""var s = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? "not-set";""") },
        { "masking helper", Sources.InClass("""    static string Mask(string clientSecret) => new string('*', clientSecret.Length);""") },

        // Messages, descriptions, comparisons.
        { "exception message", Sources.InMethod("""throw new InvalidOperationException("ClientSecret is required.");""") },
        { "argument exception", Sources.InMethod("""throw new ArgumentException("The client secret is missing", "clientSecret");""") },
        { "log message", Sources.InMethod("""Console.WriteLine("The client secret was rejected by Peddler.");""") },
        { "message with form syntax and placeholder", Sources.InMethod("""Console.WriteLine("Send client_secret=<your secret> in the body");""") },
        { "log template", Sources.InMethod("""Console.WriteLine("client_secret={0}", value);""") },
        { "description attribute", Sources.InClass("""    [System.ComponentModel.Description("The OAuth client secret issued by Peddler")] public string? ClientSecret { get; set; }""") },
        { "message constant", Sources.InClass("""    const string ClientSecretMissingMessage = "Set the client secret";""") },
        { "equality comparison", Sources.InMethod("""if (value == "Zk9QmpR8x") { }""") },
        { "comparison with secret-named variable", Sources.InClass("""    static bool Check(string clientSecret) => clientSecret == "Zk9QmpR8x" || clientSecret.Equals("Yq8PloQ7w") || string.Equals(clientSecret, "Xw7OknP6v", StringComparison.Ordinal);""") },
        { "switch case label", Sources.InMethod("""switch (value) { case "client_secret": break; }""") },
        { "redaction regex", Sources.InMethod("""var redacted = System.Text.RegularExpressions.Regex.Replace(value, "client_secret=[^&]*", "client_secret=***");""") },
        { "prose with the word", Sources.InMethod("""var help = "The client_secret parameter is sent in the body";""") },

        // Addresses and reassigned locals.
        { "vault address", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "https://vault.example.com/secrets/peddler" };""") },
        { "reassigned local is not followed", Sources.InMethod("""var s = "Zk9QmpR8x"; if (flag) { s = configuration["Peddler:ClientSecret"]!; } var o = new PeddlerClientOptions { ClientSecret = s };""") },

        // Generated code is not analysed.
        { "generated code", "// <auto-generated/>\n" + Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "Zk9QmpR8x" };""") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Does_not_report_look_alike(string shape, string source)
    {
        Assert.False(string.IsNullOrEmpty(shape));
        Assert.DoesNotContain("{|", source, System.StringComparison.Ordinal);
        return Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(source);
    }
}
