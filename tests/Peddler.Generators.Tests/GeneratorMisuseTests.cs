using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Peddler.Generators.Tests;

/// <summary>
/// Misuse never crashes the generator and never emits source: the analyzers report it, and a
/// half-built class would only add confusing compiler errors.
/// </summary>
public class GeneratorMisuseTests
{
    public static TheoryData<string, string> Misuses() => new()
    {
        { "not partial", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public class C { }""" },
        { "static", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static partial class C { }""" },
        { "abstract", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public abstract partial class C { }""" },
        { "generic", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C<T> { }""" },
        { "nested in non-partial", """public class Outer { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C { } }""" },
        { "nested in generic", """public partial class Outer<T> { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C { } }""" },
        { "file-local", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] file partial class C { }""" },
        { "unknown environment", """[Peddler.PeddlerClient(Environment = "Staging", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "environment in wrong case", """[Peddler.PeddlerClient(Environment = "dev", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "missing environment", """[Peddler.PeddlerClient(Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "empty scopes", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "")] public partial class C { }""" },
        { "blank scopes", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "   ")] public partial class C { }""" },
        { "missing scopes", """[Peddler.PeddlerClient(Environment = "Dev")] public partial class C { }""" },
        { "no arguments", """[Peddler.PeddlerClient] public partial class C { }""" },
        { "non-constant argument", """[Peddler.PeddlerClient(Environment = X.Env, Scopes = "DEFAULT")] public partial class C { } static class X { public static string Env = "Dev"; }""" },
        { "half-typed attribute", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = ] public partial class C { }""" },
        { "unknown named argument", """[Peddler.PeddlerClient(Environmnt = "Dev", Scopes = "DEFAULT")] public partial class C { }""" },
    };

    [Theory]
    [MemberData(nameof(Misuses))]
    public void Misuse_emits_nothing_and_does_not_throw(string _, string source)
    {
        foreach (TargetRuntime runtime in new[] { TargetRuntime.Net80, TargetRuntime.Net100 })
        {
            (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(runtime, source);

            GeneratorRunResult run = result.Results.Single();
            Assert.Null(run.Exception);
            Assert.Empty(run.GeneratedSources);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id.StartsWith("CS8785", System.StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_valid_class_still_generates_beside_an_invalid_one()
    {
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(
            TargetRuntime.Net100,
            """[Peddler.PeddlerClient(Environment = "Nowhere", Scopes = "DEFAULT")] public partial class Bad { }""",
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 7")] public partial class Good { }""");

        GeneratedSourceResult only = Assert.Single(result.Results.Single().GeneratedSources);
        Assert.Equal("Good.PeddlerClient.g.cs", only.HintName);
    }

    [Fact]
    public void Scopes_with_quotes_and_backslashes_are_escaped_into_valid_code()
    {
        (GeneratorDriverRunResult result, Compilation output) = GeneratorHarness.Run(
            TargetRuntime.Net100,
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated a\"b\\c")] public partial class Odd { }""");

        Assert.Single(result.Results.Single().GeneratedSources);
        GeneratorHarness.AssertNoProblems(output);
    }
}
