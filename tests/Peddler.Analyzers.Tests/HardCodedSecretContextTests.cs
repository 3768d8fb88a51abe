using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// Weak names (<c>secret</c>, <c>…Secret</c>) are client secrets only in OAuth client-authentication
/// context; dummy JSON fields equal to their key are placeholders; a constant is reported once, at
/// its declaration. The false shapes of issue 20, written anew.
/// </summary>
public class HardCodedSecretContextTests
{
    [Fact]
    public Task An_admin_password_of_a_web_host_is_not_a_client_secret() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InFile("""
            namespace Contoso.Identity.Host
            {
                public sealed class AdminUserOptions
                {
                    public string? UserName { get; set; }
                    public string? HostSecret { get; set; } = "Adm1n!Pa55-2024";
                }

                public static class HostSetup
                {
                    public static void CreateAdmin(string userName, string secret) { }
                    public static void Seed(AdminUserOptions options) { options.HostSecret = "Adm1n!Pa55-2024"; }
                    public static void Run() { CreateAdmin("admin", "Adm1n!Pa55-2024"); CreateAdmin(userName: "root", secret: "R00t!Pa55-2024"); }
                }
            }
            """));

    [Fact]
    public Task An_hmac_signing_key_is_not_a_client_secret() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InFile("""
            namespace Contoso.Authentication.Tokens
            {
                public static class TokenSigner
                {
                    private const string HostSecret = "Zk9QmpR8xWq2Lp7";
                    private const string SigningKey = "Yq8PloQ7wEr5Ty3";

                    public static string Sign(string payload, string secret)
                    {
                        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(secret));
                        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(payload)));
                    }

                    public static string A(string payload) => Sign(payload, HostSecret);
                    public static string B(string payload) => Sign(payload, SigningKey);
                    public static string C(string payload) => Sign(payload, secret: SigningKey);
                }
            }
            """));

    [Fact]
    public Task A_bare_token_or_auth_word_is_not_client_authentication() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InFile("""
            namespace Contoso.Authentication
            {
                public sealed class LoginTokenSettings { public string? Secret { get; set; } }
                public static class Setup { public static LoginTokenSettings Make() => new() { Secret = "Zk9QmpR8xWq2Lp7" }; }
            }
            """));

    [Fact]
    public Task A_weak_name_in_client_authentication_is_still_reported() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InFile("""
            namespace Contoso.Identity.Host
            {
                public sealed class ClientRegistration { public string? Name { get; set; } public string? Secret { get; set; } }
                public sealed class TokenRequestOptions { public string? Secret { get; set; } }
                public sealed class Holder { public string? ClientId { get; set; } public string? Secret { get; set; } }

                public static class Setup
                {
                    public static void Connect(string clientId, string secret) { }
                    public static void Run()
                    {
                        var a = new ClientRegistration { Name = "m2m", Secret = {|PDL001:"Zk9QmpR8xWq2Lp7"|} };
                        var b = new TokenRequestOptions { Secret = {|PDL001:"Yq8PloQ7wEr5Ty3"|} };
                        var c = new Holder(); c.Secret = {|PDL001:"Xw7OknP6vBn4Mz2"|};
                        Connect("m2m", {|PDL001:"Vu6NjmO5uCv3Ls1"|});
                        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["secret"] = {|PDL001:"Ts5MilN4tDx2Kr0"|} };
                        var pair = ("client_id", "m2m", "secret", {|PDL001:"Sr4LhkM3sEz1Jq9"|});
                    }
                }
            }
            """));

    [Fact]
    public Task A_dummy_json_field_equal_to_its_key_is_a_placeholder() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""
            var mock = "{ \"client_id\": \"abc\", \"client_secret\": \"client_secret\", \"secret\": \"secret\", \"name\": \"n\" }";
            var other = "{ \"id\": 7, \"secret\": \"Zk9QmpR8xWq2Lp7\" }";
            var form = "grant_type=client_credentials&client_id=abc&secret=secret";
            """));

    [Fact]
    public Task A_real_json_client_secret_beside_a_dummy_one_is_reported() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""
            var mock = {|PDL001:"{ \"client_id\": \"abc\", \"secret\": \"secret\", \"client_secret\": \"Zk9QmpR8xWq2Lp7\" }"|};
            """));

    [Fact]
    public Task A_constant_reaching_many_sinks_is_reported_once_at_its_declaration() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InFile("""
            static class Shared { public const string Value = {|PDL001:"Zk9QmpR8xWq2Lp7"|}; }
            class Startup
            {
                private const string Local = {|PDL001:"Yq8PloQ7wEr5Ty3"|};
                void A(PeddlerClientOptions o) { o.ClientSecret = Shared.Value; }
                void B(PeddlerClientOptions o) { o.ClientSecret = Shared.Value; }
                void C() { Connect("id", Shared.Value); Connect("id", Local); Connect(clientSecret: Local, clientId: "id"); }
                void D() { const string inner = {|PDL001:"Xw7OknP6vBn4Mz2"|}; Connect("id", inner); Connect("id2", inner); }
                static void Connect(string clientId, string clientSecret) { }
            }
            """));

    [Fact]
    public Task A_constant_declared_in_another_file_is_reported_at_each_use()
    {
        // The declaration's file may not be the one analysed (the IDE analyses one document): each use is shown.
        var test = new CSharpAnalyzerTest<HardCodedSecretAnalyzer, DefaultVerifier>
        {
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
        };
        test.TestState.AdditionalReferences.Add(TestEnvironment.PeddlerClient);
        test.TestState.Sources.Add(("/0/Stubs.cs", Stubs.Source));
        test.TestState.Sources.Add(("/0/Shared.cs", """static class Shared { public const string Value = "Zk9QmpR8xWq2Lp7"; }"""));
        test.TestState.Sources.Add(("/0/Startup.cs", Sources.InFile("""
            class Startup
            {
                void A(PeddlerClientOptions o) { o.ClientSecret = {|PDL001:Shared.Value|}; }
                void B(PeddlerClientOptions o) { o.ClientSecret = {|PDL001:Shared.Value|}; }
            }
            """)));
        return test.RunAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData("OAuthSettings", true)]
    [InlineData("ClientRegistration", true)]
    [InlineData("CredentialsProvider", true)]
    [InlineData("TokenRequest", true)]
    [InlineData("GetTokenAsync", true)]
    [InlineData("TokenService", true)]
    [InlineData("HttpClient", false)]
    [InlineData("SecretClient", false)]
    [InlineData("TokenSigner", false)]
    [InlineData("CancellationToken", false)]
    [InlineData("Authentication", false)]
    [InlineData("Identity", false)]
    public void Client_authentication_names(string name, bool expected) => Assert.Equal(expected, SecretNames.IsClientAuthName(name));

    [Theory]
    [InlineData("HmacSigner", true)]
    [InlineData("ComputeSignature", true)]
    [InlineData("AdminUserOptions", true)]
    [InlineData("WebhookOptions", true)]
    [InlineData("SignInManager", false)]
    [InlineData("ClientRegistration", false)]
    public void Other_secret_uses(string name, bool expected) => Assert.Equal(expected, SecretNames.IsOtherSecretUse(name));

    [Theory]
    [InlineData("client_id", true)]
    [InlineData("ClientId", true)]
    [InlineData("grant_type", true)]
    [InlineData("TokenEndpoint", true)]
    [InlineData("userName", false)]
    [InlineData("payload", false)]
    public void Client_authentication_neighbours(string name, bool expected) => Assert.Equal(expected, SecretNames.IsClientAuthNeighbour(name));
}
