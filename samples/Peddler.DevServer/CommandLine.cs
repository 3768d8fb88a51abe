using System;
using System.Collections.Generic;
using System.Globalization;
using Peddler.Testing;

namespace Peddler.DevServer;

/// <summary>Applies the command line to the settings read from appsettings.json.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: Peddler.DevServer [options]

          --port <n>                 TCP port (default from appsettings.json: 5005; 0 = any free port)
          --host <address>           IP address or localhost to listen on (default 127.0.0.1)
          --token-lifetime <seconds> expires_in of issued tokens (default 7200)
          --client <id:secret[:carrier]>
                                     a client to accept; repeatable; replaces the clients of
                                     appsettings.json. The secret may contain ':' only when a
                                     carrier is given (the carrier is after the last ':').
          --help                     show this help
        """;

    /// <summary>Returns false with a one-line error, or true (with <paramref name="help"/> set for --help).</summary>
    public static bool TryApply(string[] args, DevServerSettings settings, out bool help, out string? error)
    {
        help = false;
        error = null;
        var clients = new List<PeddlerClientRegistration>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string name = arg;
            string? value = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (name is "--help" or "-h" or "-?")
            {
                help = true;
                return true;
            }

            if (name is not ("--port" or "--host" or "--token-lifetime" or "--client"))
            {
                error = $"unknown argument '{arg}' (see --help)";
                return false;
            }

            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{name} needs a value (see --help)";
                    return false;
                }

                value = args[++i];
            }

            switch (name)
            {
                case "--port":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
                    {
                        error = $"--port must be a number from 0 to 65535 (got '{value}')";
                        return false;
                    }

                    settings.Port = port;
                    break;
                case "--host":
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        error = "--host must not be empty";
                        return false;
                    }

                    settings.Host = value;
                    break;
                case "--token-lifetime":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds > int.MaxValue)
                    {
                        error = $"--token-lifetime must be a whole number of seconds (got '{value}')";
                        return false;
                    }

                    settings.TokenLifetimeSeconds = seconds;
                    break;
                default:
                    if (!TryParseClient(value, out PeddlerClientRegistration? client))
                    {
                        // Never echo the value: it holds a secret.
                        error = "--client must be id:secret or id:secret:carrier with a non-empty id and secret";
                        return false;
                    }

                    if (clients.Exists(c => string.Equals(c.ClientId, client.ClientId, StringComparison.Ordinal)))
                    {
                        // A repeated id would silently replace the first registration: refuse it.
                        error = $"--client '{client.ClientId}' is given twice; give each client id once";
                        return false;
                    }

                    clients.Add(client);
                    break;
            }
        }

        if (clients.Count > 0)
        {
            settings.Clients = clients;
        }

        return true;
    }

    /// <summary><c>id:secret</c> or <c>id:secret:carrier</c>: the id ends at the first ':', the carrier starts after the last.</summary>
    private static bool TryParseClient(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PeddlerClientRegistration? client)
    {
        client = null;
        int first = value.IndexOf(':', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        int last = value.LastIndexOf(':');
        string id = value[..first];
        string secret = last == first ? value[(first + 1)..] : value[(first + 1)..last];
        string? carrier = last == first ? null : value[(last + 1)..];
        if (secret.Length == 0)
        {
            return false;
        }

        client = new PeddlerClientRegistration(id, secret, string.IsNullOrEmpty(carrier) ? null : carrier);
        return true;
    }
}
