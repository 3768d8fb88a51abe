using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Testing.Tests;

/// <summary>The faults added for issue 10: endless body, redirect, extreme expires_in, never answer, random faults.</summary>
public sealed class HostileFaultTests
{
    [Fact]
    public async Task EndlessBody_streams_a_token_like_body_as_long_as_the_client_reads()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.EndlessBody());

        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint) { Content = Wire.TokenForm() };
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[1024 * 1024];
        long read = 0;
        while (read < 8 * 1024 * 1024)
        {
            int n = await body.ReadAsync(buffer);
            Assert.NotEqual(0, n);
            read += n;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(server.FaultBodyBytesSent >= read);
        Assert.Equal(PeddlerFaultKind.EndlessBody, Assert.Single(server.TokenRequests).Fault);
    }

    [Fact]
    public async Task EndlessBody_can_declare_its_length_and_ends_there()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.EndlessBody(200_000, declareLength: true));

        using HttpResponseMessage response = await http.PostAsync(server.TokenEndpoint, Wire.TokenForm());
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(200_000, response.Content.Headers.ContentLength);
        Assert.Equal(200_000, body.Length);
        Assert.StartsWith("{\"access_token\":\"aaaa", Encoding.UTF8.GetString(body, 0, 40), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.EndlessBody(10));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_sends_the_status_and_Location(int status)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var target = new Uri("https://elsewhere.invalid/oauth/token?x=1");
        server.Faults.Enqueue(PeddlerFault.Redirect(status, target));

        using HttpResponseMessage response = await http.PostAsync(server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(target, response.Headers.Location);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.Redirect(200, target));
    }

    [Theory]
    [InlineData("1000000000000000")]
    [InlineData("-1")]
    [InlineData("\"7200\"")]
    [InlineData("null")]
    [InlineData("1e400")]
    public async Task ExpiresIn_sends_a_token_response_with_the_raw_value(string raw)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.ExpiresIn(raw));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(200, reply.Status);
        Assert.Contains("\"expires_in\":" + raw + "}", reply.Body, StringComparison.Ordinal);
        Assert.Contains("\"token_type\":\"Bearer\"", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NeverAnswer_holds_the_request_until_the_client_gives_up()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.NeverAnswer());
        Assert.Equal(Timeout.InfiniteTimeSpan, PeddlerFault.NeverAnswer().DelayTime);

        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.PostAsync(server.TokenEndpoint, Wire.TokenForm(), giveUp.Token));

        Reply after = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        Assert.Equal(200, after.Status);
    }

    [Fact]
    public async Task SetRandom_draws_faults_deterministically_for_a_seed_and_Clear_ends_it()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        async Task<int[]> RunAsync()
        {
            server.Faults.SetRandom(42, (PeddlerFault.Status(503), 0.3), (PeddlerFault.Status(500), 0.1));
            int[] statuses = new int[60];
            for (int i = 0; i < statuses.Length; i++)
            {
                statuses[i] = (await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm())).Status;
            }

            return statuses;
        }

        int[] first = await RunAsync();
        int[] second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(503, first);
        Assert.Contains(500, first);
        Assert.Contains(200, first);
        Assert.InRange(first.Count(s => s == 503), 6, 30);
        server.Faults.Clear();
        Assert.Equal(200, (await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm())).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => server.Faults.SetRandom(1, (PeddlerFault.Status(503), 0.7), (PeddlerFault.Status(500), 0.7)));
    }
}
