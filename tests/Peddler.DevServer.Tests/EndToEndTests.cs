using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;
using Peddler.Testing;
using Xunit;

namespace Peddler.DevServer.Tests;

/// <summary>The built dev server as a process, spoken to over real HTTP on 127.0.0.1.</summary>
public sealed class EndToEndTests
{
    private static readonly string Fingerprint = "fp:" + PeddlerTokenRequestRecord.SecretFingerprintOf(Fake.Secret);
    private static readonly string NewFingerprint = "fp:" + PeddlerTokenRequestRecord.SecretFingerprintOf(Fake.NewSecret);

    private static string PlatformClient => $"{Fake.Platform}:{Fake.Secret}:{string.Join(',', Fake.Carriers)}";

    [Fact]
    public async Task A_platform_gets_a_token_for_each_of_its_carriers_and_none_for_another()
    {
        await using DevServerProcess server = await DevServerProcess.StartAsync("--port", "0", "--client", PlatformClient, "--client", "solo:fake-secret-solo");
        using var http = new HttpClient { Timeout = DevServerProcess.Patience };

        Assert.Contains("    platform (carriers 900001, 900002, 900003)", server.Output);
        Assert.Contains("    solo (no carrier)", server.Output);
        Assert.Contains("  Admin endpoint: (off; --admin-port <n> to rotate secrets while running)", server.Output);

        var tokens = new List<string>();
        foreach (string carrier in Fake.Carriers)
        {
            using HttpResponseMessage response = await server.RequestTokenAsync(http, Fake.Platform, Fake.Secret, carrier);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("DEFAULT authenticated " + carrier, body.RootElement.GetProperty("scope").GetString());
            tokens.Add(body.RootElement.GetProperty("access_token").GetString()!);

            // The API endpoint knows which carrier the token is for.
            using var api = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, "api/carrier"));
            api.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[^1]);
            using HttpResponseMessage answer = await http.SendAsync(api);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains($"\"{carrier}\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (HttpResponseMessage refused = await server.RequestTokenAsync(http, Fake.Platform, Fake.Secret, "900009"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("invalid_scope", body.RootElement.GetProperty("error").GetString());
        }

        foreach (string carrier in Fake.Carriers)
        {
            await server.WaitForLineAsync(l => l.EndsWith($" POST /oauth/token client_id=platform scope=\"DEFAULT authenticated {carrier}\" secret={Fingerprint} → 200", StringComparison.Ordinal));
        }

        await server.WaitForLineAsync(l => l.EndsWith($" POST /oauth/token client_id=platform scope=\"DEFAULT authenticated 900009\" secret={Fingerprint} → 400 invalid_scope", StringComparison.Ordinal));
        string output = server.AllText;
        Assert.DoesNotContain(Fake.Secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-secret-solo", output, StringComparison.Ordinal);
        Assert.All(tokens, t => Assert.DoesNotContain(t, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_admin_endpoint_rotates_a_secret_and_tokens_already_issued_stay_valid()
    {
        await using DevServerProcess server = await DevServerProcess.StartAsync("--port", "0", "--admin-port", "0", "--client", PlatformClient);
        using var http = new HttpClient { Timeout = DevServerProcess.Patience };
        Uri admin = server.AdminAddress ?? throw new InvalidOperationException("no admin endpoint in the banner:\n" + server.AllText);
        Assert.Equal("127.0.0.1", admin.Host);
        Assert.NotEqual(server.BaseAddress.Port, admin.Port);

        string before;
        using (HttpResponseMessage response = await server.RequestTokenAsync(http, Fake.Platform, Fake.Secret, "900002"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            before = body.RootElement.GetProperty("access_token").GetString()!;
        }

        Assert.Equal(HttpStatusCode.NoContent, await RotateAsync(http, admin, Fake.Platform, Fake.NewSecret));
        await server.WaitForLineAsync(l => l == $"secret of client 'platform' rotated (fingerprint {NewFingerprint[3..]})");

        using (HttpResponseMessage old = await server.RequestTokenAsync(http, Fake.Platform, Fake.Secret, "900002"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, old.StatusCode);
        }

        using (HttpResponseMessage fresh = await server.RequestTokenAsync(http, Fake.Platform, Fake.NewSecret, "900003"))
        {
            // The carriers survive the rotation.
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        using (var api = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, PeddlerAuthorizationServer.ApiPath.TrimStart('/'))))
        {
            api.Headers.Authorization = new AuthenticationHeaderValue("Bearer", before);
            using HttpResponseMessage answer = await http.SendAsync(api);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        await server.WaitForLineAsync(l => l.EndsWith($"client_id=platform scope=\"DEFAULT authenticated 900002\" secret={Fingerprint} → 403 access_denied", StringComparison.Ordinal));
        await server.WaitForLineAsync(l => l.EndsWith($"client_id=platform scope=\"DEFAULT authenticated 900003\" secret={NewFingerprint} → 200", StringComparison.Ordinal));

        // Refusals: an unknown client, an empty or missing secret, another method, a browser's request.
        Assert.Equal(HttpStatusCode.NotFound, await RotateAsync(http, admin, "nobody", "fake-secret-3"));
        Assert.Equal(HttpStatusCode.BadRequest, await RotateAsync(http, admin, Fake.Platform, string.Empty));
        using (var noField = new FormUrlEncodedContent([new KeyValuePair<string, string>("other", "x")]))
        using (HttpResponseMessage response = await http.PostAsync(new Uri(admin, "admin/clients/platform/secret"), noField))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (HttpResponseMessage response = await http.GetAsync(new Uri(admin, "admin/clients/platform/secret")))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }

        using (var browser = new HttpRequestMessage(HttpMethod.Post, new Uri(admin, "admin/clients/platform/secret")))
        {
            browser.Headers.Add("Origin", "http://evil.example");
            browser.Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("secret", "fake-secret-3")]);
            using HttpResponseMessage response = await http.SendAsync(browser);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        // The token endpoint's listener has no admin endpoint.
        Assert.Equal(HttpStatusCode.NotFound, await RotateAsync(http, server.BaseAddress, Fake.Platform, "fake-secret-3"));

        // Still the second secret: none of the refused rotations took effect.
        using (HttpResponseMessage response = await server.RequestTokenAsync(http, Fake.Platform, Fake.NewSecret, "900001"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await server.WaitForLineAsync(l => l.EndsWith($"scope=\"DEFAULT authenticated 900001\" secret={NewFingerprint} → 200", StringComparison.Ordinal));
        Assert.Single(server.Output, l => l.StartsWith("secret of client", StringComparison.Ordinal));
        string output = server.AllText;
        Assert.DoesNotContain(Fake.Secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.NewSecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-secret-3", output, StringComparison.Ordinal);
        Assert.DoesNotContain(before, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_endpoint_listens_on_loopback_only_even_when_the_server_listens_on_every_address()
    {
        await using DevServerProcess server = await DevServerProcess.StartAsync("--host", "0.0.0.0", "--port", "0", "--admin-port", "0", "--client", PlatformClient);
        Uri admin = server.AdminAddress ?? throw new InvalidOperationException("no admin endpoint in the banner:\n" + server.AllText);

        IPEndPoint[] listeners = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners();

        // The token endpoint listens on every address (so the listing works) ...
        Assert.Contains(listeners, l => l.Port == server.BaseAddress.Port && l.Address.Equals(IPAddress.Any));

        // ... the admin endpoint on 127.0.0.1 only.
        IPEndPoint[] adminListeners = listeners.Where(l => l.Port == admin.Port).ToArray();
        Assert.NotEmpty(adminListeners);
        Assert.All(adminListeners, l => Assert.Equal(IPAddress.Loopback, l.Address));

        // And a connection to the admin port on this machine's other addresses is refused.
        IPAddress[] others = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToArray();
        foreach (IPAddress address in others)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new System.Threading.CancellationTokenSource(DevServerProcess.Patience);
            SocketException refused = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(new IPEndPoint(address, admin.Port), timeout.Token));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

            // The token endpoint is reachable there: the refusal is the admin listener's address, not the network.
            using var reachable = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await reachable.ConnectAsync(new IPEndPoint(address, server.BaseAddress.Port), timeout.Token);
        }
    }

    [Theory]
    [InlineData("'platform' is given twice", "--client", "platform:fake-secret-1:900001", "--client", "platform:fake-secret-2:900002")]
    [InlineData("--client 'platform': carrier 2 is not a valid carrier id", "--client", "platform:fake-secret-1:900001,fake secret 2")]
    [InlineData("--client must be id:secret", "--client", "platform:")]
    [InlineData("unexpected argument 1", "platform:fake-secret-1")]
    public async Task A_bad_command_line_exits_2_with_one_line_naming_the_client_and_never_the_secret(string expected, params string[] args)
    {
        await using DevServerProcess server = DevServerProcess.Launch(args);

        Assert.Equal(2, await server.WaitForExitAsync());

        string error = Assert.Single(server.Errors);
        Assert.StartsWith("Peddler.DevServer: error: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("fake", error, StringComparison.Ordinal);
        Assert.Empty(server.Output);
    }

    private static async Task<HttpStatusCode> RotateAsync(HttpClient http, Uri admin, string clientId, string secret)
    {
        using var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("secret", secret)]);
        using HttpResponseMessage response = await http.PostAsync(new Uri(admin, $"admin/clients/{Uri.EscapeDataString(clientId)}/secret"), form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret.Length == 0 ? "\0" : secret, body, StringComparison.Ordinal);
        return response.StatusCode;
    }
}
