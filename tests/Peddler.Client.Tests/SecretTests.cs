using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

public class SecretTests
{
    private const string DistinctSecret = "fake-secret-XYZZY-1234";

    public static TheoryData<string, PeddlerFault?> Failures() => new()
    {
        { "403 from the server (wrong secret)", null },
        { "secret echoed in error_description", PeddlerFault.Respond(400, "application/json", $$"""{"error":"invalid_client","error_description":"bad secret {{DistinctSecret}}","error_uri":"https://example.com/?s={{DistinctSecret}}"}""") },
        { "HTML 502", PeddlerFault.HtmlError(502) },
        { "malformed JSON", PeddlerFault.MalformedJson() },
        { "dropped connection", PeddlerFault.DropConnection() },
        { "bad token_type", PeddlerFault.Respond(200, "application/json", """{"access_token":"fake","token_type":"mac"}""") },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task No_exception_text_contains_the_client_secret(string _, PeddlerFault? fault)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync(secret: fault is null ? "fake-registered-secret" : DistinctSecret);
        if (fault is not null)
        {
            env.Server.Faults.Enqueue(fault, count: 10);
        }

        PeddlerClientOptions options = env.Options(secret: DistinctSecret);
        options.MaxRetries = 1;
        var tokens = new CarrierTokens(env.Http, options);

        Exception ex = await Assert.ThrowsAnyAsync<Exception>(async () => await tokens.GetTokenAsync());

        Assert.IsAssignableFrom<PeddlerException>(ex);
        Assert.DoesNotContain(DistinctSecret, ex.ToString(), StringComparison.Ordinal);
        if (ex is PeddlerAuthenticationException auth)
        {
            Assert.DoesNotContain(DistinctSecret, auth.ErrorDescription ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(DistinctSecret, auth.ErrorUri ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_ToString_does_not_print_the_secret()
    {
        var options = new PeddlerClientOptions { ClientId = "visible-id", ClientSecret = DistinctSecret };

        string text = options.ToString();

        Assert.Contains("visible-id", text, StringComparison.Ordinal);
        Assert.DoesNotContain(DistinctSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_shows_the_endpoint_without_its_user_info_or_query()
    {
        var options = new PeddlerClientOptions
        {
            ClientId = "visible-id",
            ClientSecret = DistinctSecret,
            TokenEndpoint = new Uri("https://fake-user:fake-password-in-uri@idp.example/oauth/token?api_key=fake-key-in-query#frag"),
        };

        string text = options.ToString();

        Assert.Contains("https://idp.example/oauth/token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-password-in-uri", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-key-in-query", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-user", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ToString_does_not_reveal_the_token()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var tokens = new CarrierTokens(env.Http, env.Options());

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.DoesNotContain(token.AccessToken, token.ToString(), StringComparison.Ordinal);
        Assert.Contains("DEFAULT authenticated 900001", token.ToString(), StringComparison.Ordinal);
    }
}
