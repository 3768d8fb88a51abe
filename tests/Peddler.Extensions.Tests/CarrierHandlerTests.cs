using System;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>AddPeddlerAccessToken picks the carrier per request, for a {CarrierId} client without a fixed carrier.</summary>
public class CarrierHandlerTests
{
    private const string ApiClient = "peddler-api";

    private static async Task<RunningHost> StartAsync(PeddlerAuthorizationServer server, Action<IHttpClientBuilder> addHandler)
    {
        server.AddCarriers(Fake.ClientId, ["900003"]);
        HostApplicationBuilder builder = TestHost.CreateBuilder(TestHost.Settings(server), new LogCapture());
        builder.Services.AddPeddlerClient<ConfiguredCarrierTokens>(builder.Configuration.GetSection("Peddler"));
        addHandler(builder.Services.AddHttpClient(ApiClient));
        return await RunningHost.StartAsync(builder);
    }

    private static async Task<string> GetAsync(RunningHost host, HttpRequestMessage request)
    {
        HttpClient api = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClient);
        using HttpResponseMessage response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task The_carrier_comes_from_the_request_options()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        await using RunningHost host = await StartAsync(server, api => api.AddPeddlerAccessToken<ConfiguredCarrierTokens>());

        foreach (string carrier in new[] { "900001", "900003", "900001" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
            request.Options.Set(PeddlerRequestOptions.CarrierId, carrier);
            Assert.Contains($"\"carrier_id\":\"{carrier}\"", await GetAsync(host, request), StringComparison.Ordinal);
        }

        // One token per carrier, cached per carrier.
        Assert.Equal(2, server.TokenRequestCount);

        // No carrier from anywhere: a clear failure, no token request.
        using var bare = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
        HttpClient api = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClient);
        InvalidOperationException none = await Assert.ThrowsAsync<InvalidOperationException>(() => api.SendAsync(bare));
        Assert.Contains("no carrier", none.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.TokenRequestCount);
    }

    [Fact]
    public async Task The_carrier_comes_from_a_delegate_unless_the_request_options_name_one()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        await using RunningHost host = await StartAsync(
            server,
            api => api.AddPeddlerAccessToken<ConfiguredCarrierTokens>(request =>
                request.Headers.TryGetValues("X-Carrier", out var values) ? string.Join(",", values) : null));

        using var fromHeader = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
        fromHeader.Headers.Add("X-Carrier", "900003");
        Assert.Contains("\"carrier_id\":\"900003\"", await GetAsync(host, fromHeader), StringComparison.Ordinal);

        using var fromOptions = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
        fromOptions.Headers.Add("X-Carrier", "900003");
        fromOptions.Options.Set(PeddlerRequestOptions.CarrierId, "900001");
        Assert.Contains("\"carrier_id\":\"900001\"", await GetAsync(host, fromOptions), StringComparison.Ordinal);
        Assert.Equal(2, server.TokenRequestCount);
    }
}
