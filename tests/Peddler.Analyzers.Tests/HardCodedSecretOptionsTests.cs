using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>The documented .editorconfig keys of PDL001 and test-project detection.</summary>
public class HardCodedSecretOptionsTests
{
    private const string ExtraSinks = """
        var apiPassword = "Zk9QmpR8x";
        Connect(privateToken: "Yq8PloQ7w");
        """;

    private const string ExtraSinksMembers = "    static void Connect(string privateToken) { }";

    [Fact]
    public Task Additional_sink_names_are_off_by_default() =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(Sources.InMethod(ExtraSinks, ExtraSinksMembers));

    [Fact]
    public Task Additional_sink_names_add_sinks() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""
            var apiPassword = {|PDL001:"Zk9QmpR8x"|};
            Connect(privateToken: {|PDL001:"Yq8PloQ7w"|});
            var form = new Dictionary<string, string> { ["api_password"] = {|PDL001:"Xw7OknP6v"|} };
            """, ExtraSinksMembers),
        """
        root = true

        [*.cs]
        peddler.PDL001.additional_sink_names = ApiPassword, private_token
        """);

    [Fact]
    public Task Additional_placeholder_patterns_silence_matching_values() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""
            var o = new PeddlerClientOptions { ClientSecret = "dev-local-only" };
            var p = new PeddlerClientOptions { ClientSecret = "PROVIDED_BY_PIPELINE" };
            var q = new PeddlerClientOptions { ClientSecret = {|PDL001:"Zk9QmpR8x"|} };
            """),
        """
        root = true

        [*.cs]
        peddler.PDL001.additional_placeholder_patterns = ^dev-, ^PROVIDED_BY_[A-Z]+$, [invalid(regex
        """);

    [Fact]
    public Task Placeholder_patterns_are_needed_for_the_values_above() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""
            var o = new PeddlerClientOptions { ClientSecret = {|PDL001:"dev-local-only"|} };
            var p = new PeddlerClientOptions { ClientSecret = {|PDL001:"PROVIDED_BY_PIPELINE"|} };
            """));

    [Fact]
    public Task Test_projects_are_skipped_by_default() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "Zk9QmpR8x" };"""),
        """
        is_global = true
        build_property.IsTestProject = true
        """);

    [Fact]
    public Task Test_projects_are_analysed_when_asked() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = {|PDL001:"Zk9QmpR8x"|} };"""),
        """
        is_global = true
        build_property.IsTestProject = true
        peddler.PDL001.analyze_test_projects = true
        """);

    [Fact]
    public Task A_project_referencing_a_test_framework_is_a_test_project() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "Zk9QmpR8x" };"""),
        null,
        [MetadataReference.CreateFromFile(typeof(FactAttribute).Assembly.Location)]);

    [Fact]
    public Task A_non_test_project_is_analysed() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = {|PDL001:"Zk9QmpR8x"|} };"""),
        """
        is_global = true
        build_property.IsTestProject = false
        """);

    [Fact]
    public Task Pragma_suppresses() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        Sources.InMethod("""
            #pragma warning disable PDL001 // Local emulator credentials, not a real secret.
            var o = new PeddlerClientOptions { ClientSecret = "Zk9QmpR8x" };
            #pragma warning restore PDL001
            """));
}
