using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Peddler.Diagnostics;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// A token endpoint is shown one way everywhere (<see cref="PeddlerRequestSettings.EndpointDisplay"/>):
/// its user info, query and fragment, which may carry secrets, reach no log line and no exception message.
/// </summary>
public class EndpointDisplayTests
{
    private static readonly string[] Hidden = ["leak-user", "leak-pass", "leak-query", "leak-fragment"];

    private static Uri Leaky(Uri endpoint) =>
        new UriBuilder(endpoint) { UserName = "leak-user", Password = "leak-pass", Query = "leak-query=1", Fragment = "leak-fragment" }.Uri;

    private static PeddlerTokenProvider Provider(TestEnvironment env, Uri endpoint, ListLoggerFactory logs, Action<PeddlerClientOptions>? configure = null, HttpClient? http = null)
    {
        PeddlerClientOptions options = env.Options();
        options.TokenEndpoint = endpoint;
        configure?.Invoke(options);
        return new PeddlerTokenProvider(
            http ?? env.Http,
            createHttpClient: null,
            options,
            CarrierTokens.Descriptor,
            timeProvider: null,
            settings => new PeddlerClientDiagnostics(nameof(CarrierTokens), settings.TokenEndpoint, logs.CreateLogger("Peddler"), PeddlerInstruments.For(null)),
            sharedCache: null);
    }

    private static void AssertHidden(IEnumerable<string> texts)
    {
        string[] all = texts.ToArray();
        Assert.NotEmpty(all);
        foreach (string text in all)
        {
            foreach (string hidden in Hidden)
            {
                Assert.DoesNotContain(hidden, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_display_form_has_scheme_host_port_and_path_only()
    {
        var settings = PeddlerRequestSettings.From(
            new PeddlerClientOptions { ClientId = "id", ClientSecret = Fake.Secret, TokenEndpoint = Leaky(new Uri("https://auth.example.com:8443/oauth/token")) },
            CarrierTokens.Descriptor);

        Assert.Equal("https://auth.example.com:8443/oauth/token", settings.EndpointDisplay);
        Assert.Equal("https://auth.example.com/oauth/token", PeddlerRequestSettings.DisplayOf(new Uri("https://u:p@auth.example.com:443/oauth/token?q=1#f")));
        Assert.Equal("/moved/token", PeddlerRequestSettings.DisplayOf(new Uri("/moved/token?leak-query=1#leak-fragment", UriKind.Relative)));
        Assert.Equal(settings.EndpointDisplay, settings.WithCarrier(Fake.Carrier).EndpointDisplay);
    }

    [Fact]
    public async Task Retries_a_success_a_transient_failure_and_a_redirect_never_show_user_info_query_or_fragment()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var logs = new ListLoggerFactory();
        Uri endpoint = Leaky(env.Server.TokenEndpoint);
        string shown = env.Server.TokenEndpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        var messages = new List<string>();

        // A 503, retried, then a token: starting, retrying and acquired lines.
        env.Server.Faults.Enqueue(PeddlerFault.Status(503));
        PeddlerTokenProvider retried = Provider(env, endpoint, logs);
        Assert.False(string.IsNullOrEmpty((await retried.GetTokenAsync()).AccessToken));
        Assert.Equal(shown, retried.Diagnostics.TokenEndpoint);

        // A 503 with no retries left: the caller's PeddlerException names the endpoint.
        env.Server.Faults.Enqueue(PeddlerFault.Status(503));
        PeddlerTokenProvider unavailable = Provider(env, endpoint, logs, o => o.MaxRetries = 0);
        var down = await Assert.ThrowsAsync<PeddlerException>(async () => await unavailable.GetTokenAsync());
        Assert.Contains(shown + " is unavailable", down.Message, StringComparison.Ordinal);
        messages.Add(down.Message);

        // A redirect: not followed, and the message names the endpoint.
        env.Server.Faults.Enqueue(PeddlerFault.Redirect(302, Leaky(new Uri("https://elsewhere.example.com/token"))));
        using HttpClient noRedirects = PeddlerHttp.CreateTokenHttpClient();
        PeddlerTokenProvider redirected = Provider(env, endpoint, logs, http: noRedirects);
        var moved = await Assert.ThrowsAsync<PeddlerProtocolException>(async () => await redirected.GetTokenAsync());
        Assert.Contains(shown, moved.Message, StringComparison.Ordinal);
        Assert.Contains("https://elsewhere.example.com/token", moved.Message, StringComparison.Ordinal);
        messages.Add(moved.Message);

        (LogLevel Level, EventId Id, string Message)[] records = logs.Records.ToArray();
        Assert.Contains(records, r => r.Id.Name == "TokenRequestRetrying" && r.Message.Contains(shown, StringComparison.Ordinal));
        Assert.Contains(records, r => r.Id.Name == "TokenAcquired" && r.Message.Contains(shown, StringComparison.Ordinal));
        Assert.Contains(records, r => r.Id.Name == "TokenRequestFailed" && r.Message.Contains(shown, StringComparison.Ordinal));
        AssertHidden(records.Select(r => r.Message).Concat(messages));
    }

    [Fact]
    public async Task An_unreachable_or_silent_endpoint_is_reported_without_user_info_query_or_fragment()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var logs = new ListLoggerFactory();

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Uri closed = Leaky(new Uri($"http://127.0.0.1:{port}/oauth/token"));
        PeddlerTokenProvider unreachable = Provider(env, closed, logs, o => o.MaxRetries = 1);
        var refused = await Assert.ThrowsAsync<PeddlerException>(async () => await unreachable.GetTokenAsync());
        Assert.Contains($"http://127.0.0.1:{port}/oauth/token could not be reached", refused.Message, StringComparison.Ordinal);

        env.Server.Faults.Enqueue(PeddlerFault.NeverAnswer(), count: 2);
        PeddlerTokenProvider silent = Provider(env, Leaky(env.Server.TokenEndpoint), logs, o => o.Timeout = TimeSpan.FromMilliseconds(500));
        var late = await Assert.ThrowsAsync<TimeoutException>(async () => await silent.GetTokenAsync());
        Assert.Contains(env.Server.TokenEndpoint.GetLeftPart(UriPartial.Path) + " within", late.Message, StringComparison.Ordinal);

        var invalid = Assert.Throws<ArgumentException>(() => Provider(env, Leaky(new Uri("http://auth.example.com/oauth/token")), logs));
        Assert.Contains("'http://auth.example.com/oauth/token' would send", invalid.Message, StringComparison.Ordinal);

        AssertHidden(logs.Records.Select(r => r.Message).Concat([refused.Message, late.Message, invalid.Message]));
    }
}
