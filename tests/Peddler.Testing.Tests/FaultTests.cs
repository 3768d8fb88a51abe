using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Testing.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task A_fault_applies_to_the_next_count_requests_then_answers_are_normal()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Status(503), count: 2);
        server.Faults.Enqueue(PeddlerFault.Status(500));

        Assert.Equal(3, server.Faults.Count);
        int[] statuses = new int[4];
        for (int i = 0; i < statuses.Length; i++)
        {
            statuses[i] = (await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm())).Status;
        }

        Assert.Equal([503, 503, 500, 200], statuses);
        Assert.Equal(0, server.Faults.Count);
        Assert.Equal(4, server.TokenRequestCount);
        Assert.Equal(
            new PeddlerFaultKind?[] { PeddlerFaultKind.Status, PeddlerFaultKind.Status, PeddlerFaultKind.Status, null },
            Array.ConvertAll([.. server.TokenRequests], r => r.Fault));
    }

    [Fact]
    public async Task Clear_removes_queued_faults()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Status(503), count: 5);

        server.Faults.Clear();
        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(200, reply.Status);
        Assert.Equal(0, server.Faults.Count);
    }

    [Theory]
    [InlineData(503, "temporarily_unavailable")]
    [InlineData(500, "server_error")]
    [InlineData(504, "server_error")]
    [InlineData(408, "temporarily_unavailable")]
    public async Task Status_sends_the_code_with_a_small_OAuth_error_body(int status, string error)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Status(status));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(status, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(error, reply.Json().GetProperty("error").GetString());
        Assert.Null(reply.Header("Retry-After"));
        Assert.Equal(status, Assert.Single(server.TokenRequests).StatusCode);
    }

    [Fact]
    public async Task Status_without_a_body_sends_nothing_but_the_code()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Status(500, withBody: false));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(500, reply.Status);
        Assert.Empty(reply.Bytes);
        Assert.Null(reply.ContentType);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(5000, "5")]
    [InlineData(2500, "3")]
    public async Task TooManyRequests_sends_429_with_Retry_After_in_whole_seconds(int milliseconds, string retryAfter)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.TooManyRequests(TimeSpan.FromMilliseconds(milliseconds)));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(429, reply.Status);
        Assert.Equal(retryAfter, reply.Header("Retry-After"));
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("temporarily_unavailable", reply.Json().GetProperty("error").GetString());
    }

    [Fact]
    public async Task MalformedJson_sends_200_json_that_does_not_parse()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.MalformedJson());

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        Assert.StartsWith("{\"access_token\":\"", reply.Body, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => reply.Json());
    }

    [Theory]
    [InlineData(502, "502 Bad Gateway")]
    [InlineData(504, "504 Gateway Timeout")]
    public async Task HtmlError_sends_a_proxy_error_page(int status, string title)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.HtmlError(status));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(status, reply.Status);
        Assert.Equal("text/html; charset=utf-8", reply.ContentType);
        Assert.Contains("<title>" + title + "</title>", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlError_defaults_to_502()
    {
        PeddlerFault fault = PeddlerFault.HtmlError();

        Assert.Equal(502, fault.StatusCode);
        Assert.Equal(PeddlerFaultKind.HtmlError, fault.Kind);
    }

    [Fact]
    public async Task DropConnection_aborts_without_a_response_then_the_server_answers_again()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.DropConnection());

        await Assert.ThrowsAsync<HttpRequestException>(() => Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm()));
        Reply next = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(200, next.Status);
        Assert.Equal(2, server.TokenRequestCount);
        PeddlerTokenRequestRecord dropped = server.TokenRequests[0];
        Assert.Null(dropped.StatusCode);
        Assert.Equal(PeddlerFaultKind.DropConnection, dropped.Fault);
        Assert.Equal(Fake.ClientId, dropped.ClientId);
    }

    [Fact]
    public async Task Respond_sends_exactly_the_given_status_content_type_body_and_headers()
    {
        // Peddler's documented 200 response, with its line breaks.
        const string Documented = "{\n\"access_token\":\"FkzdyJV14zc73AaK9FmNCtyp5bUTegis\",\n\"expires_in\":7200,\n\"scope\":\"DEFAULT authenticated\",\n\"token_type\":\"Bearer\"\n}";
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Respond(
            200,
            "application/json; charset=utf-8",
            Documented,
            [new("X-Fake", "one"), new("X-Fake", "two"), new("Cache-Control", "no-store")]));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json; charset=utf-8", reply.ContentType);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(Documented), reply.Bytes);
        Assert.Equal("one, two", reply.Header("X-Fake"));
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        Assert.Null(reply.Header("Pragma"));
    }

    [Fact]
    public async Task Respond_sends_raw_bytes_and_can_omit_the_content_type()
    {
        byte[] invalidUtf8 = [0x7B, 0xC3, 0x28, 0xFF, 0x7D];
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Respond(403, "", invalidUtf8));

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(403, reply.Status);
        Assert.Equal(invalidUtf8, reply.Bytes);
        Assert.Null(reply.ContentType);
        Assert.Equal(403, Assert.Single(server.TokenRequests).StatusCode);
        Assert.Null(server.TokenRequests[0].Error);
    }

    [Fact]
    public async Task Delay_waits_on_the_server_clock_then_answers_normally()
    {
        var time = new SignallingTimeProvider();
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.TimeProvider = time);
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromMinutes(1)));

        Task<Reply> pending = Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        await time.TimerCreated.WaitAsync(Wire.Patience);
        time.Advance(TimeSpan.FromSeconds(59));
        bool doneEarly = pending.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        Reply reply = await pending.WaitAsync(Wire.Patience);

        Assert.False(doneEarly);
        Assert.Equal(200, reply.Status);
        Assert.Equal(PeddlerFaultKind.Delay, Assert.Single(server.TokenRequests).Fault);
    }

    [Fact]
    public async Task Delay_ends_when_the_client_aborts_the_request()
    {
        var time = new SignallingTimeProvider();
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.TimeProvider = time);
        using var http = new HttpClient();
        // A finite delay, so that the server's timer shows it is waiting (an infinite one needs no timer).
        server.Faults.Enqueue(PeddlerFault.Delay(TimeSpan.FromHours(1)));
        using var cancel = new CancellationTokenSource();

        Task<Reply> pending = Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(), cancel.Token);
        await time.TimerCreated.WaitAsync(Wire.Patience);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        // The server notices the abort and finishes the request without answering; the clock never moved.
        await server.WaitUntilAsync(s => s.TokenRequests.Count == 1).WaitAsync(Wire.Patience);
        PeddlerTokenRequestRecord record = Assert.Single(server.TokenRequests);
        Assert.Null(record.StatusCode);
        Assert.Equal(PeddlerFaultKind.Delay, record.Fault);
    }

    [Fact]
    public async Task Disposing_the_server_ends_a_delayed_request()
    {
        PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.Delay(Timeout.InfiniteTimeSpan));
        Task<Reply> pending = Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        await server.WaitUntilAsync(s => s.TokenRequestCount == 1).WaitAsync(Wire.Patience);

        await server.DisposeAsync().AsTask().WaitAsync(Wire.Patience);

        await Assert.ThrowsAsync<HttpRequestException>(() => pending.WaitAsync(Wire.Patience));
    }

    [Fact]
    public void Invalid_faults_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.Delay(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.Status(200));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.Status(600));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.TooManyRequests(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.HtmlError(302));
        Assert.Throws<ArgumentOutOfRangeException>(() => PeddlerFault.Respond(101, "text/plain", "x"));
        Assert.Throws<ArgumentException>(() => PeddlerFault.Respond(200, "text/plain", "x", [new("Content-Length", "1")]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PeddlerAuthorizationServer().Faults.Enqueue(PeddlerFault.DropConnection(), count: 0));
    }

    [Fact]
    public async Task Respond_copies_its_body_so_later_changes_do_not_leak_in()
    {
        byte[] body = "{}"u8.ToArray();
        PeddlerFault fault = PeddlerFault.Respond(200, "application/json", body);
        body[0] = (byte)'X';
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(fault);

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal("{}", reply.Body);
    }
}
