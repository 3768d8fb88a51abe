using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace Peddler.Redis.Tests;

/// <summary>
/// Instances of a fleet as separate OS processes (tests/Peddler.Redis.FleetWorker, run with
/// <c>dotnet</c>): they start, connect, wait on a start barrier (a file), then all ask for a token.
/// </summary>
internal sealed class FleetProcesses : IAsyncDisposable
{
    private readonly string _barrier = Path.Combine(Path.GetTempPath(), "peddler-fleet-" + Guid.NewGuid().ToString("N"));

    private FleetProcesses(List<Worker> workers) => Workers = workers;

    public List<Worker> Workers { get; }

    public static string WorkerPath =>
        typeof(FleetProcesses).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FleetWorker").Value!;

    public static async Task<FleetProcesses> StartAsync(int count, Fleet fleet, TimeSpan? lease = null, TimeSpan? wait = null, int carriers = 0)
    {
        var workers = new List<Worker>();
        var processes = new FleetProcesses(workers);
        for (int i = 0; i < count; i++)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(WorkerPath);
            void Add(string name, string value)
            {
                start.ArgumentList.Add(name);
                start.ArgumentList.Add(value);
            }

            Add("--redis", fleet.Cache.Configuration);
            Add("--endpoint", fleet.Server.TokenEndpoint.AbsoluteUri);
            Add("--client-id", Fleet.ClientId);
            if (carriers > 0)
            {
                Add("--carriers", carriers.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                Add("--carrier", Fleet.CarrierId);
            }

            Add("--barrier", processes._barrier);
            Add("--prefix", fleet.KeyPrefix);

            // 8 processes start on a busy 2-core machine: see Fleet.AddInstance.
            Add("--operation-timeout-ms", "10000");
            if (lease is { } l)
            {
                Add("--lease-ms", ((int)l.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }

            if (wait is { } w)
            {
                Add("--wait-ms", ((int)w.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }

            start.Environment["PEDDLER_CLIENT_SECRET"] = Fleet.ClientSecret;
            workers.Add(new Worker(Process.Start(start)!));
        }

        await Task.WhenAll(workers.Select(w => w.WaitForAsync("READY", TimeSpan.FromSeconds(60))));
        return processes;
    }

    /// <summary>Lets every worker ask for its token at the same moment.</summary>
    public void Release() => File.WriteAllText(_barrier, "go");

    public async ValueTask DisposeAsync()
    {
        foreach (Worker worker in Workers)
        {
            worker.Dispose();
        }

        File.Delete(_barrier);
        await Task.CompletedTask;
    }

    internal sealed class Worker : IDisposable
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _errors = new();

        public Worker(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _errors.Enqueue(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public IReadOnlyCollection<string> Lines => _lines;

        public string? Line(string prefix) => _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));

        /// <summary>The fingerprint of the token this worker got, or <see langword="null"/>.</summary>
        public string? Fingerprint => Line("TOKEN ")?.Split(' ')[1];

        public async Task WaitForAsync(string prefix, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (Line(prefix) is null)
            {
                if (clock.Elapsed > timeout || (Process.HasExited && Line(prefix) is null && await Exited()))
                {
                    throw new TimeoutException($"worker {Process.Id} did not print {prefix}; stdout: {string.Join(" | ", _lines)}; stderr: {string.Join(" | ", _errors)}");
                }

                await Task.Delay(10);
            }
        }

        private async Task<bool> Exited()
        {
            await Process.WaitForExitAsync();
            return Line("TOKEN ") is null;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
        }
    }
}
