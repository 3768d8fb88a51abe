using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Peddler.Generators;

namespace Peddler.Docs.Tests;

/// <summary>
/// Compiles documentation blocks in memory, as a user's build would: .NET 10 reference assemblies,
/// the ASP.NET Core framework (which carries the generic host), Peddler.Generators' runtime,
/// generator and analyzers, Peddler.Testing, OpenTelemetry; C# 12 (the .NET 8 SDK's language);
/// nullable on; the SDK's implicit usings; CS1701/CS1702 off as the SDK has them.
/// <list type="bullet">
/// <item><b>program</b>: the block is <c>Program.cs</c> of <c>dotnet new console</c>, as pasted.</item>
/// <item><b>worker</b>: the block is <c>Program.cs</c> of <c>dotnet new worker</c>, as pasted; the template's
/// <c>Worker.cs</c> (namespace <c>WorkerApp</c>) is compiled beside it.</item>
/// <item><b>fragment</b> and <b>diagnostic</b>: the block's statements become the body of
/// <c>async Task RunAsync()</c>, its type declarations stay at the top level, its usings stay usings. In
/// scope, unless the block declares them: the variables <c>HttpClient http</c>,
/// <c>IConfiguration configuration</c>, <c>HostApplicationBuilder builder</c>,
/// <c>CancellationToken cancellationToken</c>, <c>PeddlerClientOptions options</c>,
/// <c>string clientId</c>, <c>string tenantId</c>, <c>string secret</c>; the types
/// <c>[PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")] partial class CarrierTokens</c>
/// and <c>MyAuditHandler : DelegatingHandler</c>; and stand-ins with the real names of the third-party
/// APIs the rule pages show, with their namespaces imported (MSAL's <c>ConfidentialClientApplicationBuilder</c>,
/// Azure.Identity's <c>ClientSecretCredential</c>).</item>
/// </list>
/// </summary>
public static class DocumentationCompiler
{
    private static readonly string[] ConsoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] WorkerUsings =
        [.. ConsoleUsings, "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    private static readonly (string Type, string Name)[] AmbientVariables =
    [
        ("global::System.Net.Http.HttpClient", "http"),
        ("global::Microsoft.Extensions.Configuration.IConfiguration", "configuration"),
        ("global::Microsoft.Extensions.Hosting.HostApplicationBuilder", "builder"),
        ("global::System.Threading.CancellationToken", "cancellationToken"),
        ("global::Peddler.PeddlerClientOptions", "options"),
        ("string", "clientId"),
        ("string", "tenantId"),
        ("string", "secret"),
    ];

    private static readonly (string Name, string Declaration)[] AmbientTypes =
    [
        ("CarrierTokens", """[global::Peddler.PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")] public partial class CarrierTokens;"""),
        ("MyAuditHandler", "public sealed class MyAuditHandler : global::System.Net.Http.DelegatingHandler;"),
    ];

    private const string ThirdPartyStandIns = """
        global using Microsoft.Identity.Client;
        global using Azure.Identity;

        namespace Microsoft.Identity.Client
        {
            public sealed class ConfidentialClientApplicationBuilder
            {
                public static ConfidentialClientApplicationBuilder Create(string clientId) => new();
                public ConfidentialClientApplicationBuilder WithClientSecret(string clientSecret) => this;
            }
        }

        namespace Azure.Identity
        {
            public sealed class ClientSecretCredential
            {
                public ClientSecretCredential(string tenantId, string clientId, string clientSecret) { }
            }
        }
        """;

    private const string WorkerTemplate = """
        namespace WorkerApp;

        public class Worker(ILogger<Worker> logger) : BackgroundService
        {
            protected override async Task ExecuteAsync(CancellationToken stoppingToken)
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogInformation("Worker running at: {time}", DateTimeOffset.Now);
                    await Task.Delay(1000, stoppingToken);
                }
            }
        }
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(Peddler.Analyzers.PeddlerClientAttributeAnalyzer).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>The sources a block becomes, by wrapper.</summary>
    public static string[] Sources(DocumentationBlock block) => block.Wrapper switch
    {
        Wrapper.Program => [GlobalUsings(ConsoleUsings), block.Code],
        Wrapper.Worker => [GlobalUsings(WorkerUsings), block.Code, WorkerTemplate],
        _ => [GlobalUsings(WorkerUsings), WrapFragment(block.Code), ThirdPartyStandIns],
    };

    /// <summary>Compiles a block with the generator; returns the compilation and every diagnostic (generator, compiler, analyzers).</summary>
    public static (Compilation Compilation, IReadOnlyList<Diagnostic> Diagnostics) Compile(DocumentationBlock block)
    {
        string[] sources = Sources(block);
        var options = new CSharpCompilationOptions(
                block.Wrapper is Wrapper.Program or Wrapper.Worker ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]);
        CSharpCompilation input = CSharpCompilation.Create(
            "Docs" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: i == 1 ? "Program.cs" : $"Wrapper{i}.cs")),
            LazyReferences.Value,
            options);
        CSharpGeneratorDriver.Create([new PeddlerClientGenerator().AsSourceGenerator()], parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        var diagnostics = new List<Diagnostic>(generatorDiagnostics);
        diagnostics.AddRange(output.GetDiagnostics());
        diagnostics.AddRange(output.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult());
        return (output, diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray());
    }

    private static string GlobalUsings(IEnumerable<string> namespaces) =>
        string.Concat(namespaces.Select(n => $"global using global::{n};\n"));

    private static string WrapFragment(string code)
    {
        CompilationUnitSyntax unit = CSharpSyntaxTree.ParseText(code, ParseOptions).GetCompilationUnitRoot();
        string[] statements = unit.Members.OfType<GlobalStatementSyntax>().Select(s => s.ToFullString()).ToArray();
        MemberDeclarationSyntax[] declarations = unit.Members.Where(m => m is not GlobalStatementSyntax).ToArray();
        var declaredVariables = new HashSet<string>(
            unit.Members.OfType<GlobalStatementSyntax>().SelectMany(s => s.DescendantNodes()).OfType<VariableDeclaratorSyntax>().Select(v => v.Identifier.ValueText),
            StringComparer.Ordinal);
        var declaredTypes = new HashSet<string>(
            declarations.SelectMany(d => d.DescendantNodesAndSelf()).OfType<BaseTypeDeclarationSyntax>().Select(t => t.Identifier.ValueText),
            StringComparer.Ordinal);

        var text = new System.Text.StringBuilder();
        text.Append(string.Concat(unit.Usings.Select(u => u.ToFullString())));
        text.Append("using Peddler;\n\npublic static class DocumentationFragment\n{\n    public static async Task RunAsync(");
        text.Append(string.Join(", ", AmbientVariables.Where(v => !declaredVariables.Contains(v.Name)).Select(v => v.Type + " " + v.Name)));
        text.Append(")\n    {\n#line 1\n");
        text.Append(string.Concat(statements));
        text.Append("\n#line default\n        await Task.CompletedTask;\n    }\n}\n\n");
        text.Append(string.Concat(declarations.Select(d => d.ToFullString())));
        text.Append('\n');
        foreach ((string name, string declaration) in AmbientTypes.Where(t => !declaredTypes.Contains(t.Name)))
        {
            text.Append(declaration).Append('\n');
        }

        return text.ToString();
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The ASP.NET Core shared framework (Peddler.Testing's framework reference) holds the generic host.
        string aspNetCore = Path.GetDirectoryName(typeof(Microsoft.Extensions.Hosting.Host).Assembly.Location)!;
        IEnumerable<string> local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(f => Path.GetFileName(f) is "Peddler.Client.dll" or "Peddler.Testing.dll" || Path.GetFileName(f).StartsWith("OpenTelemetry", StringComparison.Ordinal));
        return Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Concat(Directory.EnumerateFiles(aspNetCore, "*.dll").Where(IsManagedAssembly).Select(f => MetadataReference.CreateFromFile(f)))
            .Concat(local.Select(f => MetadataReference.CreateFromFile(f)))
            .ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
