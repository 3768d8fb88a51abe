using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

public class HandlerTests
{
    private const string ApiClient = "peddler-api";

    private static async Task<RunningHost> StartAsync(PeddlerAuthorizationServer server, LogCapture logs, Action<IHttpClientBuilder>? tokenClient = null)
    {
        HostApplicationBuilder builder = TestHost.CreateBuilder(TestHost.Settings(server), logs);
        IHttpClientBuilder tokenHttp = builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        tokenClient?.Invoke(tokenHttp);
        builder.Services.AddHttpClient(ApiClient).AddPeddlerAccessToken<CarrierTokens>();
        return await RunningHost.StartAsync(builder);
    }

    private static HttpClient Api(RunningHost host) =>
        host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClient);

    [Fact]
    public async Task The_handler_sends_the_token_as_a_bearer_header()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        await using RunningHost host = await StartAsync(server, logs);

        using HttpResponseMessage response = await Api(host).GetAsync(server.ApiEndpoint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"carrier_id\":\"900001\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, server.TokenRequestCount);
        Assert.Equal(1, server.ApiRequestCount);
    }

    [Fact]
    public async Task A_401_invalidates_the_token_and_the_request_is_retried_exactly_once_with_a_new_one()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        await using RunningHost host = await StartAsync(server, logs);
        HttpClient api = Api(host);
        var tokens = host.Services.GetRequiredService<CarrierTokens>();
        (await api.GetAsync(server.ApiEndpoint)).Dispose();
        PeddlerAccessToken rejected = await tokens.GetTokenAsync();
        server.RevokeAllTokens();

        using HttpResponseMessage response = await api.GetAsync(server.ApiEndpoint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.TokenRequestCount);
        Assert.Equal(3, server.ApiRequestCount);
        PeddlerAccessToken fresh = await tokens.GetTokenAsync();
        Assert.NotEqual(rejected.AccessToken, fresh.AccessToken);
        LogRecord retried = Assert.Single(logs.Records, r => r.Is(20));
        Assert.Equal(rejected.Fingerprint, retried.Value<string>("TokenFingerprint"));
        Assert.Equal(fresh.Fingerprint, retried.Value<string>("NewTokenFingerprint"));
        Assert.Equal(server.ApiEndpoint.ToString(), retried.Value<string>("RequestUri"));
        Assert.Single(logs.Records, r => r.Is(5) && r.Value<string>("TokenFingerprint") == rejected.Fingerprint);
    }

    [Fact]
    public async Task A_token_the_API_considers_expired_is_replaced_on_the_401()
    {
        // The API's clock runs ahead of the client's: the API sees the token expired while the
        // client still considers it fresh, the case only the 401 can reveal.
        var apiTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync(apiTime);
        var logs = new LogCapture();
        await using RunningHost host = await StartAsync(server, logs);
        HttpClient api = Api(host);
        (await api.GetAsync(server.ApiEndpoint)).Dispose();
        apiTime.Advance(PeddlerAuthorizationServer.DefaultTokenLifetime + TimeSpan.FromSeconds(1));

        using HttpResponseMessage response = await api.GetAsync(server.ApiEndpoint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.TokenRequestCount);
        Assert.Equal(3, server.ApiRequestCount);
    }

    [Fact]
    public async Task Repeated_401s_are_retried_once_and_then_returned()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        await using RunningHost host = await StartAsync(server, logs);
        server.ApiFaults.Enqueue(PeddlerFault.Status(401), count: 10);

        using HttpResponseMessage response = await Api(host).GetAsync(server.ApiEndpoint);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, server.ApiRequestCount);
        Assert.Equal(2, server.TokenRequestCount);
        Assert.Single(logs.Records, r => r.Is(20));
        Assert.Single(logs.Records, r => r.Is(22));
        Assert.Equal(8, server.ApiFaults.Count);
    }

    [Fact]
    public async Task A_request_whose_content_cannot_be_replayed_is_not_retried_but_its_token_is_dropped()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        await using RunningHost host = await StartAsync(server, logs);
        HttpClient api = Api(host);
        (await api.GetAsync(server.ApiEndpoint)).Dispose();
        server.RevokeAllTokens();

        using var streamed = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint)
        {
            Content = new StreamContent(new MemoryStream([1, 2, 3])),
        };
        using HttpResponseMessage response = await api.SendAsync(streamed);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, server.ApiRequestCount);
        LogRecord notRetried = Assert.Single(logs.Records, r => r.Is(21));
        Assert.Equal("StreamContent", notRetried.Value<string>("ContentType"));

        // The next request gets a new token without a 401 first.
        using HttpResponseMessage next = await api.GetAsync(server.ApiEndpoint);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, server.TokenRequestCount);
        Assert.Equal(3, server.ApiRequestCount);
    }

    [Fact]
    public async Task A_request_with_buffered_content_is_replayed_with_the_same_body()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        var seen = new List<string>();
        HostApplicationBuilder builder = TestHost.CreateBuilder(TestHost.Settings(server), logs);
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        builder.Services.AddHttpClient(ApiClient)
            .AddPeddlerAccessToken<CarrierTokens>()
            .AddHttpMessageHandler(() => new BodyRecorder(seen));
        await using RunningHost host = await RunningHost.StartAsync(builder);
        server.ApiFaults.Enqueue(PeddlerFault.Status(401));

        using var request = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint) { Content = new StringContent("{\"query\":1}") };
        using HttpResponseMessage response = await Api(host).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["{\"query\":1}", "{\"query\":1}"], seen);
        Assert.Equal(2, server.ApiRequestCount);
    }

    [Fact]
    public async Task A_handler_added_to_the_token_client_sees_each_attempt_once_and_retries_are_not_doubled()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        var seen = new List<string>();
        await using RunningHost host = await StartAsync(server, logs, http => http.AddHttpMessageHandler(() => new BodyRecorder(seen)));
        server.Faults.Enqueue(PeddlerFault.Status(503));

        PeddlerAccessToken token = await host.Services.GetRequiredService<CarrierTokens>().GetTokenAsync();

        Assert.Equal(2, server.TokenRequestCount);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, body => Assert.StartsWith("grant_type=client_credentials&client_id=test-client&", body, StringComparison.Ordinal));
        Assert.Single(logs.Records, r => r.Is(2));
        Assert.Equal("DEFAULT authenticated 900001", token.Scope);
    }

    /// <summary>A user's handler: records each request body it passes on.</summary>
    private sealed class BodyRecorder(List<string> seen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (seen)
            {
                seen.Add(body);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
