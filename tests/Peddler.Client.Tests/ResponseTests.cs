using System;
using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

public class ResponseTests
{
    // Peddler's documentation, byte for byte (../shared/seeds/peddler-client-authentication.txt).
    private const string DocumentedTokenBody = """
        {
        "access_token":"FkzdyJV14zc73AaK9FmNCtyp5bUTegis",
        "expires_in":7200,
        "scope":"DEFAULT authenticated",
        "token_type":"Bearer"
        }
        """;

    private const string DocumentedErrorBody = """
        {
        "error":"access_denied",
        "error_description":"Invalid subject: test"
        }
        """;

    private static readonly KeyValuePair<string, string>[] NoStore =
    [
        new("Cache-Control", "no-store"),
        new("Pragma", "no-cache"),
    ];

    private static readonly DateTimeOffset Start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_documented_200_body_becomes_a_token()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(200, "application/json", DocumentedTokenBody, NoStore));
        var time = new FakeTimeProvider(Start);
        var tokens = new CarrierTokens(env.Http, env.Options(), time);

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.Equal("FkzdyJV14zc73AaK9FmNCtyp5bUTegis", token.AccessToken);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal("DEFAULT authenticated", token.Scope);
        Assert.Equal(Start.AddSeconds(7200), token.ExpiresAt);
    }

    [Fact]
    public async Task The_documented_403_body_becomes_access_denied()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(403, "application/json", DocumentedErrorBody, NoStore));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        Assert.Equal("access_denied", ex.Error);
        Assert.Equal("Invalid subject: test", ex.ErrorDescription);
        Assert.Null(ex.ErrorUri);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Single(env.Server.TokenRequests);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_server_with_access_denied_and_not_retried()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync(clientId: "test");
        var tokens = new CarrierTokens(env.Http, env.Options(clientId: "test", secret: "fake-wrong-secret"));

        var ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        Assert.Equal("access_denied", ex.Error);
        Assert.Equal("Invalid subject: test", ex.ErrorDescription);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal(1, env.Server.TokenRequestCount);
        Assert.DoesNotContain("fake-wrong-secret", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_carrier_the_client_does_not_own_is_refused_by_the_server()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync(carrier: "111111");
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        Assert.Equal("invalid_scope", ex.Error);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
    }

    [Fact]
    public async Task A_standard_401_invalid_client_with_WWW_Authenticate_is_reported()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(
            401,
            "application/json;charset=UTF-8",
            """{"error":"invalid_client","error_description":"Client authentication failed.","error_uri":"https://example.com/errors/invalid_client"}""",
            [new("WWW-Authenticate", "Basic realm=\"token\"")]));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());

        Assert.Equal("invalid_client", ex.Error);
        Assert.Equal("Client authentication failed.", ex.ErrorDescription);
        Assert.Equal("https://example.com/errors/invalid_client", ex.ErrorUri);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
    }

    public static TheoryData<string, string> Rfc6749Variants() => new()
    {
        // scope omitted: the granted scope is the requested one (OpenIddict omits it).
        { """{"access_token":"fake-token-1","token_type":"Bearer","expires_in":3600}""", "DEFAULT authenticated 900001" },
        // token_type compares case-insensitively.
        { """{"access_token":"fake-token-2","token_type":"bearer","expires_in":3600,"scope":"DEFAULT authenticated"}""", "DEFAULT authenticated" },
        // unknown extra fields are ignored.
        { """{"access_token":"fake-token-3","token_type":"Bearer","expires_in":3600,"scope":"DEFAULT","refresh_token":"x","id_token":null,"extra":{"a":[1,2]}}""", "DEFAULT" },
        // expires_in as a numeric string.
        { """{"access_token":"fake-token-4","token_type":"Bearer","expires_in":"3600","scope":"DEFAULT"}""", "DEFAULT" },
        // empty scope string: treated as omitted.
        { """{"access_token":"fake-token-5","token_type":"Bearer","expires_in":3600,"scope":""}""", "DEFAULT authenticated 900001" },
    };

    [Theory]
    [MemberData(nameof(Rfc6749Variants))]
    public async Task Standard_token_responses_that_differ_from_Peddlers_sample_are_accepted(string body, string expectedScope)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(200, "application/json", body));
        var time = new FakeTimeProvider(Start);
        var tokens = new CarrierTokens(env.Http, env.Options(), time);

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.StartsWith("fake-token-", token.AccessToken, StringComparison.Ordinal);
        Assert.Equal(expectedScope, token.Scope);
        Assert.Equal(Start.AddSeconds(3600), token.ExpiresAt);
    }

    [Fact]
    public async Task A_missing_expires_in_uses_the_configured_default_lifetime()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(200, "application/json", """{"access_token":"fake-token","token_type":"Bearer"}"""));
        var time = new FakeTimeProvider(Start);
        PeddlerClientOptions options = env.Options();
        options.DefaultTokenLifetime = TimeSpan.FromMinutes(17);
        var tokens = new CarrierTokens(env.Http, options, time);

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.Equal(Start.AddMinutes(17), token.ExpiresAt);
    }

    [Fact]
    public void The_default_lifetime_for_a_missing_expires_in_is_five_minutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), new PeddlerClientOptions().DefaultTokenLifetime);
    }

    public static TheoryData<string, string, string> InvalidTokenResponses() => new()
    {
        { "missing access_token", """{"token_type":"Bearer","expires_in":3600}""", "access_token" },
        { "empty access_token", """{"access_token":"","token_type":"Bearer","expires_in":3600}""", "access_token" },
        { "null access_token", """{"access_token":null,"token_type":"Bearer","expires_in":3600}""", "access_token" },
        { "non-numeric expires_in", """{"access_token":"fake","token_type":"Bearer","expires_in":"soon"}""", "expires_in" },
        { "fractional expires_in", """{"access_token":"fake","token_type":"Bearer","expires_in":1.5}""", "expires_in" },
        { "negative expires_in", """{"access_token":"fake","token_type":"Bearer","expires_in":-1}""", "expires_in" },
        { "mac token_type", """{"access_token":"fake","token_type":"mac","expires_in":3600}""", "token_type" },
        { "missing token_type", """{"access_token":"fake","expires_in":3600}""", "token_type" },
        { "JSON null", "null", "null" },
        { "JSON array", "[]", "JSON" },
        { "truncated JSON", """{"access_token":"fake","token_ty""", "JSON" },
        { "access_token not a string", """{"access_token":12,"token_type":"Bearer"}""", "JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidTokenResponses))]
    public async Task Invalid_200_bodies_are_protocol_errors_never_tokens(string _, string body, string expectedInMessage)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(200, "application/json", body));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Equal("application/json", ex.ContentType);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task The_servers_malformed_JSON_fault_is_a_protocol_error_with_status_and_content_type()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.MalformedJson());
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Equal("application/json", ex.ContentType);
    }

    [Fact]
    public async Task An_HTML_page_with_200_is_a_protocol_error()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(200, "text/html", "<html><body>Sign in</body></html>"));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal("text/html", ex.ContentType);
    }

    [Fact]
    public async Task A_4xx_without_an_OAuth_body_is_a_protocol_error_and_not_retried()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(404, "text/plain", "Not Found"));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("text/plain", ex.ContentType);
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_4xx_with_truncated_JSON_is_a_protocol_error()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.Faults.Enqueue(PeddlerFault.Respond(400, "application/json", """{"error":"invalid_req"""));
        var tokens = new CarrierTokens(env.Http, env.Options());

        var ex = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await tokens.GetTokenAsync());

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
    }

    [Fact]
    public void The_generated_JSON_context_reads_wire_types_with_reflection_disabled()
    {
        Assert.False(System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault);

        Protocol.PeddlerTokenResponse? body = System.Text.Json.JsonSerializer.Deserialize(
            DocumentedTokenBody, CarrierTokens.Descriptor.TokenResponseTypeInfo);
        Protocol.PeddlerErrorResponse? error = System.Text.Json.JsonSerializer.Deserialize(
            DocumentedErrorBody, CarrierTokens.Descriptor.ErrorResponseTypeInfo);

        Assert.Equal("FkzdyJV14zc73AaK9FmNCtyp5bUTegis", body!.AccessToken);
        Assert.Equal(7200, body.ExpiresIn);
        Assert.Equal("Bearer", body.TokenType);
        Assert.Equal("access_denied", error!.Error);
        Assert.Equal("Invalid subject: test", error.ErrorDescription);
        Assert.Contains("\"access_token\":\"FkzdyJV14zc73AaK9FmNCtyp5bUTegis\"",
            System.Text.Json.JsonSerializer.Serialize(body, CarrierTokens.Descriptor.TokenResponseTypeInfo), StringComparison.Ordinal);
    }
}
