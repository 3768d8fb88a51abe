using Peddler;

namespace Peddler.Interop.Tests;

/// <summary>The client as the README shows it: every scope is one the OpenIddict server registered.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
public partial class CarrierTokens;

/// <summary>Asks for carrier 999999, a scope the OpenIddict server does not know.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 999999")]
public partial class UnknownCarrierTokens;

/// <summary>Asks for carrier 900002, which the OpenIddict server registered but leaves out of the grant.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900002")]
public partial class WithheldCarrierTokens;
