using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

public class OptionsValidationTests
{
    private const string DistinctSecret = "fake-secret-VALIDATION-7731";

    private static Dictionary<string, string?> Valid(string section = "Peddler") => new()
    {
        [$"{section}:ClientId"] = Fake.ClientId,
        [$"{section}:ClientSecret"] = DistinctSecret,
        [$"{section}:TokenEndpoint"] = "http://127.0.0.1:9/oauth/token",
        [$"{section}:BackgroundRefresh"] = "false",
    };

    /// <summary>Starts a host whose options are invalid; returns the failure the host start reported.</summary>
    private static async Task<OptionsValidationException> StartFailingAsync<TClient>(Dictionary<string, string?> settings, string section = "Peddler")
        where TClient : class, IPeddlerClient<TClient>
    {
        HostApplicationBuilder builder = TestHost.CreateBuilder(settings);
        builder.Services.AddPeddlerClient<TClient>(builder.Configuration.GetSection(section));
        using IHost host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.DoesNotContain(DistinctSecret, ex.ToString(), StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public async Task A_missing_client_id_names_its_configuration_key()
    {
        var settings = Valid();
        settings.Remove("Peddler:ClientId");

        OptionsValidationException ex = await StartFailingAsync<CarrierTokens>(settings);

        Assert.Equal("CarrierTokens", ex.OptionsName);
        Assert.Equal(["CarrierTokens: Peddler:ClientId is required."], ex.Failures);
    }

    [Fact]
    public async Task A_missing_client_secret_names_its_configuration_key()
    {
        var settings = Valid();
        settings["Peddler:ClientSecret"] = "";

        OptionsValidationException ex = await StartFailingAsync<CarrierTokens>(settings);

        Assert.Equal(["CarrierTokens: Peddler:ClientSecret is required."], ex.Failures);
    }

    [Fact]
    public async Task A_plain_http_endpoint_off_loopback_is_refused_without_printing_the_secret()
    {
        var settings = Valid();

        // Even a secret pasted into the endpoint's user info is not echoed: the endpoint is shown without user info.
        settings["Peddler:TokenEndpoint"] = $"http://{Fake.ClientId}:{DistinctSecret}@auth.example.com/oauth/token";

        OptionsValidationException ex = await StartFailingAsync<CarrierTokens>(settings);

        string failure = Assert.Single(ex.Failures);
        Assert.StartsWith("CarrierTokens: Peddler:TokenEndpoint must use https: 'http://auth.example.com/oauth/token'", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(DistinctSecret, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_time_carrier_client_without_a_carrier_id_starts_and_its_own_calls_need_one()
    {
        HostApplicationBuilder builder = TestHost.CreateBuilder(Valid());
        builder.Services.AddPeddlerClient<ConfiguredCarrierTokens>(builder.Configuration.GetSection("Peddler"));
        await using RunningHost host = await RunningHost.StartAsync(builder);

        var tokens = host.Services.GetRequiredService<ConfiguredCarrierTokens>();
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await tokens.GetTokenAsync());
        Assert.Contains("no carrier: set CarrierId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once_with_the_keys_of_its_section()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Carriers:Nord:ClientSecret"] = DistinctSecret,
            ["Carriers:Nord:TokenEndpoint"] = "ftp://auth.example.com/token",
            ["Carriers:Nord:MaxRetries"] = "-1",
            ["Carriers:Nord:CarrierId"] = "9000 01",
        };

        OptionsValidationException ex = await StartFailingAsync<ConfiguredCarrierTokens>(settings, "Carriers:Nord");

        Assert.Equal(
            [
                "ConfiguredCarrierTokens: Carriers:Nord:ClientId is required.",
                "ConfiguredCarrierTokens: Carriers:Nord:TokenEndpoint must be an http(s) URI; its scheme is 'ftp'.",
                "ConfiguredCarrierTokens: Carriers:Nord:MaxRetries must not be negative.",
                "ConfiguredCarrierTokens: Carriers:Nord:CarrierId '9000 01' is not a valid scope token (printable ASCII without spaces, quotes or backslashes).",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task Options_set_in_code_are_named_as_properties()
    {
        HostApplicationBuilder builder = TestHost.CreateBuilder([]);
        builder.Services.AddPeddlerClient<CarrierTokens>(options => options.ClientId = Fake.ClientId);
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["CarrierTokens: PeddlerClientOptions.ClientSecret is required."], ex.Failures);
    }

    [Fact]
    public async Task Only_the_invalid_client_fails_and_its_neighbour_is_not_blamed()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var settings = TestHost.Settings(server, "Good");
        settings["Bad:ClientId"] = Fake.SecondClientId;
        HostApplicationBuilder builder = TestHost.CreateBuilder(settings);
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Good"));
        builder.Services.AddPeddlerClient<SecondCarrierTokens>(builder.Configuration.GetSection("Bad"));
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["SecondCarrierTokens: Bad:ClientSecret is required."], ex.Failures);
        PeddlerAccessToken token = await host.Services.GetRequiredService<CarrierTokens>().GetTokenAsync();
        Assert.Equal("DEFAULT authenticated 900001", token.Scope);
    }
}
