using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Peddler.DevServer.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void A_client_lists_its_carriers_after_the_last_colon()
    {
        var settings = new DevServerSettings();

        Assert.True(CommandLine.TryApply(["--client", "platform:fake-secret-1:900001,900002,900003", "--client=solo:fake:secret:2:"], settings, out _, out string? error), error);

        Assert.Collection(
            settings.Clients,
            c =>
            {
                Assert.Equal("platform", c.ClientId);
                Assert.Equal("fake-secret-1", c.ClientSecret);
                Assert.Equal(["900001", "900002", "900003"], c.CarrierIds);
                Assert.Equal("platform (carriers 900001, 900002, 900003)", c.ToString());
            },
            c =>
            {
                // A secret with ':' and no carrier after the last one.
                Assert.Equal("fake:secret:2", c.ClientSecret);
                Assert.Empty(c.CarrierIds);
                Assert.Equal("solo (no carrier)", c.ToString());
            });
    }

    [Fact]
    public void Clients_of_the_command_line_replace_those_of_the_settings_file()
    {
        DevServerSettings settings = FromJson("""{ "PeddlerDevServer": { "Clients": [ { "ClientId": "dev-client", "ClientSecret": "fake-secret-1", "CarrierId": "900001" } ] } }""");

        Assert.True(CommandLine.TryApply(["--client", "platform:fake-secret-2:900002"], settings, out _, out string? error), error);

        DevServerClient client = Assert.Single(settings.Clients);
        Assert.Equal("platform", client.ClientId);
    }

    [Fact]
    public void A_repeated_client_id_on_the_command_line_is_an_error_without_the_secrets()
    {
        var settings = new DevServerSettings();

        Assert.False(CommandLine.TryApply(["--client", "platform:fake-secret-1:900001", "--client", "platform:fake-secret-2:900002"], settings, out _, out string? error));

        Assert.Equal("--client 'platform' is given twice; give each client id once", error);
        Assert.Empty(settings.Clients);
    }

    [Theory]
    [InlineData("platform:fake-secret-1:900001,,900002", "carrier 2 is empty")]
    [InlineData("platform:fake-secret-1:900001,DEFAULT", "carrier 2 is not a valid carrier id")]
    [InlineData("platform:fake-secret-1:authenticated", "carrier 1 is not a valid carrier id")]
    [InlineData("platform:fake-secret-1:9000 01", "carrier 1 is not a valid carrier id")]
    [InlineData("platform:fake-secret-1:fake\"secret-1", "carrier 1 is not a valid carrier id")]
    [InlineData("platform:fake-secret-1:900001,900001", "carrier 2 repeats an earlier carrier")]
    public void A_bad_carrier_is_an_error_naming_the_client_and_never_the_secret_or_the_carrier(string client, string expected)
    {
        Assert.False(CommandLine.TryApply(["--client", client], new DevServerSettings(), out _, out string? error));

        Assert.NotNull(error);
        Assert.StartsWith($"--client 'platform': {expected}", error, System.StringComparison.Ordinal);
        Assert.DoesNotContain("fake", error, System.StringComparison.Ordinal);
        Assert.DoesNotContain("9000 01", error, System.StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("platform:fake-secret-1")]
    [InlineData("--clinet=platform:fake-secret-1")]
    [InlineData("--client", ":fake-secret-1")]
    [InlineData("--client", "platform::900001")]
    public void Other_bad_arguments_never_echo_a_secret(params string[] args)
    {
        Assert.False(CommandLine.TryApply(args, new DevServerSettings(), out _, out string? error));

        Assert.NotNull(error);
        Assert.DoesNotContain("fake-secret", error, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_port_is_off_by_default_and_zero_means_any_free_port()
    {
        var settings = new DevServerSettings();
        Assert.Null(settings.AdminPort);

        Assert.True(CommandLine.TryApply(["--admin-port", "0"], settings, out _, out _));
        Assert.Equal(0, settings.AdminPort);

        Assert.False(CommandLine.TryApply(["--admin-port", "70000"], settings, out _, out string? error));
        Assert.Equal("--admin-port must be a number from 0 to 65535 (got '70000')", error);
    }

    [Fact]
    public void The_settings_file_takes_one_carrier_a_comma_list_or_an_array()
    {
        DevServerSettings settings = FromJson("""
            { "PeddlerDevServer": { "AdminPort": 0, "Clients": [
              { "ClientId": "dev-client", "ClientSecret": "fake-secret-1", "CarrierId": "900001" },
              { "ClientId": "platform", "ClientSecret": "fake-secret-2", "CarrierIds": [ "900001", "900002", "900003" ] },
              { "ClientId": "listed", "ClientSecret": "fake-secret-3", "CarrierId": "900001,900002", "CarrierIds": [ "900003" ] },
              { "ClientId": "none", "ClientSecret": "fake-secret-4" }
            ] } }
            """);

        Assert.True(settings.TryValidateClients("appsettings.json", out string? error), error);

        Assert.Equal(0, settings.AdminPort);
        Assert.Equal(
            ["dev-client (carrier 900001)", "platform (carriers 900001, 900002, 900003)", "listed (carriers 900001, 900002, 900003)", "none (no carrier)"],
            settings.Clients.Select(c => c.ToString()));
    }

    [Fact]
    public void The_shipped_settings_file_is_valid()
    {
        DevServerSettings settings = DevServerSettings.Bind(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Path.GetDirectoryName(DevServerProcess.DllPath)!, "appsettings.json"), optional: false)
            .Build());

        Assert.True(settings.TryValidateClients("appsettings.json", out string? error), error);
        Assert.NotEmpty(settings.Clients);
    }

    [Fact]
    public void A_repeated_client_id_in_the_settings_file_is_an_error_without_the_secrets()
    {
        DevServerSettings settings = FromJson("""
            { "PeddlerDevServer": { "Clients": [
              { "ClientId": "platform", "ClientSecret": "fake-secret-1", "CarrierId": "900001" },
              { "ClientId": "platform", "ClientSecret": "fake-secret-2", "CarrierIds": [ "900002" ] }
            ] } }
            """);

        Assert.False(settings.TryValidateClients("appsettings.json", out string? error));

        Assert.Equal("appsettings.json: client 'platform' is given twice; give each client id once", error);
    }

    [Theory]
    [InlineData("""{ "ClientId": "platform", "ClientSecret": "fake-secret-1", "CarrierIds": [ "900001", "fake secret" ] }""", "appsettings.json: client 'platform': carrier 2 is not a valid carrier id")]
    [InlineData("""{ "ClientId": "platform", "ClientSecret": "fake-secret-1", "CarrierId": "900001,", "CarrierIds": [ ] }""", "appsettings.json: client 'platform': carrier 2 is empty")]
    [InlineData("""{ "ClientId": "platform", "CarrierId": "900001" }""", "appsettings.json: client 'platform' has no ClientSecret")]
    [InlineData("""{ "ClientSecret": "fake-secret-1" }""", "appsettings.json: client 1 has no ClientId")]
    public void A_bad_client_in_the_settings_file_is_an_error_without_the_secret(string client, string expected)
    {
        DevServerSettings settings = FromJson($$"""{ "PeddlerDevServer": { "Clients": [ {{client}} ] } }""");

        Assert.False(settings.TryValidateClients("appsettings.json", out string? error));

        Assert.NotNull(error);
        Assert.StartsWith(expected, error, System.StringComparison.Ordinal);
        Assert.DoesNotContain("fake", error, System.StringComparison.Ordinal);
    }

    private static DevServerSettings FromJson(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return DevServerSettings.Bind(new ConfigurationBuilder().AddJsonStream(stream).Build());
    }
}
