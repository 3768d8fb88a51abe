using System;
using System.Collections.Generic;

namespace Peddler.Hosting;

/// <summary>
/// What <c>AddPeddlerClient</c> registered in one service collection, by client name: catches two
/// client classes with the same name (their options and HTTP clients would be shared) and makes
/// repeated registrations of one client add configuration, not services.
/// </summary>
internal sealed class PeddlerClientRegistry
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Returns the entry of <paramref name="clientType"/>, and whether it is new.</summary>
    public (Entry Entry, bool Added) GetOrAdd(string name, Type clientType)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(name, out Entry? existing))
            {
                if (existing.ClientType != clientType)
                {
                    throw new InvalidOperationException(
                        $"Two Peddler clients are named '{name}': {existing.ClientType.FullName} and {clientType.FullName}. " +
                        "Their options and token HTTP clients are keyed by the class name; rename one of the classes.");
                }

                return (existing, false);
            }

            var entry = new Entry(name, clientType);
            _entries.Add(name, entry);
            return (entry, true);
        }
    }

    /// <summary>One registered client.</summary>
    internal sealed class Entry(string name, Type clientType)
    {
        public string Name { get; } = name;

        public Type ClientType { get; } = clientType;

        /// <summary>
        /// The configuration path its options were bound from (<c>Peddler</c>), so validation
        /// messages name configuration keys; <see langword="null"/> when configured in code.
        /// </summary>
        public string? ConfigurationPath { get; set; }
    }
}
