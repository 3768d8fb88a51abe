using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Peddler.DevServer;
using Peddler.Testing;

// A local Peddler-compatible authorization server for development:
//   dotnet run --project samples/Peddler.DevServer -- --port 5005
// Settings come from appsettings.json ("PeddlerDevServer"), then the command line. Secrets are never printed.

const string Name = "Peddler.DevServer";

var settings = new DevServerSettings();
try
{
    new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .Build()
        .GetSection(DevServerSettings.SectionName)
        .Bind(settings);
}
catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException)
{
    Console.Error.WriteLine($"{Name}: error: appsettings.json: {ex.Message}");
    return 2;
}

if (!CommandLine.TryApply(args, settings, out bool help, out string? error))
{
    Console.Error.WriteLine($"{Name}: error: {error}");
    return 2;
}

if (help)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

PeddlerAuthorizationServer server;
try
{
    var options = new PeddlerAuthorizationServerOptions
    {
        Host = settings.Host,
        Port = settings.Port,
        TokenLifetime = TimeSpan.FromSeconds(settings.TokenLifetimeSeconds),
    };
    foreach (PeddlerClientRegistration client in settings.Clients)
    {
        options.Clients.Add(client);
    }

    server = new PeddlerAuthorizationServer(options);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"{Name}: error: {FirstLine(ex.Message)}");
    return 2;
}

await using (server)
{
    try
    {
        await server.StartAsync();
    }
    catch (Exception ex) when (ex is IOException or InvalidOperationException)
    {
        Console.Error.WriteLine($"{Name}: error: cannot listen on {settings.Host}:{settings.Port}: {FirstLine(ex.Message)}");
        return 1;
    }

    Console.WriteLine($"{Name} listening on {server.BaseAddress}");
    Console.WriteLine($"  Token endpoint: {server.TokenEndpoint}");
    Console.WriteLine($"  API endpoint:   {server.ApiEndpoint}");
    Console.WriteLine($"  Token lifetime: {(long)server.TokenLifetime.TotalSeconds} s");
    Console.WriteLine(settings.Clients.Count == 0
        ? "  Clients:        (none: every token request is denied; add --client id:secret[:carrier])"
        : "  Clients:        " + string.Join(", ", settings.Clients.Select(c => c.CarrierId is null ? c.ClientId : $"{c.ClientId} (carrier {c.CarrierId})")));
    Console.WriteLine("Press Ctrl+C to stop.");

    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });

    // Print each answered token request as it is logged (the log masks secrets; tokens are not in it).
    int printed = 0;
    try
    {
        while (true)
        {
            await server.WaitUntilAsync(s => s.TokenRequests.Count > printed, stop.Token);
            IReadOnlyList<PeddlerTokenRequestRecord> records = server.TokenRequests;
            for (; printed < records.Count; printed++)
            {
                Console.WriteLine($"{records[printed].ReceivedAt:HH:mm:ss} {records[printed]}");
            }
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.WriteLine("Stopping.");
    }
}

return 0;

static string FirstLine(string message)
{
    int end = message.IndexOfAny(['\r', '\n']);
    return end < 0 ? message : message[..end];
}
