using System.Threading.Tasks;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>PDL016: plain-http token endpoints on hosts that are not loopback.</summary>
public class InsecureTokenEndpointAnalyzerTests
{
    [Theory]
    [InlineData("http://auth.example.com/oauth/token")]
    [InlineData("http://api-lokl.peddler.com/oauth/token")]
    [InlineData("http://10.0.0.5:8080/oauth/token")]
    [InlineData("HTTP://AUTH.EXAMPLE.COM/oauth/token")]
    public Task Http_on_a_remote_host_is_reported(string uri) => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InMethod(
        $$"""var o = new PeddlerClientOptions { TokenEndpoint = new Uri({|PDL016:"{{uri}}"|}) };"""));

    [Theory]
    [InlineData("https://auth.example.com/oauth/token")]
    [InlineData("http://localhost:5005/oauth/token")]
    [InlineData("http://127.0.0.1:5005/oauth/token")]
    [InlineData("http://[::1]:5005/oauth/token")]
    [InlineData("/oauth/token")]
    public Task Https_and_loopback_are_fine(string uri) => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InMethod(
        $$"""var o = new PeddlerClientOptions { TokenEndpoint = new Uri("{{uri}}", UriKind.RelativeOrAbsolute) };"""));

    [Fact]
    public Task Assignment_conditional_and_uri_kind() => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InMethod("""
        var o = new PeddlerClientOptions();
        o.TokenEndpoint = new Uri({|PDL016:"http://auth.example.com/token"|}, UriKind.Absolute);
        o.TokenEndpoint = flag ? new Uri("http://localhost/token") : new Uri({|PDL016:"http://staging.example.com/token"|});
        """));

    [Fact]
    public Task Other_types_are_ignored() => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InFile("""
        class Other { public Uri? TokenEndpoint { get; set; } }
        class Use { void M() { var o = new Other { TokenEndpoint = new Uri("http://auth.example.com/token") }; } }
        """));

    [Fact]
    public Task Message_says_what_to_do() => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(
        Sources.InMethod("""var o = new PeddlerClientOptions { TokenEndpoint = new Uri({|#0:"http://auth.example.com/token"|}) };"""),
        null,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticDescriptors.InsecureTokenEndpoint).WithLocation(0)
            .WithMessage("Token endpoint 'http://auth.example.com/token' uses http on a host that is not loopback; the client secret would travel in clear text: use https"));

    [Fact]
    public Task Http_through_a_local_string_or_uri_is_reported() => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InMethod("""
        var endpoint = {|PDL016:"http://auth.example.com/token"|};
        var o = new PeddlerClientOptions { TokenEndpoint = new Uri(endpoint) };
        var uri = new Uri({|PDL016:"http://staging.example.com/token"|});
        o.TokenEndpoint = uri;
        const string local = {|PDL016:"http://const.example.com/token"|};
        o.TokenEndpoint = new Uri(local);
        """));

    [Fact]
    public Task Http_through_a_constant_or_readonly_member_is_reported() => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InFile("""
        static class Endpoints
        {
            public const string Token = {|PDL016:"http://auth.example.com/token"|};
            public static readonly Uri Staging = new Uri({|PDL016:"http://staging.example.com/token"|});
            public static string Legacy { get; } = {|PDL016:"http://legacy.example.com/token"|};
        }

        class Use
        {
            void M(PeddlerClientOptions o)
            {
                o.TokenEndpoint = new Uri(Endpoints.Token);
                o.TokenEndpoint = Endpoints.Staging;
                o.TokenEndpoint = new Uri(Endpoints.Legacy);
            }
        }
        """));

    [Fact]
    public Task Locals_that_change_or_stay_https_are_not_reported() => Verify.AnalyzerAsync<InsecureTokenEndpointAnalyzer>(Sources.InMethod("""
        var endpoint = "http://auth.example.com/token";
        if (flag) { endpoint = env; }
        var o = new PeddlerClientOptions { TokenEndpoint = new Uri(endpoint) };
        var secure = "https://auth.example.com/token";
        o.TokenEndpoint = new Uri(secure);
        var loopback = new Uri("http://127.0.0.1:5005/token");
        o.TokenEndpoint = loopback;
        o.TokenEndpoint = new Uri(value);
        """));
}
