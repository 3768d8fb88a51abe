using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Peddler.Testing;
using Xunit;

namespace Peddler.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/**/*.md compiles as documented in
/// <see cref="DocumentationBlocks"/> (which wrapper) and <see cref="DocumentationCompiler"/> (what
/// each wrapper supplies): with no error and no warning, generator and analyzers included — except
/// the non-compliant examples of the rule pages, which must raise their rule. The two complete
/// programs of README.md that need no credentials also run.
/// </summary>
[Collection(nameof(ConsoleAndEnvironment))]
public class DocumentationTests
{
    public static TheoryData<string> Blocks() => new(DocumentationBlocks.All.Select(b => b.ToString()));

    [Fact]
    public void The_documentation_has_code_blocks_and_the_minimal_example_is_a_complete_program()
    {
        Assert.True(DocumentationBlocks.All.Count >= 20, $"{DocumentationBlocks.All.Count} blocks");
        DocumentationBlock minimal = Block("README.md", "Minimal example");
        Assert.Equal(Wrapper.Program, minimal.Wrapper);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void The_block_compiles(string name)
    {
        DocumentationBlock block = DocumentationBlocks.All.Single(b => b.ToString() == name);
        (Compilation _, IReadOnlyList<Diagnostic> diagnostics) = DocumentationCompiler.Compile(block);

        bool nonCompliant = block.Wrapper == Wrapper.Diagnostic && block.Heading.StartsWith("Non-compliant", StringComparison.OrdinalIgnoreCase);
        if (nonCompliant)
        {
            Assert.Contains(diagnostics, d => d.Id == block.RuleId);

            // Besides the rule (and other PDL rules it implies), only the compiler's own "missing partial" that accompanies PDL012/PDL015.
            Assert.All(diagnostics, d => Assert.True(d.Id.StartsWith("PDL", StringComparison.Ordinal) || d.Id == "CS0260", d.ToString()));
        }
        else
        {
            Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString())));
        }
    }

    [Fact]
    public async Task The_minimal_example_gets_a_token_from_the_local_server()
    {
        DocumentationBlock minimal = Block("README.md", "Minimal example");
        await using var server = new PeddlerAuthorizationServer();
        server.AddClient("dev-client", "fake-secret-for-tests", carrierId: "900001");
        Uri endpoint = await server.StartAsync();

        string output = await RunAsync(minimal, new Dictionary<string, string>
        {
            ["PEDDLER_CLIENT_ID"] = "dev-client",
            ["PEDDLER_CLIENT_SECRET"] = "fake-secret-for-tests",
            ["PEDDLER_TOKEN_ENDPOINT"] = server.TokenEndpoint.ToString(),
        });

        Assert.Contains("Bearer token ", output, StringComparison.Ordinal);
        Assert.Contains("for 'DEFAULT authenticated 900001'", output, StringComparison.Ordinal);
        Assert.Equal(1, server.TokenRequestCount);
        Assert.NotNull(endpoint);
    }

    [Fact]
    public async Task The_local_server_example_runs_and_recovers_from_the_injected_fault()
    {
        string output = await RunAsync(Block("README.md", "A local authorization server for your tests"), new Dictionary<string, string>());

        Assert.Contains("after 2 requests", output, StringComparison.Ordinal);
    }

    private static DocumentationBlock Block(string file, string heading) =>
        DocumentationBlocks.All.First(b => b.File == file && b.Heading == heading);

    /// <summary>Compiles and runs a complete program with the given environment; returns what it printed.</summary>
    private static async Task<string> RunAsync(DocumentationBlock block, Dictionary<string, string> environment)
    {
        (Compilation compilation, IReadOnlyList<Diagnostic> diagnostics) = DocumentationCompiler.Compile(block);
        Assert.Empty(diagnostics);
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        Assembly assembly = Assembly.Load(image.ToArray());

        TextWriter console = Console.Out;
        var previous = environment.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        using var captured = new StringWriter();
        try
        {
            foreach (KeyValuePair<string, string> pair in environment)
            {
                Environment.SetEnvironmentVariable(pair.Key, pair.Value);
            }

            Console.SetOut(captured);
            // On a pool thread: the program blocks on its own async Main, which must not wait on the test's context.
            await Task.Run(() => assembly.EntryPoint!.Invoke(null, [Array.Empty<string>()]));
        }
        finally
        {
            Console.SetOut(console);
            foreach (KeyValuePair<string, string?> pair in previous)
            {
                Environment.SetEnvironmentVariable(pair.Key, pair.Value);
            }
        }

        return captured.ToString();
    }
}

/// <summary>Tests that redirect the console or set environment variables run one at a time.</summary>
[CollectionDefinition(nameof(ConsoleAndEnvironment), DisableParallelization = true)]
public sealed class ConsoleAndEnvironment;
