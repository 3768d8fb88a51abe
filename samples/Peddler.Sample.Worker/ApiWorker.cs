using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Peddler.Sample.Worker;

/// <summary>
/// Calls the API a few times, asks its own /healthz, then stops the host; the exit code says
/// whether every call succeeded and the client reported Healthy.
/// </summary>
internal sealed partial class ApiWorker(CarrierApi api, WorkerPlan plan, IServer server, IHostApplicationLifetime lifetime, ILogger<ApiWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int failures = 0;
        try
        {
            for (int call = 1; call <= plan.Calls; call++)
            {
                if (call == 2 && plan.RevokeTokens is not null)
                {
                    // The server forgets every token: the next call gets a 401, and the handler
                    // fetches a new token and retries once.
                    plan.RevokeTokens();
                    LogRevoked(logger);
                }

                (int status, string body) = await api.GetCarrierAsync(plan.Path, stoppingToken);
                LogCall(logger, call, status, body);
                if (status is < 200 or > 299)
                {
                    failures++;
                }
            }
        }
        catch (Exception ex) when (ex is PeddlerException or TimeoutException or HttpRequestException)
        {
            LogFailed(logger, ex.Message);
            failures++;
        }

        // What a readiness probe would see: the web host is up once ApplicationStarted fires.
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
            }

            string address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using HttpResponseMessage health = await probe.GetAsync(new Uri(new Uri(address), "/healthz"), stoppingToken);
            string status = await health.Content.ReadAsStringAsync(stoppingToken);
            LogHealth(logger, (int)health.StatusCode, status);
            if (status != "Healthy")
            {
                failures++;
            }
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException or InvalidOperationException)
        {
            LogFailed(logger, "/healthz: " + ex.Message);
            failures++;
        }

        Environment.ExitCode = failures == 0 ? 0 : 1;
        lifetime.StopApplication();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Call {Call}: {Status} {Body}")]
    private static partial void LogCall(ILogger logger, int call, int status, string body);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "The local server revoked every token: the next call is answered 401 and recovered")]
    private static partial void LogRevoked(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "GET /healthz: {Status} {Body}")]
    private static partial void LogHealth(ILogger logger, int status, string body);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The API could not be called: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
