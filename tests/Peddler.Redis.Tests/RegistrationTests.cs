using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peddler.Caching;
using Xunit;

namespace Peddler.Redis.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void The_cache_is_registered_under_the_client_name()
    {
        var services = new ServiceCollection();
        services.AddPeddlerClient<FleetTokens>(o => { o.ClientId = "id"; o.ClientSecret = "fake-secret-for-tests"; o.CarrierId = "900001"; })
            .AddDistributedTokenCache("127.0.0.1:1");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetKeyedService<PeddlerSharedTokenCache>(nameof(FleetTokens)));
    }

    [Fact]
    public void Only_the_builder_of_AddPeddlerClient_is_accepted()
    {
        var services = new ServiceCollection();
        IHttpClientBuilder other = services.AddHttpClient("api");

        ArgumentException error = Assert.Throws<ArgumentException>(() => other.AddDistributedTokenCache("127.0.0.1:1"));
        Assert.Contains("AddPeddlerClient", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_Redis_configuration_is_refused_at_start()
    {
        var services = new ServiceCollection();
        services.AddPeddlerClient<FleetTokens>(o => { o.ClientId = "id"; o.ClientSecret = "fake-secret-for-tests"; o.CarrierId = "900001"; })
            .AddDistributedTokenCache(o => o.LockLease = TimeSpan.FromSeconds(5));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Redis configuration", error.Message, StringComparison.Ordinal);
    }
}
