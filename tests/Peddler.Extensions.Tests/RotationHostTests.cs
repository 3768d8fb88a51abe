using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>Secret rotation in a host: a JSON file with reloadOnChange, rewritten while the host runs.</summary>
public sealed class RotationHostTests : IDisposable
{
    private const string RotatedSecret = "fake-rotated-secret-for-tests";
    private const int OptionsChangeRejected = 30;
    private const int OptionsChanged = 31;

    private readonly string _directory = Directory.CreateTempSubdirectory("peddler-rotation-").FullName;

    private string SettingsPath => Path.Combine(_directory, "appsettings.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void WriteSettings(PeddlerAuthorizationServer server, string secret)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Peddler");
            json.WriteString("ClientId", Fake.ClientId);
            json.WriteString("ClientSecret", secret);
            json.WriteString("TokenEndpoint", server.TokenEndpoint.ToString());
            json.WriteString("RetryBaseDelay", "00:00:00.001");
            json.WriteString("MaxRetryDelay", "00:00:00.005");
            json.WriteBoolean("BackgroundRefresh", false);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        File.WriteAllBytes(SettingsPath, buffer.ToArray());
    }

    private async Task<RunningHost> StartHostAsync(PeddlerAuthorizationServer server, LogCapture logs)
    {
        WriteSettings(server, Fake.Secret);
        HostApplicationBuilder builder = TestHost.CreateBuilder([], logs);
        builder.Configuration.AddJsonFile(SettingsPath, optional: false, reloadOnChange: true);
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        return await RunningHost.StartAsync(builder);
    }

    [Fact]
    public async Task A_rewritten_secret_is_used_by_the_next_acquisition_without_a_restart()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        await using RunningHost host = await StartHostAsync(server, logs);
        var tokens = host.Services.GetRequiredService<CarrierTokens>();
        PeddlerAccessToken first = await tokens.GetTokenAsync();

        // Rotated on Peddler's side: from now on only the new secret is accepted. Then the file.
        server.AddClient(Fake.ClientId, RotatedSecret, Fake.Carrier);
        int before = logs.Count;
        WriteSettings(server, RotatedSecret);
        await logs.WaitForEventAsync(OptionsChanged, before);

        // Issued tokens are not revoked by a rotation: the cached one is still served, no request.
        Assert.Same(first, await tokens.GetTokenAsync());
        Assert.Equal(1, server.TokenRequestCount);

        // The next acquisition sends the new secret: the server, which refuses the old one, answers 200.
        tokens.InvalidateToken(first);
        PeddlerAccessToken second = await tokens.GetTokenAsync();
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal([200, 200], server.TokenRequests.Select(r => r.StatusCode ?? 0));
        Assert.DoesNotContain(logs.Records, r => r.AllText.Contains(RotatedSecret, StringComparison.Ordinal) || r.AllText.Contains(Fake.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_change_is_logged_naming_the_key_and_the_client_keeps_its_options()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        var logs = new LogCapture();
        await using RunningHost host = await StartHostAsync(server, logs);
        var tokens = host.Services.GetRequiredService<CarrierTokens>();
        PeddlerAccessToken first = await tokens.GetTokenAsync();

        int before = logs.Count;
        WriteSettings(server, secret: string.Empty);
        LogRecord rejected = await logs.WaitForEventAsync(OptionsChangeRejected, before);

        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, rejected.Level);
        Assert.Contains("Peddler:ClientSecret is required.", rejected.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Records.Skip(before), r => r.Is(OptionsChanged));

        // The last valid options (the old secret, which the server still accepts) are still used.
        tokens.InvalidateToken(first);
        await tokens.GetTokenAsync();
        Assert.Equal([200, 200], server.TokenRequests.Select(r => r.StatusCode ?? 0));

        // A later valid change is still followed.
        server.AddClient(Fake.ClientId, RotatedSecret, Fake.Carrier);
        before = logs.Count;
        WriteSettings(server, RotatedSecret);
        await logs.WaitForEventAsync(OptionsChanged, before);
        tokens.InvalidateToken();
        await tokens.GetTokenAsync();
        Assert.Equal([200, 200, 200], server.TokenRequests.Select(r => r.StatusCode ?? 0));
        Assert.DoesNotContain(logs.Records, r => r.AllText.Contains(RotatedSecret, StringComparison.Ordinal) || r.AllText.Contains(Fake.Secret, StringComparison.Ordinal));
    }
}
