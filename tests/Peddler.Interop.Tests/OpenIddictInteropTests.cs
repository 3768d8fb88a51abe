using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace Peddler.Interop.Tests;

/// <summary>
/// The generated clients against OpenIddict's server over real HTTP: a success, and OpenIddict's
/// standard <c>invalid_client</c> and <c>invalid_scope</c> error responses. Each test records the
/// raw responses, so it checks the client against what OpenIddict really sent, not against what
/// we think it sends.
/// </summary>
public sealed class OpenIddictInteropTests : IClassFixture<OpenIddictServerFixture>
{
    private const string RequestedScope = "DEFAULT authenticated 900001";

    private readonly OpenIddictServerFixture _server;

    public OpenIddictInteropTests(OpenIddictServerFixture server) => _server = server;

    [Fact]
    public async Task A_token_from_OpenIddict_has_the_requested_scope_when_OpenIddict_omits_scope()
    {
        using var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder);
        var tokens = new CarrierTokens(http, _server.Options());

        DateTimeOffset before = DateTimeOffset.UtcNow;
        PeddlerAccessToken token = await tokens.GetTokenAsync();
        DateTimeOffset after = DateTimeOffset.UtcNow;

        // What OpenIddict sent: a Bearer token without "scope", since it granted exactly what was asked.
        RecordedResponse raw = recorder.Single();
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal("application/json", raw.MediaType);
        using JsonDocument json = JsonDocument.Parse(raw.Body);
        JsonElement body = json.RootElement;
        Assert.False(body.TryGetProperty("scope", out _), "OpenIddict was expected to omit scope when granted == requested.");
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        long expiresIn = body.GetProperty("expires_in").GetInt64();
        Assert.InRange(expiresIn, (long)OpenIddictServerFixture.AccessTokenLifetime.TotalSeconds - 5, (long)OpenIddictServerFixture.AccessTokenLifetime.TotalSeconds);

        // What the generated client made of it.
        Assert.Equal(body.GetProperty("access_token").GetString(), token.AccessToken);
        Assert.False(string.IsNullOrWhiteSpace(token.AccessToken));
        Assert.Equal("Bearer", token.TokenType, ignoreCase: true);
        Assert.Equal(RequestedScope, token.Scope);
        Assert.InRange(token.ExpiresAt, before + TimeSpan.FromSeconds(expiresIn), after + TimeSpan.FromSeconds(expiresIn));
        Assert.True(token.ExpiresAt > after);

        // The token OpenIddict signed really grants the requested scopes to this client.
        var jwt = new JsonWebToken(token.AccessToken);
        Assert.Equal(OpenIddictServerFixture.ClientId, jwt.Subject);
        Assert.Equal(RequestedScope, jwt.GetPayloadValue<string>("scope"));
    }

    [Fact]
    public async Task A_narrower_grant_from_OpenIddict_reports_the_scope_OpenIddict_granted()
    {
        using var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder);
        var tokens = new WithheldCarrierTokens(http, _server.Options());

        PeddlerAccessToken token = await tokens.GetTokenAsync();

        // OpenIddict returns "scope" when the grant differs from the request (RFC 6749 §5.1).
        RecordedResponse raw = recorder.Single();
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        using JsonDocument json = JsonDocument.Parse(raw.Body);
        Assert.Equal("DEFAULT authenticated", json.RootElement.GetProperty("scope").GetString());

        Assert.Equal("DEFAULT authenticated", token.Scope);
        Assert.Equal("DEFAULT authenticated", new JsonWebToken(token.AccessToken).GetPayloadValue<string>("scope"));
    }

    [Fact]
    public async Task A_wrong_secret_surfaces_OpenIddicts_invalid_client_error_without_the_secret()
    {
        const string wrongSecret = "fake-wrong-interop-secret";
        using var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder);
        var tokens = new CarrierTokens(http, _server.Options(secret: wrongSecret));

        PeddlerAuthenticationException ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(
            async () => await tokens.GetTokenAsync());

        // Exactly one request: an OAuth error is never retried.
        RecordedResponse raw = recorder.Single();
        using JsonDocument json = JsonDocument.Parse(raw.Body);
        Assert.Equal("invalid_client", json.RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, raw.StatusCode);

        Assert.Equal("invalid_client", ex.Error);
        Assert.Equal(raw.StatusCode, ex.StatusCode);
        Assert.Equal(OpenIddictServerFixture.InvalidClientDescription, ex.ErrorDescription);
        Assert.DoesNotContain(wrongSecret, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(OpenIddictServerFixture.ClientSecret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unregistered_scope_surfaces_OpenIddicts_invalid_scope_error()
    {
        using var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder);
        var tokens = new UnknownCarrierTokens(http, _server.Options());

        PeddlerAuthenticationException ex = await Assert.ThrowsAsync<PeddlerAuthenticationException>(
            async () => await tokens.GetTokenAsync());

        RecordedResponse raw = recorder.Single();
        using JsonDocument json = JsonDocument.Parse(raw.Body);
        JsonElement body = json.RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, raw.StatusCode);
        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());

        Assert.Equal("invalid_scope", ex.Error);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal(body.GetProperty("error_description").GetString(), ex.ErrorDescription);
        Assert.Equal(body.GetProperty("error_uri").GetString(), ex.ErrorUri);
        Assert.False(string.IsNullOrEmpty(ex.ErrorUri));
        Assert.DoesNotContain(OpenIddictServerFixture.ClientSecret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_OpenIddict_token_is_cached_until_invalidated()
    {
        using var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder);
        var tokens = new CarrierTokens(http, _server.Options());

        PeddlerAccessToken first = await tokens.GetTokenAsync();
        Assert.Same(first, await tokens.GetTokenAsync());
        Assert.Single(recorder.Responses);

        tokens.InvalidateToken(first);
        PeddlerAccessToken second = await tokens.GetTokenAsync();

        Assert.Equal(2, recorder.Responses.Count);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(RequestedScope, second.Scope);
    }
}
