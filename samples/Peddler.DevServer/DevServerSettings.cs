using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Peddler.Testing;

namespace Peddler.DevServer;

/// <summary>The "PeddlerDevServer" section of appsettings.json, overridden by the command line.</summary>
internal sealed class DevServerSettings
{
    public const string SectionName = "PeddlerDevServer";

    public string Host { get; set; } = PeddlerAuthorizationServerOptions.DefaultHost;

    public int Port { get; set; } = 5005;

    public long TokenLifetimeSeconds { get; set; } = 7200;

    /// <summary>The port of the loopback-only admin listener; <see langword="null"/> (the default) for none, 0 for any free port.</summary>
    public int? AdminPort { get; set; }

    public List<DevServerClient> Clients { get; set; } = [];

    /// <summary>Binds the <see cref="SectionName"/> section of <paramref name="configuration"/> (missing keys keep their defaults).</summary>
    /// <exception cref="InvalidOperationException">A value does not convert (e.g. a Port that is not a number).</exception>
    public static DevServerSettings Bind(IConfiguration configuration)
    {
        var settings = new DevServerSettings();
        configuration.GetSection(SectionName).Bind(settings);
        return settings;
    }

    /// <summary>
    /// Checks the clients (as bound from <paramref name="source"/>, e.g. <c>appsettings.json</c>):
    /// each has an id and a secret, no id is repeated, every carrier id is valid. The one-line error
    /// names the client (by id, or by position when it has none) and never the secret.
    /// </summary>
    public bool TryValidateClients(string source, out string? error)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Clients.Count; i++)
        {
            DevServerClient client = Clients[i];
            if (string.IsNullOrEmpty(client.ClientId))
            {
                error = $"{source}: client {i + 1} has no ClientId";
                return false;
            }

            if (string.IsNullOrEmpty(client.ClientSecret))
            {
                error = $"{source}: client '{client.ClientId}' has no ClientSecret";
                return false;
            }

            if (!seen.Add(client.ClientId))
            {
                error = $"{source}: client '{client.ClientId}' is given twice; give each client id once";
                return false;
            }

            if (!CarrierIds.TryParse(client.CarrierId, client.CarrierIds, out List<string>? carriers, out string? problem))
            {
                error = $"{source}: client '{client.ClientId}': {problem}";
                return false;
            }

            client.CarrierId = null;
            client.CarrierIds = carriers;
        }

        error = null;
        return true;
    }
}

/// <summary>A client of the dev server: a <see cref="PeddlerClientRegistration"/> with any number of carriers.</summary>
internal sealed class DevServerClient
{
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>One carrier id, or several separated by commas (<c>"900001,900002"</c>).</summary>
    public string? CarrierId { get; set; }

    /// <summary>Carrier ids, after those of <see cref="CarrierId"/>.</summary>
    public List<string> CarrierIds { get; set; } = [];

    /// <summary>Describes the client without its secret, e.g. <c>platform (carriers 900001, 900002)</c>.</summary>
    public override string ToString()
    {
        IEnumerable<string> carriers = (CarrierId is null ? [] : new[] { CarrierId }).Concat(CarrierIds);
        string[] list = carriers.ToArray();
        return list.Length switch
        {
            0 => $"{ClientId} (no carrier)",
            1 => $"{ClientId} (carrier {list[0]})",
            _ => $"{ClientId} (carriers {string.Join(", ", list)})",
        };
    }
}

/// <summary>Carrier ids as Peddler's token endpoint accepts them in <c>scope</c>.</summary>
internal static class CarrierIds
{
    /// <summary>
    /// Joins a comma-separated <paramref name="commaList"/> and a list into one list of valid,
    /// distinct carrier ids. The error counts carriers by position and never shows one: a carrier
    /// part of a mistyped <c>--client</c> may be part of a secret.
    /// </summary>
    public static bool TryParse(string? commaList, IEnumerable<string?> more, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out List<string>? carriers, out string? error)
    {
        carriers = [];
        IEnumerable<string?> all = (string.IsNullOrEmpty(commaList) ? [] : commaList.Split(',')).Concat(more);
        int position = 0;
        foreach (string? carrier in all)
        {
            position++;
            if (string.IsNullOrEmpty(carrier))
            {
                error = $"carrier {position} is empty";
                carriers = null;
                return false;
            }

            if (!IsValid(carrier))
            {
                error = $"carrier {position} is not a valid carrier id (printable ASCII without space, '\"', '\\' and ',', other than DEFAULT and authenticated)";
                carriers = null;
                return false;
            }

            if (carriers.Contains(carrier, StringComparer.Ordinal))
            {
                error = $"carrier {position} repeats an earlier carrier";
                carriers = null;
                return false;
            }

            carriers.Add(carrier);
        }

        error = null;
        return true;
    }

    /// <summary>An RFC 6749 scope token (%x21 / %x23-5B / %x5D-7E) other than DEFAULT and authenticated, without ','.</summary>
    public static bool IsValid(string carrier) =>
        carrier.Length > 0
        && carrier is not ("DEFAULT" or "authenticated")
        && carrier.All(c => c is >= '!' and <= '~' and not '"' and not '\\' and not ',');
}
