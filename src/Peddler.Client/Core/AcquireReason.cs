using Peddler.Diagnostics;

namespace Peddler.Core;

/// <summary>Why an acquisition runs: decides what a failure does; its telemetry name is only reported.</summary>
internal enum AcquireReason
{
    /// <summary>A caller found no usable token and waits for this acquisition.</summary>
    CacheMiss,

    /// <summary>A caller inside the refresh window got the cached token and started this renewal without waiting.</summary>
    RefreshWindow,

    /// <summary>The background refresh (or carrier renewal) renews the token ahead of the refresh window.</summary>
    BackgroundRefresh,
}

/// <summary>The telemetry names of <see cref="AcquireReason"/> (the <c>peddler.trigger</c> tag and log fields).</summary>
internal static class AcquireReasons
{
    public static string Telemetry(this AcquireReason reason) => reason switch
    {
        AcquireReason.RefreshWindow => PeddlerClientDiagnostics.RefreshWindowTrigger,
        AcquireReason.BackgroundRefresh => PeddlerClientDiagnostics.BackgroundRefreshTrigger,
        _ => PeddlerClientDiagnostics.CacheMissTrigger,
    };
}
