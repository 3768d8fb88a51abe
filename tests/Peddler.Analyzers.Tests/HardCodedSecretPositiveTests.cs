using System.Threading.Tasks;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>PDL001 must report each of these shapes, at the marked expression.</summary>
public class HardCodedSecretPositiveTests
{
    public static TheoryData<string, string> Cases => new()
    {
        // Peddler's own options.
        { "options initializer", Sources.InMethod("""var o = new PeddlerClientOptions { ClientId = "id", ClientSecret = {|PDL001:"s3cr3t-Value-123"|} };""") },
        { "options assignment", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:"Zk9~Qm.pR-2Lw8"|};""") },
        { "options coalesce assignment", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret ??= {|PDL001:"Zk9QmpR8x"|};""") },
        { "options in configure lambda", Sources.InMethod("""Action<PeddlerClientOptions> configure = o => o.ClientSecret = {|PDL001:"Zk9QmpR8x"|};""") },

        // Literal kinds.
        { "verbatim literal", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:@"Zk9\Qm""pR8x"|};""") },
        { "raw literal", Sources.InMethod("var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:\"\"\"Zk9QmpR8x\"\"\"|};") },
        { "interpolated without holes", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:$"Zk9QmpR8x"|};""") },
        { "concatenation of constants", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:"Zk9Q" + "mpR8x"|};""") },
        { "utf8 look-alike value", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:"6f1c2b7e-1d2a-4c7b-9a11-3f0c5e2d8b44"|};""") },
        { "weak but real value 'secret'", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:"secret"|};""") },
        { "test-looking value", Sources.InMethod("""var o = new PeddlerClientOptions(); o.ClientSecret = {|PDL001:"test-secret-42"|};""") },

        // Values that travel.
        { "const local, at its declaration", Sources.InMethod("""const string s = {|PDL001:"Zk9QmpR8x"|}; var o = new PeddlerClientOptions { ClientSecret = s };""") },
        { "const in another type, at its declaration", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Constants.Value };""", """    static class Constants { public const string Value = {|PDL001:"Zk9QmpR8x"|}; }""") },
        { "const built from consts, at its declaration", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Constants.Value };""", """    static class Constants { const string A = "Zk9Q"; public const string Value = {|PDL001:A + "mpR8x"|}; }""") },
        { "static readonly field", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Settings.Value };""", """    static class Settings { public static readonly string Value = {|PDL001:"Zk9QmpR8x"|}; }""") },
        { "static get-only property", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Settings.Value };""", """    static class Settings { public static string Value { get; } = {|PDL001:"Zk9QmpR8x"|}; }""") },
        { "private field behind a secret property", Sources.InFile("""class Settings { private string _value = {|PDL001:"Zk9QmpR8x"|}; public string ClientSecret => _value; }""") },
        { "readonly field used as the secret", Sources.InFile("""class Startup { private readonly string _value = {|PDL001:"Zk9QmpR8x"|}; void Configure(PeddlerClientOptions o) { o.ClientSecret = _value; } }""") },
        { "get-only property used as the secret", Sources.InFile("""class Startup { public string Value { get; } = {|PDL001:"Zk9QmpR8x"|}; void Configure(PeddlerClientOptions o) { o.ClientSecret = Value; } }""") },
        { "constant method used as the secret", Sources.InFile("""class Startup { static string Value() => {|PDL001:"Zk9QmpR8x"|}; void Configure(PeddlerClientOptions o) { o.ClientSecret = Value(); } }""") },
        { "static constructor assignment", Sources.InFile("""class Startup { static string ClientSecret; static Startup() { ClientSecret = {|PDL001:"Zk9QmpR8x"|}; } }""") },
        { "local assigned once", Sources.InMethod("""var s = {|PDL001:"Zk9QmpR8x"|}; var o = new PeddlerClientOptions { ClientSecret = s };""") },
        { "null-coalescing fallback", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? {|PDL001:"Zk9QmpR8x"|} };""") },
        { "conditional arms", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = flag ? {|PDL001:"Zk9QmpR8x"|} : {|PDL001:"Yq8PloQ7w"|} };""") },
        { "switch expression arm", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = env switch { "dev" => {|PDL001:"Zk9QmpR8x"|}, _ => configuration["Peddler:ClientSecret"] } };""") },
        { "local from conditional", Sources.InMethod("""var s = flag ? {|PDL001:"Zk9QmpR8x"|} : configuration["Peddler:ClientSecret"]; var o = new PeddlerClientOptions { ClientSecret = s };""") },

        // Records.
        { "record positional argument", Sources.InMethod("""var c = new Credentials("id", {|PDL001:"Zk9QmpR8x"|});""", """    record Credentials(string ClientId, string ClientSecret);""") },
        { "record with expression", Sources.InMethod("""var c = new Credentials("id", value); var d = c with { ClientSecret = {|PDL001:"Zk9QmpR8x"|} };""", """    record Credentials(string ClientId, string ClientSecret);""") },
        { "record parameter default", Sources.InClass("""    record Credentials(string ClientId, string ClientSecret = {|PDL001:"Zk9QmpR8x"|});""") },

        // Arguments.
        { "named argument", Sources.InMethod("""Connect(clientSecret: {|PDL001:"Zk9QmpR8x"|}, clientId: "id");""", """    static void Connect(string clientId, string clientSecret) { }""") },
        { "positional argument", Sources.InMethod("""Connect("id", {|PDL001:"Zk9QmpR8x"|});""", """    static void Connect(string clientId, string clientSecret) { }""") },
        { "snake_case parameter", Sources.InMethod("""Connect("id", {|PDL001:"Zk9QmpR8x"|});""", """    static void Connect(string client_id, string client_secret) { }""") },
        { "SetEnvironmentVariable", Sources.InMethod("""Environment.SetEnvironmentVariable("PEDDLER_CLIENT_SECRET", {|PDL001:"Zk9QmpR8x"|});""") },

        // Form fields.
        { "dictionary collection initializer", Sources.InMethod("""var form = new Dictionary<string, string> { { "grant_type", "client_credentials" }, { "client_id", "id" }, { "client_secret", {|PDL001:"Zk9QmpR8x"|} } };""") },
        { "dictionary index initializer", Sources.InMethod("""var form = new Dictionary<string, string> { ["client_id"] = "id", ["client_secret"] = {|PDL001:"Zk9QmpR8x"|} };""") },
        { "dictionary indexer assignment", Sources.InMethod("""var form = new Dictionary<string, string>(); form["client_secret"] = {|PDL001:"Zk9QmpR8x"|};""") },
        { "dictionary Add", Sources.InMethod("""var form = new Dictionary<string, string>(); form.Add("client_secret", {|PDL001:"Zk9QmpR8x"|});""") },
        { "KeyValuePair in FormUrlEncodedContent", Sources.InMethod("""var content = new FormUrlEncodedContent(new[] { new KeyValuePair<string, string>("client_id", "id"), new KeyValuePair<string, string>("client_secret", {|PDL001:"Zk9QmpR8x"|}) });""") },
        { "KeyValuePair.Create", Sources.InMethod("""var pair = KeyValuePair.Create("client_secret", {|PDL001:"Zk9QmpR8x"|});""") },
        { "tuples in a list", Sources.InMethod("""var pairs = new List<(string, string)> { ("client_id", "id"), ("client_secret", {|PDL001:"Zk9QmpR8x"|}) }; var content = new FormUrlEncodedContent(pairs.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));""") },
        { "in-memory configuration key", Sources.InMethod("""var settings = new Dictionary<string, string?> { ["Peddler:ClientSecret"] = {|PDL001:"Zk9QmpR8x"|} };""") },
        { "header value", Sources.InMethod("""http.DefaultRequestHeaders.Add("X-Client-Secret", {|PDL001:"Zk9QmpR8x"|});""") },
        { "anonymous object", Sources.InMethod("""var payload = new { client_id = "id", client_secret = {|PDL001:"Zk9QmpR8x"|} };""") },

        // Text bodies.
        { "form body literal", Sources.InMethod("""var body = {|PDL001:"grant_type=client_credentials&client_id=abc&client_secret=Zk9QmpR8x&scope=DEFAULT"|};""") },
        { "form body interpolated", Sources.InMethod("""var body = {|PDL001:$"grant_type=client_credentials&client_id={id}&client_secret=Zk9QmpR8x"|};""") },
        { "form body concatenated", Sources.InMethod("""var content = new StringContent({|PDL001:"grant_type=client_credentials&client_id=" + id + "&client_secret=Zk9QmpR8x"|}, Encoding.UTF8, "application/x-www-form-urlencoded");""") },
        { "query string", Sources.InMethod("""var url = {|PDL001:"https://auth.example.com/oauth/token?client_id=abc&client_secret=Zk9QmpR8x"|};""") },
        { "json body", Sources.InMethod("""var json = {|PDL001:"{\"client_id\":\"abc\",\"client_secret\":\"Zk9QmpR8x\"}"|};""") },
        { "raw json", Sources.InMethod("var json = {|PDL001:\"\"\"\n{ \"Peddler\": { \"ClientId\": \"abc\", \"ClientSecret\": \"Zk9QmpR8x\" } }\n\"\"\"|};") },
        { "interpolated verbatim json with holes elsewhere", Sources.InMethod("""var json = {|PDL001:$@"{{""client_id"":""{id}"",""client_secret"":""Zk9QmpR8x""}}"|};""") },
        { "string.Format argument", Sources.InMethod("""var body = string.Format("grant_type=client_credentials&client_id={0}&client_secret={1}", id, {|PDL001:"Zk9QmpR8x"|});""") },
        { "StringBuilder.AppendFormat argument", Sources.InMethod("""new StringBuilder().AppendFormat("client_id={0}&client_secret={1}", id, {|PDL001:"Zk9QmpR8x"|});""") },
        { "string.Concat argument", Sources.InMethod("""var body = string.Concat("client_id=", id, "&client_secret=", {|PDL001:"Zk9QmpR8x"|});""") },
        { "StringBuilder Append chain", Sources.InMethod("""new StringBuilder().Append("grant_type=client_credentials&client_secret=").Append({|PDL001:"Zk9QmpR8x"|});""") },
        { "url-encoded constant in a body", Sources.InMethod("""var body = {|PDL001:"client_id=abc&client_secret=" + Uri.EscapeDataString("Zk9QmpR8x")|};""") },
        { "named tuple element", Sources.InMethod("""var credentials = (ClientId: "id", ClientSecret: {|PDL001:"Zk9QmpR8x"|});""") },
        { "tuple converted to a named tuple type", Sources.InMethod("""(string ClientId, string ClientSecret) credentials = ("id", {|PDL001:"Zk9QmpR8x"|});""") },
        { "deconstruction into clientSecret", Sources.InMethod("""var (clientId, clientSecret) = ("id", {|PDL001:"Zk9QmpR8x"|});""") },
        { "attribute named argument", Sources.InFile("""class OAuthClientAttribute : Attribute { public string? ClientSecret { get; set; } } [OAuthClient(ClientSecret = {|PDL001:"Zk9QmpR8x"|})] class Service { }""") },
        { "getter block", Sources.InFile("""class Settings { public virtual string ClientSecret { get { return {|PDL001:"Zk9QmpR8x"|}; } } }""") },
        { "configuration indexer assignment", Sources.InMethod("""configuration["Peddler:ClientSecret"] = {|PDL001:"Zk9QmpR8x"|};""") },
        { "environment variable with double underscore", Sources.InMethod("""Environment.SetEnvironmentVariable("Peddler__ClientSecret", {|PDL001:"Zk9QmpR8x"|});""") },
        { "NameValueCollection initializer", Sources.InMethod("""var values = new System.Collections.Specialized.NameValueCollection { { "client_secret", {|PDL001:"Zk9QmpR8x"|} } };""") },
        { "target-typed KeyValuePair", Sources.InMethod("""var list = new List<KeyValuePair<string, string>> { new("client_secret", {|PDL001:"Zk9QmpR8x"|}) };""") },
        { "Basic header from constant text", Sources.InMethod("""var header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes({|PDL001:id + ":" + "Zk9QmpR8x"|})));""") },
        { "xml element", Sources.InMethod("""var xml = {|PDL001:"<ClientSecret>Zk9QmpR8x</ClientSecret>"|};""") },

        // Third-party OAuth clients, by symbol.
        { "MSAL WithClientSecret", Sources.InMethod("""var app = Microsoft.Identity.Client.ConfidentialClientApplicationBuilder.Create("id").WithClientSecret({|PDL001:"Zk9QmpR8x"|});""") },
        { "Azure ClientSecretCredential", Sources.InMethod("""var credential = new Azure.Identity.ClientSecretCredential("tenant", "client", {|PDL001:"Zk9QmpR8x"|});""") },
        { "Duende ClientCredentialsTokenRequest", Sources.InMethod("""var request = new Duende.IdentityModel.Client.ClientCredentialsTokenRequest { Address = "https://x/token", ClientId = "id", ClientSecret = {|PDL001:"Zk9QmpR8x"|} };""") },
        { "IdentityModel ClientCredentialsTokenRequest", Sources.InMethod("""var request = new IdentityModel.Client.ClientCredentialsTokenRequest { ClientId = "id", ClientSecret = {|PDL001:"Zk9QmpR8x"|} };""") },
        { "Duende BasicAuthenticationHeaderValue", Sources.InMethod("""var header = new Duende.IdentityModel.Client.BasicAuthenticationHeaderValue("id", {|PDL001:"Zk9QmpR8x"|});""") },

        { "NetworkCredential password", Sources.InMethod("""var handler = new HttpClientHandler { Credentials = new System.Net.NetworkCredential("client-id", {|PDL001:"Zk9QmpR8x"|}) };""") },
        { "OpenID Connect style options", Sources.InFile("""class OpenIdConnectOptions { public string? ClientId { get; set; } public string? ClientSecret { get; set; } } class Startup { void Configure(Action<Action<OpenIdConnectOptions>> add) => add(o => { o.ClientId = "web"; o.ClientSecret = {|PDL001:"Zk9QmpR8x"|}; }); }""") },
        { "hard-coded fallback of a lookup", Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = configuration.GetValue<string>("Peddler:ClientSecret") ?? {|PDL001:"dev-secret-2024"|} };""") },

        // Basic credentials.
        { "Basic header from interpolated text", Sources.InMethod("""var header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes({|PDL001:$"{id}:Zk9QmpR8x"|})));""") },
        { "Basic header constant base64", Sources.InMethod("""var header = new AuthenticationHeaderValue("Basic", {|PDL001:"bXljbGllbnQ6Wms5UW1wUjh4"|});""") },

        // Secret-named declarations.
        { "local clientSecret", Sources.InMethod("""var clientSecret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "local client_secret", Sources.InMethod("""string client_secret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "field _clientSecret", Sources.InClass("""    private readonly string _clientSecret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "const field ClientSecret", Sources.InClass("""    private const string ClientSecret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "static readonly s_clientSecret", Sources.InClass("""    private static readonly string s_clientSecret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "property initializer", Sources.InClass("""    public string ClientSecret { get; set; } = {|PDL001:"Zk9QmpR8x"|};""") },
        { "expression-bodied property", Sources.InClass("""    public string ClientSecret => {|PDL001:"Zk9QmpR8x"|};""") },
        { "getter method", Sources.InClass("""    static string GetClientSecret() { return {|PDL001:"Zk9QmpR8x"|}; }""") },
        { "parameter default", Sources.InClass("""    static void Connect(string clientSecret = {|PDL001:"Zk9QmpR8x"|}) { }""") },
        { "parameter reassigned", Sources.InClass("""    static void Connect(string clientSecret) { clientSecret = {|PDL001:"Zk9QmpR8x"|}; }""") },
        { "AppSecret", Sources.InMethod("""var appSecret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "OAuthClientSecret constant", Sources.InClass("""    public const string OAuthClientSecret = {|PDL001:"Zk9QmpR8x"|};""") },
        { "ConsumerSecret", Sources.InClass("""    public string ConsumerSecret { get; init; } = {|PDL001:"Zk9QmpR8x"|};""") },
        { "CLIENT_SECRET constant", Sources.InClass("""    const string PEDDLER_CLIENT_SECRET = {|PDL001:"Zk9QmpR8x"|};""") },
        { "clientSecretValue", Sources.InMethod("""var clientSecretValue = {|PDL001:"Zk9QmpR8x"|};""") },
        { "this.field assignment", Sources.InClass("""    string clientSecret; void Set() { this.clientSecret = {|PDL001:"Zk9QmpR8x"|}; }""") },

        // "secret" alone, in an OAuth context.
        { "Secret property of an OAuth settings class", Sources.InFile("""class OAuthSettings { public string Secret { get; set; } = {|PDL001:"Zk9QmpR8x"|}; }""") },
        { "Secret next to ClientId in an initializer", Sources.InFile("""class Registration { public string? ClientId { get; set; } public string? Secret { get; set; } } class Setup { void Run() { var r = new Registration { ClientId = "id", Secret = {|PDL001:"Zk9QmpR8x"|} }; } }""") },
        { "secret parameter of an Authenticate method", Sources.InFile("""class Api { static void Authenticate(string id, string secret) { } void Run() { Authenticate("id", {|PDL001:"Zk9QmpR8x"|}); } }""") },
        { "secret local in a token service", Sources.InFile("""class TokenService { void Run() { var secret = {|PDL001:"Zk9QmpR8x"|}; } }""") },

        // Fallbacks of secret lookups.
        { "configuration fallback", Sources.InMethod("""var s = configuration["Peddler:ClientSecret"] ?? {|PDL001:"Zk9QmpR8x"|};""") },
        { "environment fallback", Sources.InMethod("""var s = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET") ?? {|PDL001:"Zk9QmpR8x"|};""") },
        { "GetValue default", Sources.InMethod("""var s = configuration.GetValue("Peddler:ClientSecret", {|PDL001:"Zk9QmpR8x"|});""") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Reports_hard_coded_secret(string shape, string source)
    {
        Assert.False(string.IsNullOrEmpty(shape));
        Assert.Contains("{|PDL001:", source, System.StringComparison.Ordinal);
        return Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(source);
    }
}
