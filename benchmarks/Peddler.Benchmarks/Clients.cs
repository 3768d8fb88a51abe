using Peddler;

namespace Peddler.Benchmarks;

/// <summary>The client every runtime benchmark measures, generated as a user's would be.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
public sealed partial class BenchTokens;

/// <summary>The run-time carrier client of the many-carriers benchmark.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
public sealed partial class CarrierBenchTokens;
