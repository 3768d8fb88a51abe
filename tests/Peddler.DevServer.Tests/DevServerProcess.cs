using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.DevServer.Tests;

/// <summary>Obviously fake credentials.</summary>
internal static class Fake
{
    public const string Platform = "platform";
    public const string Secret = "fake-secret-1";
    public const string NewSecret = "fake-secret-2";
    public static readonly string[] Carriers = ["900001", "900002", "900003"];
}

/// <summary>The dev server as a separate process (<c>dotnet Peddler.DevServer.dll …</c>), its output collected line by line.</summary>
internal sealed partial class DevServerProcess : IAsyncDisposable
{
    /// <summary>The longest a test waits for something that should happen at once (a loaded 2-core CI machine).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DevServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Add(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string DllPath =>
        typeof(DevServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "DevServerDll").Value!;

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToArray();
            }
        }
    }

    /// <summary>Everything printed so far, both streams.</summary>
    public string AllText => string.Join("\n", Output.Concat(Errors));

    public Uri BaseAddress { get; private set; } = null!;

    public Uri? AdminAddress { get; private set; }

    /// <summary>Starts the process without waiting for it.</summary>
    public static DevServerProcess Launch(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return new DevServerProcess(Process.Start(start)!);
    }

    /// <summary>Starts the dev server and waits for its banner; reads the base (and admin) address from it.</summary>
    public static async Task<DevServerProcess> StartAsync(params string[] args)
    {
        DevServerProcess server = Launch(args);
        try
        {
            await server.WaitForLineAsync(l => l.StartsWith("Press Ctrl+C", StringComparison.Ordinal));
            server.BaseAddress = new Uri(server.Match(ListeningLine()).Groups["uri"].Value);
            Match admin = ListAdminLine(server);
            server.AdminAddress = admin.Success ? new Uri(admin.Groups["uri"].Value) : null;
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (at most <see cref="Patience"/>) until a printed line matches; fails with the output so far if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                string? line = _stdout.FirstOrDefault(condition);
                if (line is not null)
                {
                    return line;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no such line within {Patience}; exited: {_process.HasExited}; output:\n{AllText}");
            }
        }
    }

    /// <summary>Waits for the process to exit (at most <see cref="Patience"/>) and for its output to be read.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(Patience);
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
    }

    /// <summary>A token request as Peddler documents it.</summary>
    public async Task<HttpResponseMessage> RequestTokenAsync(HttpClient http, string clientId, string secret, string? carrier)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", clientId),
            new("client_secret", secret),
        };
        if (carrier is not null)
        {
            fields.Add(new("scope", "DEFAULT authenticated " + carrier));
        }

        using var content = new FormUrlEncodedContent(fields);
        return await http.PostAsync(new Uri(BaseAddress, "oauth/token"), content);
    }

    private Match Match(Regex regex)
    {
        foreach (string line in Output)
        {
            Match match = regex.Match(line);
            if (match.Success)
            {
                return match;
            }
        }

        throw new InvalidOperationException($"no line matches {regex}; output:\n{AllText}");
    }

    private static Match ListAdminLine(DevServerProcess server) =>
        server.Output.Select(l => AdminLine().Match(l)).FirstOrDefault(m => m.Success) ?? System.Text.RegularExpressions.Match.Empty;

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        TaskCompletionSource changed;
        lock (_gate)
        {
            lines.Add(line);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    [GeneratedRegex(@"listening on (?<uri>http://\S+/)$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Admin endpoint: (?<uri>http://[^/\s]+/)admin/")]
    private static partial Regex AdminLine();
}
