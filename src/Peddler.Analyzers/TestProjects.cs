using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Peddler.Analyzers;

/// <summary>
/// Which compilations are test projects, skipped by PDL001 and PDL017 unless
/// <c>peddler.PDL001.analyze_test_projects = true</c>. A project is a test project when
/// <list type="number">
/// <item>its MSBuild property <c>IsTestProject</c> is <c>true</c> (<c>build_property.IsTestProject</c>); or</item>
/// <item>it references a test framework, the test SDK, a mocking or assertion library, or the ASP.NET Core
/// test host (<see cref="TestAssemblies"/>): a web host made for tests references
/// <c>Microsoft.AspNetCore.TestHost</c> or <c>Microsoft.AspNetCore.Mvc.Testing</c>; or</item>
/// <item>the project itself says so by where it is and what it is called (<c>build_property.ProjectDir</c>,
/// else the assembly name): its folder or assembly is named <c>*.Tests*</c>, <c>*.Test</c>, <c>*.Specs</c>,
/// <c>*.Spec</c>, <c>*Tests</c>, <c>test</c> or <c>tests</c>, or its folder sits in a folder named
/// <c>test</c> or <c>tests</c> at most two levels up (<c>tests/Contoso.WebHost/</c>,
/// <c>test/Integration/Contoso.WebHost/</c>) — so a helper web host under <c>tests/</c> is a test
/// project, while a <c>tests</c> folder higher up (where a repository was cloned) is not read. An explicit
/// <c>IsTestProject = false</c> turns this third rule off.</item>
/// </list>
/// </summary>
internal static class TestProjects
{
    /// <summary>The MSBuild property that marks test projects, made visible by the package's build props.</summary>
    public const string IsTestProjectKey = "build_property.IsTestProject";

    /// <summary>The project's directory, which the .NET SDK makes visible to analyzers.</summary>
    public const string ProjectDirKey = "build_property.ProjectDir";

    /// <summary>Assemblies only test projects reference.</summary>
    internal static readonly string[] TestAssemblies =
    [
        // Test frameworks.
        "xunit.core", "xunit.v3.core", "nunit.framework", "Microsoft.VisualStudio.TestPlatform.TestFramework",
        "MSTest.TestFramework", "TUnit.Core", "Microsoft.Testing.Platform",
        // Microsoft.NET.Test.Sdk.
        "Microsoft.VisualStudio.CodeCoverage.Shim", "Microsoft.VisualStudio.TestPlatform.ObjectModel", "Microsoft.TestPlatform.CoreUtilities",
        // ASP.NET Core test hosts.
        "Microsoft.AspNetCore.TestHost", "Microsoft.AspNetCore.Mvc.Testing",
        // Mocking and assertion libraries.
        "Moq", "NSubstitute", "FakeItEasy", "FluentAssertions", "Shouldly", "AwesomeAssertions",
    ];

    /// <summary>Whether <paramref name="compilation"/> is a test project by the rules above.</summary>
    public static bool IsTestProject(AnalyzerOptions options, Compilation compilation)
    {
        AnalyzerConfigOptions global = options.AnalyzerConfigOptionsProvider.GlobalOptions;
        string? isTest = global.TryGetValue(IsTestProjectKey, out string? value) ? value?.Trim() : null;
        if (string.Equals(isTest, "true", StringComparison.OrdinalIgnoreCase) || ReferencesTestAssembly(compilation))
        {
            return true;
        }

        if (string.Equals(isTest, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string? projectDir = global.TryGetValue(ProjectDirKey, out string? dir) && !string.IsNullOrWhiteSpace(dir) ? dir : null;
        return projectDir is not null ? IsTestProjectDirectory(projectDir) : IsTestName(compilation.AssemblyName);
    }

    /// <summary>Whether the compilation references one of <see cref="TestAssemblies"/>.</summary>
    public static bool ReferencesTestAssembly(Compilation compilation)
    {
        foreach (AssemblyIdentity identity in compilation.ReferencedAssemblyNames)
        {
            foreach (string name in TestAssemblies)
            {
                if (string.Equals(identity.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a project directory is a test project's: named like one, or in a <c>test</c> /
    /// <c>tests</c> folder at most two levels up.
    /// </summary>
    public static bool IsTestProjectDirectory(string projectDir)
    {
        string[] parts = projectDir.Replace('\\', '/').TrimEnd('/').Split('/');
        int last = parts.Length - 1;
        if (last < 0 || IsTestName(parts[last]))
        {
            return last >= 0;
        }

        for (int i = last - 1; i >= 0 && i >= last - 2; i--)
        {
            if (parts[i].Equals("test", StringComparison.OrdinalIgnoreCase) || parts[i].Equals("tests", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a project or assembly name is a test project's: <c>*.Tests*</c>, <c>*.Test</c>, <c>*.Specs</c>, <c>*.Spec</c>, <c>*Tests</c>, <c>test</c>, <c>tests</c>.</summary>
    public static bool IsTestName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        string n = name!;
        return n.Equals("test", StringComparison.OrdinalIgnoreCase) || n.Equals("tests", StringComparison.OrdinalIgnoreCase)
            || n.IndexOf(".Tests", StringComparison.OrdinalIgnoreCase) >= 0
            || n.EndsWith(".Test", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith(".Specs", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith(".Spec", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith("Tests", StringComparison.Ordinal);
    }
}
