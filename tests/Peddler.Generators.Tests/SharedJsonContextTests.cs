using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Peddler.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Peddler.Generators.Tests;

/// <summary>The JSON metadata is emitted once per compilation and shared by every client in it.</summary>
public class SharedJsonContextTests(ITestOutputHelper output)
{
    private const string JsonContextHint = "Peddler.PeddlerJsonContext.g.cs";

    private static string Client(string name, string environment = "Dev") =>
        $$"""[Peddler.PeddlerClient(Environment = "{{environment}}", Scopes = "DEFAULT authenticated 900001")] public partial class {{name}} { }""";

    [Fact]
    public void Several_clients_share_one_context_and_no_client_file_carries_json_metadata()
    {
        (GeneratorDriverRunResult result, Compilation compilation) = GeneratorHarness.Run(
            TargetRuntime.Net100, Client("First"), Client("Second", "Production"), TestSources.NestedInternal);

        GeneratedSourceResult[] sources = result.Results.Single().GeneratedSources.ToArray();
        Assert.Single(sources, s => s.HintName == JsonContextHint);
        Assert.All(
            sources.Where(s => s.HintName != JsonContextHint),
            s => Assert.DoesNotContain("Json", s.SourceText.ToString().Replace("PeddlerJsonContext_Consumer.Describe", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal));
        GeneratorHarness.AssertNoProblems(compilation);
    }

    [Fact]
    public void A_compilation_without_clients_gets_no_context()
    {
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(TargetRuntime.Net100, "public class Plain { }");

        Assert.Empty(result.Results.Single().GeneratedSources);
    }

    [Theory]
    [InlineData(TargetRuntime.Net80)]
    [InlineData(TargetRuntime.Net100)]
    public void Projects_with_clients_that_see_each_others_internals_compile_without_warnings(TargetRuntime runtime)
    {
        // Three assemblies in a chain, each with clients, each granting its internals to the next.
        MetadataReference bottom = Emit(runtime, "Company.Auth", [], "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Company.Auth.Api\")]", Client("BottomTokens"));
        MetadataReference middle = Emit(
            runtime,
            "Company.Auth.Api",
            [bottom],
            "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Company-App\")]",
            Client("MiddleTokens", "Production"),
            "public static class UsesBottom { public static object Get() => BottomTokens.Descriptor; }");
        CSharpCompilation top = GeneratorHarness.Compile(
            "Company-App",
            runtime,
            [bottom, middle],
            Client("TopTokens"),
            "public static class UsesAll { public static object[] Get() => [BottomTokens.Descriptor, MiddleTokens.Descriptor, TopTokens.Descriptor]; }");

        (GeneratorDriverRunResult _, Compilation compiled) = GeneratorHarness.Run(top);

        GeneratorHarness.AssertNoProblems(compiled);
    }

    [Fact]
    public void Clients_of_one_assembly_share_the_metadata_instances_and_read_tokens_with_it()
    {
        Assembly assembly = Load(Client("First"), Client("Second", "Production"));
        PeddlerClientDescriptor first = Descriptor(assembly, "First");
        PeddlerClientDescriptor second = Descriptor(assembly, "Second");

        Assert.Same(first.TokenResponseTypeInfo, second.TokenResponseTypeInfo);
        Assert.Same(first.ErrorResponseTypeInfo, second.ErrorResponseTypeInfo);
        PeddlerTokenResponse? token = JsonSerializer.Deserialize(
            """{"access_token":"FAKE-token-for-tests","expires_in":"7200","scope":"DEFAULT authenticated","token_type":"Bearer"}""",
            first.TokenResponseTypeInfo);
        Assert.Equal(("FAKE-token-for-tests", 7200L, "Bearer"), (token!.AccessToken, token.ExpiresIn!.Value, token.TokenType));
        PeddlerErrorResponse? error = JsonSerializer.Deserialize("""{"error":"access_denied","error_description":"Invalid subject: test"}""", second.ErrorResponseTypeInfo);
        Assert.Equal(("access_denied", "Invalid subject: test"), (error!.Error, error.ErrorDescription));
    }

    [Fact]
    public void The_descriptor_describes_the_client_in_ToString()
    {
        PeddlerClientDescriptor descriptor = Descriptor(Load(Client("CarrierTokens")), "CarrierTokens");

        Assert.Equal(
            "CarrierTokens (Environment: Dev, TokenEndpoint: https://alphadev-api.peddler.com/oauth/token, Scopes: DEFAULT authenticated 900001)",
            descriptor.ToString());
    }

    [Fact]
    public void An_unknown_environment_compiles_but_fails_clearly_if_its_error_was_switched_off()
    {
        Type type = Load(Client("Broken", "Staging")).GetType("Broken")!;

        TargetInvocationException thrown = Assert.Throws<TargetInvocationException>(() => type.GetProperty("TokenEndpoint")!.GetValue(null));
        InvalidOperationException inner = Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.Contains("'Broken'", inner.Message, StringComparison.Ordinal);
        Assert.Contains("PDL009", inner.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_additional_client_adds_at_most_50_generated_lines()
    {
        int one = GeneratedLines(1);
        int many = GeneratedLines(201);
        double perClient = (many - one) / 200.0;
        output.WriteLine($"Generated lines: 1 client = {one} (with the shared context), 201 clients = {many}, per additional client = {perClient:F1}");

        Assert.True(perClient <= 50, $"{perClient:F1} generated lines per additional client");
    }

    private static int GeneratedLines(int clients)
    {
        string[] sources = Enumerable.Range(0, clients).Select(i => "namespace App.Clients;\n" + Client("Client" + i)).ToArray();
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(TargetRuntime.Net100, sources);
        return result.Results.Single().GeneratedSources.Sum(s => s.SourceText.Lines.Count);
    }

    private static PortableExecutableReference Emit(TargetRuntime runtime, string name, MetadataReference[] references, params string[] sources)
    {
        (GeneratorDriverRunResult _, Compilation compiled) = GeneratorHarness.Run(GeneratorHarness.Compile(name, runtime, references, sources));
        GeneratorHarness.AssertNoProblems(compiled);
        using var stream = new MemoryStream();
        Assert.True(compiled.Emit(stream).Success);
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static Assembly Load(params string[] sources)
    {
        (GeneratorDriverRunResult _, Compilation compiled) = GeneratorHarness.Run(
            GeneratorHarness.Compile("Loaded" + Guid.NewGuid().ToString("N"), TargetRuntime.Net100, [], sources));
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compiled.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    private static PeddlerClientDescriptor Descriptor(Assembly assembly, string typeName) =>
        (PeddlerClientDescriptor)assembly.GetType(typeName)!.GetProperty("Descriptor")!.GetValue(null)!;
}
