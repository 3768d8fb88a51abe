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

DevServerSettings settings;
try
{
    settings = DevServerSettings.Bind(new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .Build());
}
catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException)
{
    Console.Error.WriteLine($"{Name}: error: appsettings.json: {ex.Message}");
    return 2;
}

if (!settings.TryValidateClients("appsettings.json", out string? settingsError))
{
    Console.Error.WriteLine($"{Name}: error: {settingsError}");
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
    foreach (DevServerClient client in settings.Clients)
    {
        options.Clients.Add(new PeddlerClientRegistration(client.ClientId!, client.ClientSecret!, client.CarrierIds.FirstOrDefault()));
    }

    server = new PeddlerAuthorizationServer(options);

    // A platform's further carriers (each token is granted for the one carrier requested).
    foreach (DevServerClient client in settings.Clients.Where(c => c.CarrierIds.Count > 1))
    {
        server.AddCarriers(client.ClientId!, client.CarrierIds.Skip(1));
    }
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

    AdminEndpoint? admin = null;
    if (settings.AdminPort is int adminPort)
    {
        try
        {
            admin = await AdminEndpoint.StartAsync(server, adminPort, Console.WriteLine);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            Console.Error.WriteLine($"{Name}: error: cannot listen on 127.0.0.1:{adminPort} (--admin-port): {FirstLine(ex.Message)}");
            return 1;
        }
    }

    await using AdminEndpoint? adminScope = admin;

    Console.WriteLine($"{Name} listening on {server.BaseAddress}");
    Console.WriteLine($"  Token endpoint: {server.TokenEndpoint}");
    Console.WriteLine($"  API endpoint:   {server.ApiEndpoint}");
    Console.WriteLine(admin is null
        ? "  Admin endpoint: (off; --admin-port <n> to rotate secrets while running)"
        : $"  Admin endpoint: {admin.BaseAddress}admin/clients/{{id}}/secret (POST secret=<new>; 127.0.0.1 only)");
    Console.WriteLine($"  Token lifetime: {(long)server.TokenLifetime.TotalSeconds} s");
    if (settings.Clients.Count == 0)
    {
        Console.WriteLine("  Clients:        (none: every token request is denied; add --client id:secret[:carrier,...])");
    }
    else
    {
        Console.WriteLine("  Clients:");
        foreach (DevServerClient client in settings.Clients)
        {
            Console.WriteLine($"    {client}");
        }
    }

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

    // Print each answered token request as it is logged: scope, outcome and the secret's fingerprint, never a secret or a token.
    int printed = 0;
    try
    {
        while (true)
        {
            await server.WaitUntilAsync(s => s.TokenRequests.Count > printed, stop.Token);
            IReadOnlyList<PeddlerTokenRequestRecord> records = server.TokenRequests;
            for (; printed < records.Count; printed++)
            {
                Console.WriteLine(RequestLogLine.Format(records[printed]));
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
