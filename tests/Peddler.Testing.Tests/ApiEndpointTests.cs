using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Peddler.Testing.Tests;

public sealed class ApiEndpointTests
{
    private static HttpRequestMessage Get(PeddlerAuthorizationServer server, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task An_issued_token_is_accepted_with_the_scheme_in_any_case(string scheme)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        string token = await Wire.GetTokenAsync(http, server);

        Reply reply = await Wire.SendAsync(http, Get(server, scheme + " " + token));

        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("""{"carrier_id":"900001","client_id":"test-client","scope":"DEFAULT authenticated 900001"}""", reply.Body);
        Assert.Equal(1, server.ApiRequestCount);
    }

    [Fact]
    public async Task A_token_granted_without_the_carrier_scope_has_a_null_carrier()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        string token = await Wire.GetTokenAsync(http, server, scope: null);

        Reply reply = await Wire.SendAsync(http, Get(server, "Bearer " + token));

        Assert.Equal(200, reply.Status);
        Assert.Equal("""{"carrier_id":null,"client_id":"test-client","scope":"DEFAULT authenticated"}""", reply.Body);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Token abc")]
    public async Task A_request_without_a_bearer_token_gets_401_and_a_bare_challenge(string? authorization)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.SendAsync(http, Get(server, authorization));

        Assert.Equal(401, reply.Status);
        Assert.Equal("Bearer", reply.Header("WWW-Authenticate"));
        Assert.Equal("application/json", reply.ContentType);
        Assert.True(reply.Json().TryGetProperty("error_description", out _));
    }

    [Theory]
    [InlineData("Bearer FkzdyJV14zc73AaK9FmNCtyp5bUTegis")]
    [InlineData("Bearer not-a-token")]
    public async Task A_token_this_server_did_not_issue_gets_401_invalid_token(string authorization)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        await Wire.GetTokenAsync(http, server);

        Reply reply = await Wire.SendAsync(http, Get(server, authorization));

        Assert.Equal(401, reply.Status);
        Assert.Equal("Bearer error=\"invalid_token\"", reply.Header("WWW-Authenticate"));
        Assert.Equal("invalid_token", reply.Json().GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_token_is_accepted_until_its_lifetime_has_passed_on_the_server_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.TokenLifetime = TimeSpan.FromSeconds(3600);
        });
        using var http = new HttpClient();
        string token = await Wire.GetTokenAsync(http, server);

        time.Advance(TimeSpan.FromSeconds(3599));
        Reply justBefore = await Wire.SendAsync(http, Get(server, "Bearer " + token));
        time.Advance(TimeSpan.FromSeconds(1));
        Reply atExpiry = await Wire.SendAsync(http, Get(server, "Bearer " + token));
        string fresh = await Wire.GetTokenAsync(http, server);
        Reply freshReply = await Wire.SendAsync(http, Get(server, "Bearer " + fresh));

        Assert.Equal(200, justBefore.Status);
        Assert.Equal(401, atExpiry.Status);
        Assert.Equal("Bearer error=\"invalid_token\"", atExpiry.Header("WWW-Authenticate"));
        Assert.Contains("expired", atExpiry.Json().GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, freshReply.Status);
    }

    [Fact]
    public async Task Revoked_tokens_get_401()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        string token = await Wire.GetTokenAsync(http, server);

        server.RevokeAllTokens();
        Reply reply = await Wire.SendAsync(http, Get(server, "Bearer " + token));

        Assert.Equal(401, reply.Status);
        Assert.Equal("invalid_token", reply.Json().GetProperty("error").GetString());
    }

    [Fact]
    public async Task Other_methods_get_405_with_Allow_GET_and_are_not_counted()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.ApiEndpoint, new StringContent(""));

        Assert.Equal(405, reply.Status);
        Assert.Equal("GET", reply.Header("Allow"));
        Assert.Equal(0, server.ApiRequestCount);
    }

    [Fact]
    public async Task Api_faults_apply_to_the_api_endpoint_only()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.ApiFaults.Enqueue(PeddlerFault.Status(503));
        string token = await Wire.GetTokenAsync(http, server);

        Reply faulted = await Wire.SendAsync(http, Get(server, "Bearer " + token));
        Reply normal = await Wire.SendAsync(http, Get(server, "Bearer " + token));

        Assert.Equal(503, faulted.Status);
        Assert.Equal(200, normal.Status);
        Assert.Equal(2, server.ApiRequestCount);
        Assert.Equal(1, server.TokenRequestCount);
    }
}
