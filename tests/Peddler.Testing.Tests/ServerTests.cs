using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Peddler.Testing.Tests;

public sealed class ServerTests
{
    [Fact]
    public async Task Addresses_are_unavailable_before_start_and_shaped_after()
    {
        await using var server = new PeddlerAuthorizationServer();

        Assert.Throws<InvalidOperationException>(() => server.BaseAddress);
        Assert.Throws<InvalidOperationException>(() => server.TokenEndpoint);
        Assert.Throws<InvalidOperationException>(() => server.ApiEndpoint);
        Uri baseAddress = await server.StartAsync();

        Assert.Equal(baseAddress, server.BaseAddress);
        Assert.Equal("http", baseAddress.Scheme);
        Assert.Equal("127.0.0.1", baseAddress.Host);
        Assert.NotEqual(0, baseAddress.Port);
        Assert.Equal("/", baseAddress.AbsolutePath);
        Assert.Equal($"http://127.0.0.1:{baseAddress.Port}/oauth/token", server.TokenEndpoint.ToString());
        Assert.Equal($"http://127.0.0.1:{baseAddress.Port}/api/carrier", server.ApiEndpoint.ToString());
    }

    [Fact]
    public async Task By_default_it_listens_on_127_0_0_1_only()
    {
        // 127.0.0.2 is loopback too: a server bound to 127.0.0.1 refuses it, one bound to every address accepts it.
        await using PeddlerAuthorizationServer loopbackOnly = await Wire.StartAsync();
        await using PeddlerAuthorizationServer everywhere = await Wire.StartAsync(o => o.Host = "0.0.0.0");

        SocketException refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(IPAddress.Parse("127.0.0.2"), loopbackOnly.BaseAddress.Port));
        await ConnectAsync(IPAddress.Loopback, loopbackOnly.BaseAddress.Port);
        await ConnectAsync(IPAddress.Parse("127.0.0.2"), everywhere.BaseAddress.Port);

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal("127.0.0.1", everywhere.BaseAddress.Host);
    }

    private static async Task ConnectAsync(IPAddress address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Wire.Patience);
        await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
    }

    [Fact]
    public async Task Localhost_means_the_IPv4_loopback_and_other_host_names_are_refused()
    {
        await using PeddlerAuthorizationServer localhost = await Wire.StartAsync(o => o.Host = "localhost");

        Assert.Equal("127.0.0.1", localhost.BaseAddress.Host);
        Assert.Throws<ArgumentException>(() => new PeddlerAuthorizationServer(new PeddlerAuthorizationServerOptions { Host = "peddler.example" }));
    }

    [Fact]
    public async Task A_fixed_port_is_used()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.Port = port);

        Assert.Equal(port, server.BaseAddress.Port);
    }

    [Fact]
    public async Task It_starts_once_and_disposes_idempotently()
    {
        var server = new PeddlerAuthorizationServer();
        await server.StartAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync());
        await server.DisposeAsync();
        await server.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => server.StartAsync());
    }

    [Fact]
    public async Task A_disposed_server_no_longer_listens()
    {
        PeddlerAuthorizationServer server = await Wire.StartAsync();
        int port = server.BaseAddress.Port;

        await server.DisposeAsync();

        SocketException refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public void Options_and_registrations_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new PeddlerAuthorizationServer(new PeddlerAuthorizationServerOptions { Host = " " }));
        Assert.Throws<ArgumentException>(() => new PeddlerAuthorizationServer(new PeddlerAuthorizationServerOptions { Port = 70000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeddlerAuthorizationServer(new PeddlerAuthorizationServerOptions { TokenLifetime = TimeSpan.FromSeconds(-1) }));
        var server = new PeddlerAuthorizationServer();
        Assert.ThrowsAny<ArgumentException>(() => server.AddClient("", Fake.Secret));
        Assert.ThrowsAny<ArgumentException>(() => server.AddClient(Fake.ClientId, ""));
        Assert.Throws<ArgumentException>(() => server.AddClient(Fake.ClientId, Fake.Secret, "has space"));
        Assert.Throws<ArgumentException>(() => server.AddClient(Fake.ClientId, Fake.Secret, "DEFAULT"));
        Assert.Throws<ArgumentException>(() => server.AddClient(Fake.ClientId, Fake.Secret, "authenticated"));
        Assert.Throws<ArgumentException>(() => server.AddClient(Fake.ClientId, Fake.Secret, "ünicode"));
    }

    [Fact]
    public async Task Options_bind_from_configuration()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Peddler:Host"] = "127.0.0.1",
                ["Peddler:TokenLifetime"] = "00:05:00",
                ["Peddler:Clients:0:ClientId"] = "configured-client",
                ["Peddler:Clients:0:ClientSecret"] = "fake-configured-secret",
                ["Peddler:Clients:0:CarrierId"] = "777",
            })
            .Build();
        var options = new PeddlerAuthorizationServerOptions();
        configuration.GetSection("Peddler").Bind(options);

        await using var server = new PeddlerAuthorizationServer(options);
        await server.StartAsync();
        using var http = new HttpClient();
        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("configured-client", "fake-configured-secret", "DEFAULT authenticated 777"));

        Assert.Equal(200, reply.Status);
        Assert.Equal(300, reply.Json().GetProperty("expires_in").GetInt64());
        Assert.Equal("DEFAULT authenticated 777", reply.Json().GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_thousand_concurrent_requests_are_all_answered_and_counted()
    {
        const int Count = 1000;
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        using var start = new ManualResetEventSlim();

        // Every tenth request uses a wrong secret, so answers of both kinds are counted.
        Task<Reply>[] requests = Enumerable.Range(0, Count)
            .Select(i => Task.Run(() =>
            {
                start.Wait();
                return Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: i % 10 == 0 ? "fake-wrong-secret" : Fake.Secret));
            }))
            .ToArray();
        start.Set();
        Reply[] replies = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Count / 10, replies.Count(r => r.Status == 403));
        Assert.Equal(Count - (Count / 10), replies.Count(r => r.Status == 200));
        Assert.Equal(Count - (Count / 10), replies.Where(r => r.Status == 200).Select(r => r.Json().GetProperty("access_token").GetString()).Distinct().Count());
        Assert.Equal(Count, server.TokenRequestCount);
        Assert.Equal(Count, server.TokenRequests.Count);
    }

    [Fact]
    public async Task WaitUntilAsync_completes_when_the_condition_holds_and_fails_on_dispose()
    {
        PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        Task alreadyTrue = server.WaitUntilAsync(s => s.TokenRequestCount == 0);
        Task afterTwo = server.WaitUntilAsync(s => s.TokenRequestCount >= 2);
        Task never = server.WaitUntilAsync(s => s.TokenRequestCount >= 100);
        using var cancel = new CancellationTokenSource();
        Task cancelled = server.WaitUntilAsync(s => false, cancel.Token);

        await alreadyTrue.WaitAsync(Wire.Patience);
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        bool afterOne = afterTwo.IsCompleted;
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        await afterTwo.WaitAsync(Wire.Patience);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await server.DisposeAsync();

        Assert.False(afterOne);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => never.WaitAsync(Wire.Patience));
    }
}
