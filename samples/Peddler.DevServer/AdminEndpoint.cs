using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Peddler.Testing;

namespace Peddler.DevServer;

/// <summary>
/// A second listener, on 127.0.0.1 only whatever the token endpoint's host, that rotates a
/// client's secret while the server runs: <c>POST /admin/clients/{id}/secret</c> with the form
/// field <c>secret</c>. 204 when rotated, 400 for a missing or empty secret, 404 for an unknown
/// client, 403 for a request a browser sent (it has an <c>Origin</c> or <c>Sec-Fetch-Site</c>
/// header: a web page must not rotate secrets), 405/415 for another method or body. The secret is
/// never echoed or printed; a rotation prints the new secret's fingerprint.
/// </summary>
internal sealed class AdminEndpoint : IAsyncDisposable
{
    public const string PathPrefix = "/admin/clients/";
    public const string PathSuffix = "/secret";

    private readonly PeddlerAuthorizationServer _server;
    private readonly Action<string> _output;
    private readonly WebApplication _app;

    private AdminEndpoint(PeddlerAuthorizationServer server, Action<string> output, int port)
    {
        _server = server;
        _output = output;

        // As Peddler.Testing hosts its server: no configuration sources, no logging, no console lifetime.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "Peddler.DevServer.Admin",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSingleton<IHostLifetime, NoHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The listener's address, e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0 for a free port).</summary>
    /// <exception cref="System.IO.IOException">The port is in use.</exception>
    public static async Task<AdminEndpoint> StartAsync(PeddlerAuthorizationServer server, int port, Action<string> output, CancellationToken cancellationToken = default)
    {
        var admin = new AdminEndpoint(server, output, port);
        try
        {
            await admin._app.StartAsync(cancellationToken);
            ICollection<string> addresses = admin._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            admin.BaseAddress = new UriBuilder(Uri.UriSchemeHttp, IPAddress.Loopback.ToString(), new Uri(addresses.First()).Port, "/").Uri;
            return admin;
        }
        catch
        {
            await admin.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? string.Empty;
        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal)
            || !path.EndsWith(PathSuffix, StringComparison.Ordinal)
            || path.Length <= PathPrefix.Length + PathSuffix.Length)
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, "Not found: the admin endpoint is POST /admin/clients/{id}/secret.");
            return;
        }

        string clientId = path[PathPrefix.Length..^PathSuffix.Length];
        if (clientId.Contains('/', StringComparison.Ordinal))
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, "Not found: the admin endpoint is POST /admin/clients/{id}/secret.");
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, "The admin endpoint accepts POST only.");
            return;
        }

        // A loopback listener is still reachable from a browser on this machine: refuse what a web page sends.
        if (request.Headers.Origin.Count > 0 || request.Headers["Sec-Fetch-Site"].Count > 0)
        {
            await AnswerAsync(context, StatusCodes.Status403Forbidden, "Requests from a browser are refused.");
            return;
        }

        if (!request.HasFormContentType || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            await AnswerAsync(context, StatusCodes.Status415UnsupportedMediaType, "Send the form field secret as application/x-www-form-urlencoded.");
            return;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is System.IO.InvalidDataException or BadHttpRequestException)
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, "The body is not a readable form.");
            return;
        }

        string? secret = form["secret"].Count == 1 ? form["secret"][0] : null;
        if (string.IsNullOrEmpty(secret))
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, "The form needs one non-empty field secret.");
            return;
        }

        try
        {
            _server.RotateSecret(clientId, secret);
        }
        catch (ArgumentException)
        {
            // The secret is not empty, so the client is not registered.
            await AnswerAsync(context, StatusCodes.Status404NotFound, $"No client '{clientId}' is registered.");
            return;
        }

        _output($"secret of client '{clientId}' rotated (fingerprint {PeddlerTokenRequestRecord.SecretFingerprintOf(secret)})");
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static Task AnswerAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private sealed class NoHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
