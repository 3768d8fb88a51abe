using System.IO;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// Which projects PDL001 skips by default as test projects: by the IsTestProject property, by what the
/// project references, and by the project's own folder and name — a helper web host under <c>tests/</c>
/// is a test project, a <c>tests</c> folder above the repository is not read.
/// </summary>
public class TestProjectDetectionTests
{
    private static readonly string Secret = Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = "Zk9QmpR8x" };""");

    private static readonly string ReportedSecret = Sources.InMethod("""var o = new PeddlerClientOptions { ClientSecret = {|PDL001:"Zk9QmpR8x"|} };""");

    private static string Global(string projectDir, string extra = "") =>
        "is_global = true\nbuild_property.ProjectDir = " + projectDir + "\n" + extra;

    [Theory]
    [InlineData("/repo/tests/Contoso.WebHost/")]
    [InlineData("/repo/test/Integration/Contoso.WebHost/")]
    [InlineData("/repo/src/Contoso.Api.Tests/")]
    [InlineData("/repo/src/Contoso.Api.Tests.Common/")]
    [InlineData("/repo/src/Contoso.Api.Test/")]
    [InlineData("/repo/src/Contoso.Api.Specs/")]
    [InlineData("/repo/IntegrationTests/")]
    [InlineData(@"C:\repo\tests\Contoso.WebHost\")]
    public Task A_project_in_a_test_folder_or_named_for_tests_is_skipped(string projectDir) =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(Secret, Global(projectDir));

    [Theory]
    [InlineData("/repo/src/Contoso.Api/")]
    [InlineData("/repo/src/Contoso.Testing/")]
    [InlineData("/home/me/tests/repo/src/Contoso.Api/")]
    [InlineData("/repo/src/Contoso.Contests/")]
    [InlineData("/tmp/peddler-package-tests-1a2b/Consumer/")]
    public Task Other_projects_are_analysed(string projectDir) =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(ReportedSecret, Global(projectDir));

    [Fact]
    public Task A_project_under_tests_that_says_it_is_no_test_project_is_analysed() =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(ReportedSecret, Global("/repo/tests/Contoso.WebHost/", "build_property.IsTestProject = false\n"));

    [Fact]
    public Task A_project_under_tests_is_analysed_when_asked() =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(ReportedSecret, Global("/repo/tests/Contoso.WebHost/", "peddler.PDL001.analyze_test_projects = true\n"));

    [Theory]
    [InlineData("Microsoft.AspNetCore.TestHost")]
    [InlineData("Microsoft.AspNetCore.Mvc.Testing")]
    [InlineData("Moq")]
    [InlineData("nunit.framework")]
    [InlineData("Microsoft.VisualStudio.CodeCoverage.Shim")]
    public Task A_project_referencing_test_libraries_is_skipped_wherever_it_is(string assembly) =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(Secret, Global("/repo/src/Contoso.WebHost/"), [Assembly(assembly)]);

    [Fact]
    public Task A_project_referencing_other_libraries_is_analysed() =>
        Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(ReportedSecret, Global("/repo/src/Contoso.WebHost/"), [Assembly("Contoso.Tools")]);

    [Fact]
    public Task PDL017_skips_the_same_projects() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/repo/tests/Contoso.WebHost/appsettings.json", """{ "ClientSecret": "Zk9QmpR8x" }""")],
        Global("/repo/tests/Contoso.WebHost/"));

    [Fact]
    public Task PDL017_reads_the_same_file_outside_tests() => Verify.AdditionalFilesAsync<ConfigurationSecretAnalyzer>(
        [("/repo/src/Contoso.WebHost/appsettings.json", """{ "ClientSecret": "Zk9QmpR8x" }""")],
        Global("/repo/src/Contoso.WebHost/"),
        new DiagnosticResult(DiagnosticDescriptors.ConfigurationFileSecret)
            .WithSpan("/repo/src/Contoso.WebHost/appsettings.json", 1, 19, 1, 30)
            .WithArguments("ClientSecret"));

    [Theory]
    [InlineData("Contoso.Api.Tests", true)]
    [InlineData("Contoso.UnitTests", true)]
    [InlineData("Contoso.Api.Spec", true)]
    [InlineData("tests", true)]
    [InlineData("Contoso.Testing", false)]
    [InlineData("Contoso.Api", false)]
    [InlineData("Contoso.Requests", false)]
    [InlineData(null, false)]
    public void Test_names(string? name, bool expected) => Assert.Equal(expected, TestProjects.IsTestName(name));

    private static PortableExecutableReference Assembly(string name)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText("namespace N { public class C { } }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Assert.True(compilation.Emit(image).Success);
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
