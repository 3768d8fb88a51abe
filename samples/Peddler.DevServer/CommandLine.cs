using System;
using System.Collections.Generic;
using System.Globalization;

namespace Peddler.DevServer;

/// <summary>Applies the command line to the settings read from appsettings.json.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: Peddler.DevServer [options]

          --port <n>                 TCP port (default from appsettings.json: 5005; 0 = any free port)
          --host <address>           IP address or localhost to listen on (default 127.0.0.1)
          --token-lifetime <seconds> expires_in of issued tokens (default 7200)
          --client <id:secret[:carrier[,carrier...]]>
                                     a client to accept; repeatable (each id once); replaces the
                                     clients of appsettings.json. A platform lists its carriers
                                     separated by commas: platform:secret:900001,900002,900003.
                                     The secret may contain ':' only when carriers are given
                                     (they are after the last ':').
          --admin-port <n>           also listen on 127.0.0.1:<n> (0 = any free port), whatever
                                     --host is, for POST /admin/clients/{id}/secret with the form
                                     field secret=<new secret>: rotates the client's secret while
                                     running (tokens already issued stay valid). Off by default.
          --help                     show this help
        """;

    /// <summary>Returns false with a one-line error, or true (with <paramref name="help"/> set for --help).</summary>
    public static bool TryApply(string[] args, DevServerSettings settings, out bool help, out string? error)
    {
        help = false;
        error = null;
        var clients = new List<DevServerClient>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
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

            if (name is not ("--port" or "--host" or "--token-lifetime" or "--client" or "--admin-port"))
            {
                // Never echo a value: it may hold a secret (--clinet=id:secret, or id:secret without --client).
                error = arg.StartsWith('-')
                    ? $"unknown option '{name}' (see --help)"
                    : $"unexpected argument {i + 1}: options start with -- (see --help)";
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
                case "--admin-port":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
                    {
                        error = $"{name} must be a number from 0 to 65535 (got '{value}')";
                        return false;
                    }

                    if (name == "--port")
                    {
                        settings.Port = port;
                    }
                    else
                    {
                        settings.AdminPort = port;
                    }

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
                    if (!TryParseClient(value, out DevServerClient? client, out string? problem))
                    {
                        // Never echo the value: it holds a secret.
                        error = problem;
                        return false;
                    }

                    if (!ids.Add(client.ClientId!))
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

    /// <summary>
    /// <c>id:secret</c> or <c>id:secret:carriers</c>: the id ends at the first ':', the carriers
    /// (comma-separated) start after the last. The error names the client id, never the secret.
    /// </summary>
    private static bool TryParseClient(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DevServerClient? client, out string? error)
    {
        client = null;
        error = "--client must be id:secret or id:secret:carrier[,carrier...] with a non-empty id and secret";
        int first = value.IndexOf(':', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        int last = value.LastIndexOf(':');
        string id = value[..first];
        string secret = last == first ? value[(first + 1)..] : value[(first + 1)..last];
        string? carriers = last == first ? null : value[(last + 1)..];
        if (secret.Length == 0)
        {
            return false;
        }

        if (!CarrierIds.TryParse(carriers, [], out List<string>? list, out string? problem))
        {
            error = $"--client '{id}': {problem}";
            return false;
        }

        client = new DevServerClient { ClientId = id, ClientSecret = secret, CarrierIds = list };
        return true;
    }
}
