using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Package.Tests;

/// <summary>
/// What a developer meets first, from the packed feed: the dev server installed as a .NET tool, and
/// a build with one mistake that reports the PDL error first and no cascade.
/// </summary>
[Collection(PackedPackages.Name)]
public sealed class FirstMinutesTests(PackageFixture package)
{
    [Fact]
    public async Task The_dev_server_installs_as_a_dotnet_tool_and_serves_a_token()
    {
        await package.PackDevServerAsync();
        string tools = Path.Combine(package.Root, "tools");
        await DotNet.RunOrThrowAsync(package.Root, "tool", "install", "--tool-path", tools, "--add-source", package.Feed, "Peddler.DevServer", "--version", package.Version);

        var start = new ProcessStartInfo(Path.Combine(tools, OperatingSystem.IsWindows() ? "peddler-devserver.exe" : "peddler-devserver"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "--port", "0", "--client", "tool-client:fake-secret-for-tests:900001" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process server = Process.Start(start)!;
        try
        {
            Uri tokenEndpoint = await ReadTokenEndpointAsync(server);
            using var http = new HttpClient();
            using HttpResponseMessage response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "tool-client",
                ["client_secret"] = "fake-secret-for-tests",
                ["scope"] = "DEFAULT authenticated 900001",
            }));

            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("access_token").GetString()));
            Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    /// <summary>
    /// The README's "Before the packages are published" block, line by line, in a new console app:
    /// step 1 (the pack) is the fixture's (the same command, with this run's version); the other
    /// lines run as written, with the feed folder put in for <c>~/peddler-feed</c>, this run's
    /// version named, and the tool installed to a folder of the test rather than globally.
    /// </summary>
    [Fact]
    public async Task The_README_steps_before_publication_give_an_app_the_package_and_the_dev_server_tool()
    {
        string[] lines = DocumentationBlock("before-publication")
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToArray();
        Assert.Equal("dotnet pack -c Release -o ~/peddler-feed", lines[0]);
        Assert.Collection(
            lines[1..],
            line => Assert.Equal("dotnet new nugetconfig", line),
            line => Assert.Equal("dotnet nuget add source ~/peddler-feed --name peddler-local --configfile nuget.config", line),
            line => Assert.Equal("dotnet add package Peddler.Generators", line),
            line => Assert.Equal("dotnet tool install --global Peddler.DevServer --add-source ~/peddler-feed", line));
        await package.PackDevServerAsync();

        string app = Path.Combine(package.Root, "before-publication-app");
        await DotNet.RunOrThrowAsync(package.Root, "new", "console", "-o", app, "--framework", "net10.0");
        string tools = Path.Combine(package.Root, "before-publication-tools");
        foreach (string line in lines[1..])
        {
            string command = line.Replace("~/peddler-feed", package.Feed, StringComparison.Ordinal);
            if (command.StartsWith("dotnet add package ", StringComparison.Ordinal))
            {
                command += " --version " + package.Version;
            }
            else if (command.StartsWith("dotnet tool install ", StringComparison.Ordinal))
            {
                command = command.Replace("--global", "--tool-path " + tools, StringComparison.Ordinal) + " --version " + package.Version;
            }

            await DotNet.RunOrThrowAsync(app, command.Split(' ')[1..]);
        }

        // The app builds with the generator from the local feed, and the tool is there to run.
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Peddler;

            Console.WriteLine(CarrierTokens.Descriptor.Scopes);

            [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
            public partial class CarrierTokens;
            """);
        await DotNet.RunOrThrowAsync(app, "build", "-c", "Release", "-nologo");
        Assert.Contains("<add key=\"peddler-local\"", File.ReadAllText(Path.Combine(app, "nuget.config")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(tools, OperatingSystem.IsWindows() ? "peddler-devserver.exe" : "peddler-devserver")));
    }

    /// <summary>The lines of the README's shell block marked <c>&lt;!-- test: name --&gt;</c>.</summary>
    private static IEnumerable<string> DocumentationBlock(string name)
    {
        string[] readme = File.ReadAllLines(Path.Combine(DotNet.RepoRoot, "README.md"));
        int marker = Array.IndexOf(readme, $"<!-- test: {name} -->");
        Assert.True(marker >= 0, $"README.md has no block marked 'test: {name}'");
        Assert.Equal("```sh", readme[marker + 1]);
        return readme.Skip(marker + 2).TakeWhile(line => line != "```").Select(line => line.Trim());
    }

    [Fact]
    public async Task One_attribute_mistake_fails_the_build_with_exactly_one_error_the_PDL_one()
    {
        string consumer = WriteConsumer("one-mistake", """[PeddlerClient(Environment = "dev", Scopes = "DEFAULT authenticated 900001")] public partial class CarrierTokens;""");

        string[] errors = await BuildErrorsAsync(consumer);

        string only = Assert.Single(errors);
        Assert.Contains("error PDL009", only, StringComparison.Ordinal);
        Assert.Contains("Clients.cs(3,", only, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_class_that_is_not_partial_fails_the_build_with_the_PDL_error_first_and_no_cascade()
    {
        string consumer = WriteConsumer("not-partial", """[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")] public class CarrierTokens { }""");

        string[] errors = await BuildErrorsAsync(consumer);

        Assert.True(errors.Length > 0);
        Assert.Contains("error PDL012", errors[0], StringComparison.Ordinal);
        Assert.Contains("Clients.cs(3,", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain(errors, e => e.Contains("Program.cs", StringComparison.Ordinal));
    }

    /// <summary>The distinct error lines of a build, in the order it printed them.</summary>
    private static async Task<string[]> BuildErrorsAsync(string project)
    {
        (int exitCode, string output) = await DotNet.RunAsync(project, ["build", "-c", "Release", "-nologo"]);
        Assert.NotEqual(0, exitCode);
        return output.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Contains(": error ", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static async Task<Uri> ReadTokenEndpointAsync(Process server)
    {
        Task<string?> timeout = Task.Delay(TimeSpan.FromMinutes(2)).ContinueWith(_ => (string?)null, TaskScheduler.Default);
        while (true)
        {
            Task<string?> read = server.StandardOutput.ReadLineAsync();
            string? line = await await Task.WhenAny(read, timeout);
            if (line is null)
            {
                throw new InvalidOperationException("The dev server printed no token endpoint: " + await server.StandardError.ReadToEndAsync());
            }

            const string Prefix = "Token endpoint:";
            if (line.TrimStart().StartsWith(Prefix, StringComparison.Ordinal))
            {
                return new Uri(line.TrimStart()[Prefix.Length..].Trim());
            }
        }
    }

    private string WriteConsumer(string name, string client)
    {
        string dir = Path.Combine(package.Root, name);
        Directory.CreateDirectory(dir);
        package.WriteNuGetConfig(dir);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Peddler.Generators" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Clients.cs"), "using Peddler;\n\n" + client + "\n");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using Peddler;

            using var http = new HttpClient();
            var tokens = new CarrierTokens(http, new PeddlerClientOptions
            {
                ClientId = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_ID"),
                ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET"),
            });
            PeddlerAccessToken token = await tokens.GetTokenAsync();
            tokens.InvalidateToken(token);
            Console.WriteLine($"{CarrierTokens.Descriptor} {CarrierTokens.TokenEndpoint} {CarrierTokens.Scopes} {tokens.EffectiveTokenEndpoint}");
            """);
        return dir;
    }
}
