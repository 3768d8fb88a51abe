using System;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Client.Tests;

public class RequestTests
{
    [Fact]
    public async Task Sends_exactly_Peddlers_client_credentials_request()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var tokens = new CarrierTokens(env.Http, env.Options());

        await tokens.GetTokenAsync();

        RecordedRequest sent = Assert.Single(env.Recorder.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(env.Server.TokenEndpoint, sent.Uri);
        Assert.Equal("application/x-www-form-urlencoded", sent.ContentType);
        Assert.Equal("application/json", sent.Accept);
        Assert.Equal(
            "grant_type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use&scope=DEFAULT+authenticated+900001",
            Encoding.ASCII.GetString(sent.Body));

        Peddler.Testing.PeddlerTokenRequestRecord logged = Assert.Single(env.Server.TokenRequests);
        Assert.Equal("client_credentials", logged.GetField("grant_type"));
        Assert.Equal("test-client", logged.GetField("client_id"));
        Assert.Equal("DEFAULT authenticated 900001", logged.GetField("scope"));
    }

    [Theory]
    [InlineData("fake+secret")]
    [InlineData("fake/secret")]
    [InlineData("fake&secret=1")]
    [InlineData("fake%20secret%")]
    [InlineData("fake secret with spaces")]
    [InlineData("+/&=% ~*'()!;:@$,?#[]")]
    [InlineData("fäke-sécret-€-ünicode")]
    public async Task Special_character_secrets_reach_the_server_exactly(string secret)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync(secret: secret);
        var tokens = new CarrierTokens(env.Http, env.Options(secret: secret));

        // The server compares the decoded form value with the registered secret: a token means it read back the exact bytes.
        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        string body = Encoding.ASCII.GetString(Assert.Single(env.Recorder.Requests).Body);
        Assert.DoesNotContain(" ", body, StringComparison.Ordinal);
        Assert.Equal(4, body.Split('&').Length);
    }

    [Fact]
    public async Task Run_time_carrier_id_is_requested_and_granted()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync(carrier: "424242");
        PeddlerClientOptions options = env.Options();
        options.CarrierId = "424242";
        var tokens = new ConfiguredCarrierTokens(env.Http, options);

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.Equal("DEFAULT authenticated 424242", token.Scope);
        Assert.Equal("DEFAULT authenticated 424242", Assert.Single(env.Server.TokenRequests).GetField("scope"));
    }

    [Fact]
    public void Static_token_endpoints_follow_the_annotated_environment()
    {
        Assert.Equal(new Uri("https://alphadev-api.peddler.com/oauth/token"), CarrierTokens.TokenEndpoint);
        Assert.Equal(new Uri("https://api-lokl.peddler.com/oauth/token"), ConfiguredCarrierTokens.TokenEndpoint);
        Assert.Equal("DEFAULT authenticated 900001", CarrierTokens.Scopes);
        Assert.Equal("Production", ConfiguredCarrierTokens.Descriptor.Environment);
    }

    [Fact]
    public void Without_an_override_the_environment_endpoint_is_called()
    {
        using var http = new HttpClient();
        var tokens = new CarrierTokens(http, new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret });

        Assert.Equal(CarrierTokens.TokenEndpoint, tokens.EffectiveTokenEndpoint);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5005/oauth/token")]
    [InlineData("http://localhost:5005/oauth/token")]
    [InlineData("http://[::1]:5005/oauth/token")]
    [InlineData("https://auth.example.com/oauth/token")]
    public void Https_or_loopback_endpoints_are_accepted(string endpoint)
    {
        using var http = new HttpClient();
        var tokens = new CarrierTokens(http, new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, TokenEndpoint = new Uri(endpoint) });

        Assert.Equal(new Uri(endpoint), tokens.EffectiveTokenEndpoint);
    }

    [Fact]
    public void Plain_http_to_a_remote_host_is_refused_without_revealing_the_secret()
    {
        using var http = new HttpClient();
        var options = new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, TokenEndpoint = new Uri("http://auth.example.com/oauth/token") };

        ArgumentException ex = Assert.Throws<ArgumentException>(() => new CarrierTokens(http, options));

        Assert.Contains("https", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, Fake.Secret, "ClientId")]
    [InlineData("", Fake.Secret, "ClientId")]
    [InlineData("id", null, "ClientSecret")]
    [InlineData("id", "", "ClientSecret")]
    public void Missing_credentials_are_named_in_the_error(string? clientId, string? secret, string expectedName)
    {
        using var http = new HttpClient();
        var options = new PeddlerClientOptions { ClientId = clientId, ClientSecret = secret };

        ArgumentException ex = Assert.Throws<ArgumentException>(() => new CarrierTokens(http, options));

        Assert.Contains(expectedName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_time_carrier_client_without_a_carrier_id_is_built_but_its_own_calls_need_one()
    {
        using var http = new HttpClient();
        var options = new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret };

        var tokens = new ConfiguredCarrierTokens(http, options);
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await tokens.GetTokenAsync());

        Assert.Contains("CarrierId", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ForCarrier", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_carrier_id_that_is_not_a_scope_token_is_refused()
    {
        using var http = new HttpClient();
        var options = new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, CarrierId = "9000 01" };

        Assert.Throws<ArgumentException>(() => new ConfiguredCarrierTokens(http, options));
    }

    [Fact]
    public void A_carrier_id_for_a_client_with_a_fixed_carrier_is_refused()
    {
        using var http = new HttpClient();
        var options = new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, CarrierId = "900002" };

        ArgumentException ex = Assert.Throws<ArgumentException>(() => new CarrierTokens(http, options));

        Assert.Contains("{CarrierId}", ex.Message, StringComparison.Ordinal);
    }
}
