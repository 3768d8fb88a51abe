using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Peddler.Sample.Carriers;

/// <summary>
/// A logging provider that lets the sample wait for the client's options events instead of
/// sleeping: <c>OptionsChanged</c> (event 31, the reloaded options are in use) and
/// <c>OptionsChangeRejected</c> (event 30, they failed validation). The console logger prints
/// them as usual; this only watches the <c>Peddler.Client.*</c> categories.
/// </summary>
internal sealed class PeddlerEvents : ILoggerProvider
{
    /// <summary>Changed options failed validation; the client keeps its last valid ones.</summary>
    public const int OptionsChangeRejected = 30;

    /// <summary>Changed options are in use from the next token request.</summary>
    public const int OptionsChanged = 31;

    // README, "Logging": the category of a client's log lines is Peddler.Client.{ClientName}.
    private const string CategoryPrefix = "Peddler.Client.";

    private readonly object _gate = new();
    private readonly List<(int EventId, TaskCompletionSource<string> Seen)> _waiters = [];

    /// <summary>
    /// Completes with the message of the next <paramref name="eventId"/> logged from now on. Call it
    /// before causing the event (e.g. before rewriting the file), then await it with a timeout.
    /// </summary>
    public Task<string> Next(int eventId)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((eventId, seen));
        }

        return seen.Task;
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(CategoryPrefix, StringComparison.Ordinal) ? new Watcher(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private void Seen(int eventId, string message)
    {
        lock (_gate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].EventId == eventId)
                {
                    _waiters[i].Seen.TrySetResult(message);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Watcher(PeddlerEvents events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is OptionsChanged or OptionsChangeRejected)
            {
                events.Seen(eventId.Id, formatter(state, exception));
            }
        }
    }
}
