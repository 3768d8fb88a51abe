using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

public class RegistrationTests
{
    [Fact]
    public async Task A_client_registered_from_configuration_gets_a_token()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        HostApplicationBuilder builder = TestHost.CreateBuilder(TestHost.Settings(server));
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        await using RunningHost host = await RunningHost.StartAsync(builder);

        var tokens = host.Services.GetRequiredService<CarrierTokens>();
        PeddlerAccessToken token = await tokens.GetTokenAsync();

        Assert.Equal("DEFAULT authenticated 900001", token.Scope);
        Assert.Equal(server.TokenEndpoint, tokens.EffectiveTokenEndpoint);
        Assert.Same(tokens, host.Services.GetRequiredService<CarrierTokens>());
        Assert.Same(tokens, host.Services.GetRequiredKeyedService<IPeddlerTokenClient>("CarrierTokens"));
        Assert.Equal(1, server.TokenRequestCount);
        Assert.Equal(Fake.ClientId, server.TokenRequests.Single().ClientId);
    }

    [Fact]
    public async Task Every_option_is_bound_from_configuration()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var settings = TestHost.Settings(server);
        settings["Peddler:CarrierId"] = Fake.Carrier;
        settings["Peddler:RefreshMargin"] = "00:02:00";
        settings["Peddler:DefaultTokenLifetime"] = "00:07:00";
        settings["Peddler:Timeout"] = "00:00:42";
        settings["Peddler:MaxRetries"] = "7";
        settings["Peddler:MaxRetryAfter"] = "00:00:09";
        HostApplicationBuilder builder = TestHost.CreateBuilder(settings);
        builder.Services.AddPeddlerClient<ConfiguredCarrierTokens>(builder.Configuration.GetSection("Peddler"));
        using IHost host = builder.Build();

        PeddlerClientOptions options = host.Services.GetRequiredService<IOptionsMonitor<PeddlerClientOptions>>().Get("ConfiguredCarrierTokens");

        Assert.Equal(Fake.ClientId, options.ClientId);
        Assert.Equal(Fake.Secret, options.ClientSecret);
        Assert.Equal(server.TokenEndpoint, options.TokenEndpoint);
        Assert.Equal(Fake.Carrier, options.CarrierId);
        Assert.Equal(TimeSpan.FromMinutes(2), options.RefreshMargin);
        Assert.Equal(TimeSpan.FromMinutes(7), options.DefaultTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(42), options.Timeout);
        Assert.Equal(7, options.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(1), options.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.MaxRetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(9), options.MaxRetryAfter);
        Assert.False(options.BackgroundRefresh);
        PeddlerAccessToken token = await host.Services.GetRequiredService<ConfiguredCarrierTokens>().GetTokenAsync();
        Assert.Equal("DEFAULT authenticated 900001", token.Scope);
    }

    [Fact]
    public async Task A_client_registered_in_code_gets_a_token()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        HostApplicationBuilder builder = TestHost.CreateBuilder([]);
        builder.Services.AddPeddlerClient<ConfiguredCarrierTokens>(options =>
        {
            options.ClientId = Fake.ClientId;
            options.ClientSecret = Fake.Secret;
            options.CarrierId = Fake.Carrier;
            options.TokenEndpoint = server.TokenEndpoint;
            options.BackgroundRefresh = false;
        });
        await using RunningHost host = await RunningHost.StartAsync(builder);

        PeddlerAccessToken token = await host.Services.GetRequiredService<ConfiguredCarrierTokens>().GetTokenAsync();

        Assert.Equal("DEFAULT authenticated 900001", token.Scope);
    }

    [Fact]
    public async Task Two_clients_coexist_with_their_own_options_tokens_and_http_clients()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var settings = TestHost.Settings(server, "Carriers:First");
        foreach (var pair in TestHost.Settings(server, "Carriers:Second", Fake.SecondClientId, Fake.SecondSecret))
        {
            settings.Add(pair.Key, pair.Value);
        }

        HostApplicationBuilder builder = TestHost.CreateBuilder(settings);
        IHttpClientBuilder first = builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Carriers:First"));
        IHttpClientBuilder second = builder.Services.AddPeddlerClient<SecondCarrierTokens>(builder.Configuration.GetSection("Carriers:Second"));
        await using RunningHost host = await RunningHost.StartAsync(builder);

        PeddlerAccessToken firstToken = await host.Services.GetRequiredService<CarrierTokens>().GetTokenAsync();
        PeddlerAccessToken secondToken = await host.Services.GetRequiredService<SecondCarrierTokens>().GetTokenAsync();

        Assert.Equal("Peddler.Token:CarrierTokens", first.Name);
        Assert.Equal("Peddler.Token:SecondCarrierTokens", second.Name);
        Assert.Equal("DEFAULT authenticated 900001", firstToken.Scope);
        Assert.Equal("DEFAULT authenticated 900002", secondToken.Scope);
        Assert.NotEqual(firstToken.AccessToken, secondToken.AccessToken);
        Assert.Equal(
            [Fake.SecondClientId, Fake.ClientId],
            server.TokenRequests.Select(r => r.ClientId ?? "(none)").Order(StringComparer.Ordinal).ToArray());
        Assert.Same(host.Services.GetRequiredService<SecondCarrierTokens>(), host.Services.GetRequiredKeyedService<IPeddlerTokenClient>("SecondCarrierTokens"));
    }

    [Fact]
    public void Registering_a_client_twice_adds_configuration_not_services()
    {
        var services = new ServiceCollection();
        services.AddPeddlerClient<CarrierTokens>(o => o.ClientId = "id");
        services.AddPeddlerClient<CarrierTokens>(o => o.ClientSecret = "fake-secret");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(1, services.Count(d => d.ServiceType == typeof(CarrierTokens)));
        Assert.Equal(1, services.Count(d => d.ServiceType == typeof(IHostedService)));
        Assert.Single(provider.GetServices<IValidateOptions<PeddlerClientOptions>>());
        PeddlerClientOptions options = provider.GetRequiredService<IOptionsMonitor<PeddlerClientOptions>>().Get("CarrierTokens");
        Assert.Equal("id", options.ClientId);
        Assert.Equal("fake-secret", options.ClientSecret);
    }

    [Fact]
    public void Two_client_classes_with_the_same_name_are_refused()
    {
        var services = new ServiceCollection();
        services.AddPeddlerClient<CarrierTokens>(o => o.ClientId = "id");

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddPeddlerClient<Elsewhere.CarrierTokens>(o => o.ClientId = "id"));

        Assert.Contains("Peddler.Extensions.Tests.CarrierTokens", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Peddler.Extensions.Tests.Elsewhere.CarrierTokens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_handler_without_a_registered_client_says_what_is_missing()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var services = new ServiceCollection();
        services.AddHttpClient("peddler-api").AddPeddlerAccessToken<CarrierTokens>();
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("peddler-api"));

        Assert.Contains("AddPeddlerClient<CarrierTokens>", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.ApiRequestCount);
    }

    [Fact]
    public async Task PeddlerClientFactory_creates_a_client_that_logs_under_its_category()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        using var http = new HttpClient();

        CarrierTokens tokens = PeddlerClientFactory.Create<CarrierTokens>(
            http,
            new PeddlerClientOptions { ClientId = Fake.ClientId, ClientSecret = Fake.Secret, TokenEndpoint = server.TokenEndpoint },
            loggerFactory);
        PeddlerAccessToken token = await tokens.GetTokenAsync();

        LogRecord acquired = Assert.Single(logs.Records, r => r.Is(1));
        Assert.Equal("Peddler.Client.CarrierTokens", acquired.Category);
        Assert.Equal(token.Fingerprint, acquired.Value<string>("TokenFingerprint"));
        Assert.Equal("TokenAcquired", acquired.EventId.Name);
    }
}
