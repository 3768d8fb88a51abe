using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Peddler.Extensions.Tests;

/// <summary>One captured log line: everything a logging provider could write anywhere.</summary>
internal sealed record LogRecord(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    IReadOnlyList<KeyValuePair<string, object?>> State,
    string? Exception)
{
    /// <summary>Whether this is Peddler's event <paramref name="id"/> (other categories reuse small ids).</summary>
    public bool Is(int id) => EventId.Id == id && Category.StartsWith("Peddler.Client.", StringComparison.Ordinal);

    /// <summary>A structured value of the line, e.g. <c>Delay</c>.</summary>
    public T Value<T>(string name) => (T)State.Single(p => p.Key == name).Value!;

    /// <summary>Every piece of text this line could put in a log sink.</summary>
    public string AllText =>
        string.Join('\n', new[] { Category, EventId.Name ?? string.Empty, Message, Exception ?? string.Empty }
            .Concat(State.Select(p => $"{p.Key}={p.Value}")));
}

/// <summary>An <see cref="ILoggerProvider"/> that keeps every line of every category, at every level.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly List<LogRecord> _records = [];
    private readonly List<(Func<LogRecord, bool> Match, TaskCompletionSource<LogRecord> Done)> _waiters = [];

    public IReadOnlyList<LogRecord> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToArray();
            }
        }
    }

    /// <summary>The first line matching <paramref name="match"/> after the first <paramref name="skip"/> lines, now or when it is written.</summary>
    public Task<LogRecord> WaitForAsync(Func<LogRecord, bool> match, int skip = 0)
    {
        lock (_records)
        {
            LogRecord? existing = _records.Skip(skip).FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var done = new TaskCompletionSource<LogRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(TestHost.Patience);
        }
    }

    /// <summary>The next line with event id <paramref name="eventId"/> written after <paramref name="skip"/> lines.</summary>
    public Task<LogRecord> WaitForEventAsync(int eventId, int skip = 0) =>
        WaitForAsync(r => r.Is(eventId), skip);

    public int Count
    {
        get
        {
            lock (_records)
            {
                return _records.Count;
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogRecord record)
    {
        lock (_records)
        {
            _records.Add(record);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(record))
                {
                    _waiters[i].Done.TrySetResult(record);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var pairs = state is IReadOnlyList<KeyValuePair<string, object?>> list ? list.ToArray() : [];
            owner.Add(new LogRecord(category, logLevel, eventId, formatter(state, exception), pairs, exception?.ToString()));
        }
    }
}
