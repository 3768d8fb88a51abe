using System.Threading.Tasks;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// Shapes found by scanning public repositories (issue 12): false alarms that must stay silent and
/// wrapped secrets that must be reported. See docs/diagnostics/performance.md for the corpus.
/// </summary>
public class HardCodedSecretRealCodeTests
{
    public static TheoryData<string, string> FalseAlarms => new()
    {
        // A parameter default is reported once, at the default, never at call sites that omit it.
        {
            "call sites omitting a defaulted argument",
            Sources.InClass("""
                static void Connect(string clientId, string clientSecret = {|PDL001:"Zk9QmpR8x"|}) { }
                void A() { Connect("one"); }
                void B() { Connect("two"); }
            """)
        },
        {
            "local function default reported at the default only",
            Sources.InMethod("""
                Request();
                Request("api2");
                static void Request(string scope = "api", string clientSecret = {|PDL001:"Zk9QmpR8x"|}) { }
            """)
        },
        {
            "call site omitting the default of a helper in another class",
            Sources.InFile("""
                static class Helper { public static void Request(string scope = "api", string clientSecret = {|PDL001:"Zk9QmpR8x"|}) { } }
                class Use { void M() { Helper.Request(); Helper.Request(scope: "api2"); } }
            """)
        },

        // A token-replacement marker named for the secret, with digits in a word (issue 20's widened corpus).
        {
            "secret marker with a digit in a word",
            Sources.InMethod(
                """var verifier = new TokenVerifier("___CONTOSO2_TEST__CLIENT_SECRET___"); var other = new TokenVerifier({|PDL001:"__Q8zR2mT0vXk5NwP__"|});""",
                """    sealed class TokenVerifier { public TokenVerifier(string clientSecret) { } }""")
        },

        // A value that is the name of the known parameter it is passed to is a label (issue 20's widened corpus).
        {
            "NetworkCredential password that is the word password",
            Sources.InMethod("""var credential = new System.Net.NetworkCredential("user", "password"); var real = new System.Net.NetworkCredential("client-id", {|PDL001:"Zk9QmpR8x"|});""")
        },

        // The bare word "secret" outside client authentication.
        { "weak name with a word-shaped value", Sources.InMethod("""var request = new TokenRequest { Secret = "secret" };""", """    class TokenRequest { public string? Secret { get; set; } }""") },
        { "Key Vault secret name passed to a secret parameter", Sources.InMethod("""var config = GetConfig("App-Default");""", """    static string GetConfig(string secret) => secret;""") },
        { "Key Vault secret name in a credentials helper", Sources.InClass("""    const string Secret = "App-Default"; static string ClientConfig() => Secret;""") },

        // A token cache's "secret" is the cached token (MSAL's lab fixtures), not the client's secret.
        {
            "refresh token cache item",
            Sources.InMethod(
                """var item = new MsalRefreshTokenCacheItem("login.example", id, "someRT", "info");""",
                """    sealed class MsalRefreshTokenCacheItem { public MsalRefreshTokenCacheItem(string environment, string clientId, string secret, string clientInfo) { } }""")
        },
        {
            "refresh token secret default and constant",
            Sources.InClass("""
                public const string RTSecret = "someRT";
                static void AddRefreshToken(string clientId = "c", string rtSecret = RTSecret) { }
            """)
        },

        // Key Vault secret names listed in a vault type.
        { "vault secret names", Sources.InClass("""    public static class KeyVaultSecrets { public const string DefaultAppSecret = "MSAL-App-Default"; public const string ClientSecret = "lab-client-secret"; }""") },

        {
            "vault secret name passed by its constant to a weak secret parameter",
            Sources.InFile("""
                namespace Lab.Identity
                {
                    public static class KeyVaultSecrets { public const string AppS2S = "App-S2S-Config"; public const string UserPublicCloud = "User-PublicCloud-Config"; }
                    public static class LabResponseHelper { public static string GetAppConfig(string secret) => secret; }
                    class Use { void M() { LabResponseHelper.GetAppConfig(KeyVaultSecrets.AppS2S); LabResponseHelper.GetAppConfig(KeyVaultSecrets.UserPublicCloud); } }
                }
            """)
        },

        // A token cache's JSON holds the token under "secret": Base64 JSON (eyJ…) is a token, not a chosen secret.
        {
            "encoded JSON under a weak key",
            Sources.InMethod("""
                var item = new Dictionary<string, string> { ["client_id"] = id, ["secret"] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE1Mzg4MDQ4NjB9.c2lnbmF0dXJl" };
            """)
        },

        // A test's "ignored" value.
        { "ignored value", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "ignored" };""") },

        // A mask shown in place of the secret (an API's view of its clients).
        { "mask word in an anonymous type", Sources.InMethod("""var view = new { ClientId = id, ClientSecret = "obfuscated" }; var other = new { ClientSecret = "omitted" };""") },

        // Constants that are names, labels or codes.
        { "JSON key-name constant", Sources.InClass("""    public static class OAuthNames { public const string Secret = "secret"; public const string ClientSecret = "client_secret"; }""") },
        { "label constant equal to its name", Sources.InClass("""    public static class OAuthLabels { public const string NoSecret = "NoSecret"; public const string SharedSecret = "SharedSecret"; }""") },
        { "error-code constant", Sources.InClass("""    internal const string InvalidClientSecret = "AADSTS7000215";""") },
        { "flag and condition names", Sources.InClass("""    const string MissingClientSecret = "E1001"; const string RequireClientSecret = "on";""") },

        // IdentityServer stores the hash it compares with: a precomputed hash or a certificate thumbprint is not the credential.
        {
            "precomputed hash and certificate thumbprint",
            Sources.InMethod("""
                var hashed = new Duende.IdentityServer.Models.Secret("H+90jjtmDc3/HiNmtKwuBZG9eNOvpahx2jscGscejqE=");
                var thumbprint = new Duende.IdentityServer.Models.Secret("5D9E9B6B333CD42C99D1DE6175CC0F3EF99DDF68") { Description = "mTLS" };
                var stored = new Duende.IdentityServer.Models.Secret { Value = "K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=" };
            """)
        },

        // A configuration object named by its argument is not a wrapped secret.
        {
            "table configuration named like the secret",
            Sources.InClass("""
                public sealed class TableConfiguration { public TableConfiguration(string name) { } }
                public TableConfiguration ClientSecret { get; set; } = new TableConfiguration("ClientSecrets");
                public TableConfiguration ApiSecret { get; set; } = new TableConfiguration("ApiResourceSecrets");
            """)
        },

        // Two string arguments that are not a key/value API.
        {
            "EF Core migration AddColumn",
            Sources.InFile("""
                class MigrationBuilder { public void AddColumn<T>(string name, string table, bool nullable = true) { } }
                class M { void Up(MigrationBuilder b) { b.AddColumn<string>(name: "ClientSecret", table: "ApiKey"); b.AddColumn<string>("ClientSecret", "ApiKeys"); } }
            """)
        },
        {
            "two labels on a non-collection method",
            Sources.InFile("""
                class Grid { public void Column(string header, string caption) { } }
                class M { void Up(Grid g) { g.Column("client_secret", "SecretColumn1"); } }
            """)
        },
    };

    public static TheoryData<string, string> Wrapped => new()
    {
        {
            "ClientSecret.Parse on Duende.AccessTokenManagement",
            Sources.InMethod("""var client = new Duende.AccessTokenManagement.ClientCredentialsClient { ClientId = "c", ClientSecret = Duende.AccessTokenManagement.ClientSecret.Parse({|PDL001:"Zk9QmpR8x"|}) };""")
        },
        {
            "IdentityServer client definition",
            Sources.InMethod("""
                var client = new Duende.IdentityServer.Models.Client
                {
                    ClientId = "m2m",
                    ClientSecrets = { new Duende.IdentityServer.Models.Secret({|PDL001:"secret"|}.Sha256()) },
                };
            """).Replace("using Peddler;", "using Peddler;\nusing Duende.IdentityServer.Models;")
        },
        {
            "IdentityServer4 secret with description",
            Sources.InMethod("""var s = new IdentityServer4.Models.Secret({|PDL001:"511536EF-F270-4058-80CA-1C89C192F69A"|}.Sha256());""").Replace("using Peddler;", "using Peddler;\nusing IdentityServer4.Models;")
        },
        {
            "Secret with a description keeps the description out",
            Sources.InMethod("""var s = new Duende.IdentityServer.Models.Secret({|PDL001:"Zk9QmpR8x"|}.Sha256(), "the m2m client");""").Replace("using Peddler;", "using Peddler;\nusing Duende.IdentityServer.Models;")
        },
        {
            "Secret.Value",
            Sources.InMethod("""var s = new Duende.IdentityServer.Models.Secret { Value = {|PDL001:"Zk9QmpR8x"|}.Sha256(), Description = "m2m" };""").Replace("using Peddler;", "using Peddler;\nusing Duende.IdentityServer.Models;")
        },
        {
            "JSON value under a client_secret key",
            Sources.InMethod("""
                var body = new Dictionary<string, System.Text.Json.JsonElement>
                {
                    ["client_id"] = System.Text.Json.JsonSerializer.SerializeToElement("c"),
                    ["client_secret"] = System.Text.Json.JsonSerializer.SerializeToElement({|PDL001:"Zk9QmpR8x"|}),
                };
            """)
        },
        {
            "user helper that returns its argument",
            Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Normalize({|PDL001:"Zk9QmpR8x"|}) };""", """    static string Normalize(string value) => value.Trim();""")
        },
        {
            "strongly typed secret created from a literal",
            Sources.InMethod("""var c = new Credentials { ClientSecret = new SecretText({|PDL001:"Zk9QmpR8x"|}) };""", """    sealed class SecretText { public SecretText(string value) { } } sealed class Credentials { public SecretText? ClientSecret { get; set; } }""")
        },
        {
            "bytes of a literal",
            Sources.InMethod("""byte[] clientSecret = Encoding.UTF8.GetBytes({|PDL001:"Zk9QmpR8x"|});""")
        },
        {
            "key/value API still read as a pair",
            Sources.InMethod("""var form = new Dictionary<string, string>(); form.Add("client_secret", {|PDL001:"Zk9QmpR8x"|}); var p = new KeyValuePair<string, string>("client_secret", {|PDL001:"Yq8PloQ7w"|});""")
        },
    };

    /// <summary>The causes above are narrow: the same sinks with a secret-shaped value, or outside a cache or vault type, are still reported.</summary>
    public static TheoryData<string, string> StillReported => new()
    {
        { "secret-shaped constant of a vault type reaching a sink", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = KeyVault.Fallback };""", """    static class KeyVault { public const string Fallback = {|PDL001:"q8Zr2LmT0vXk5NwP"|}; }""") },
        { "encoded JSON under a strong name", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = {|PDL001:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"|} };""") },
        { "secret-shaped value in a vault type", Sources.InClass("""    public static class KeyVaultSecrets { public const string DefaultAppSecret = {|PDL001:"q8Zr2LmT0vXk5NwP"|}; }""") },
        { "weak name in a token request", Sources.InMethod("""var r = new TokenRequest { ClientId = "c", Secret = {|PDL001:"Zk9QmpR8x"|} };""", """    sealed class TokenRequest { public string? ClientId { get; set; } public string? Secret { get; set; } }""") },
        { "client secret of a cache type's method", Sources.InMethod("""TokenCache.Seed(clientSecret: {|PDL001:"Zk9QmpR8x"|});""", """    static class TokenCache { public static void Seed(string clientSecret) { } }""") },
    };

    [Theory]
    [MemberData(nameof(StillReported))]
    public Task Narrow_causes_keep_secret_shaped_values_reported(string shape, string source)
    {
        _ = shape;
        return Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(source);
    }

    /// <summary>
    /// Code whose package is not referenced (a scan of a repository without restore, an IDE before
    /// restore finishes): the sink's type does not bind, so only its name is known.
    /// </summary>
    public static TheoryData<string, string> Unresolved => new()
    {
        {
            "options of an unresolved AddOpenIdConnect",
            Sources.InMethod("""
                var services = CreateServices();
                services.AddAuthentication().AddOpenIdConnect("oidc", options =>
                {
                    options.ClientId = "web";
                    options.ClientSecret = {|PDL001:"secret"|};
                    options.ResponseType = "code";
                });
            """)
        },
        {
            "object initializer of an unresolved request type",
            Sources.InMethod("""
                var request = new ClientCredentialsTokenRequest
                {
                    Address = "https://id.example/connect/token",
                    ClientId = "m2m",
                    ClientSecret = {|PDL001:"Zk9QmpR8x"|},
                    Scope = "api",
                };
            """)
        },
        {
            "unresolved descriptor assigned through a member access",
            Sources.InMethod("""var descriptor = new OpenIddictApplicationDescriptor(); descriptor.ClientSecret = {|PDL001:"901564A5-E7FE-42CB-B10D-61EF6A8F3654"|};""")
        },
        {
            "unresolved builder method named for the client secret",
            Sources.InMethod("""var builder = CreateBuilder(); builder.SetClientId("console").SetClientSecret({|PDL001:"388D45FA-B36B-4988-BA59-B187D329C207"|});""")
        },
        {
            "Add(key, value) on a dictionary whose type does not bind",
            Sources.InMethod("""var request = CreateRequest(); request.Document.Extensions.Add("client_secret", {|PDL001:"hunter2"|});""")
        },
        {
            "unresolved named argument",
            Sources.InMethod("""var c = new UnknownCredential(clientId: "c", clientSecret: {|PDL001:"Zk9QmpR8x"|});""")
        },
    };

    /// <summary>The same care as for bound code: names, placeholders and weak words stay silent when the type does not bind.</summary>
    public static TheoryData<string, string> UnresolvedSilent => new()
    {
        { "placeholder", Sources.InMethod("""var o = new UnknownOptions { ClientSecret = "<your-client-secret>" };""") },
        { "empty", Sources.InMethod("""var o = new UnknownOptions { ClientSecret = "" };""") },
        { "weak name with a word", Sources.InMethod("""var o = new UnknownCacheItem { Secret = "secret" };""") },
        { "condition name", Sources.InMethod("""var o = new UnknownOptions { RequireClientSecret = "true" };""") },
        { "configuration key", Sources.InMethod("""var o = new UnknownOptions { ClientSecret = configuration["Auth:ClientSecret"] };""") },
        { "non-secret member of an unresolved type", Sources.InMethod("""var o = new UnknownOptions { ClientId = "Zk9QmpR8x", Authority = "https://id.example" };""") },
        { "unresolved Add with a prose value", Sources.InMethod("""Unknown.Columns.Add("ClientSecret", "Secret column");""") },
        { "unresolved Add of a secret name", Sources.InMethod("""Unknown.Headers.Add("client_secret", "ClientSecret");""") },
        { "unresolved method with a name that is not a sink", Sources.InMethod("""Unknown.LogClientSecretMissing("ClientSecret");""") },
    };

    [Theory]
    [MemberData(nameof(Unresolved))]
    public Task Secrets_in_code_whose_package_is_not_referenced_are_reported(string shape, string source)
    {
        _ = shape;
        return Verify.AnalyzerIgnoringCompilerErrorsAsync<HardCodedSecretAnalyzer>(source);
    }

    [Theory]
    [MemberData(nameof(UnresolvedSilent))]
    public Task Unresolved_code_keeps_the_bound_code_rules(string shape, string source)
    {
        _ = shape;
        return Verify.AnalyzerIgnoringCompilerErrorsAsync<HardCodedSecretAnalyzer>(source);
    }

    [Theory]
    [MemberData(nameof(FalseAlarms))]
    public Task False_alarm_shapes_are_not_reported(string shape, string source)
    {
        _ = shape;
        return Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(source);
    }

    [Theory]
    [MemberData(nameof(Wrapped))]
    public Task Wrapped_secrets_are_reported(string shape, string source)
    {
        _ = shape;
        return Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(source);
    }
}
