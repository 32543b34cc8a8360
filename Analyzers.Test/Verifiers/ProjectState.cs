using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// The sources of one project, as markup. <c>Add(source)</c> names a source after the project's
/// prefix (<c>/0/Test0.cs</c>, <c>/0/Test1.cs</c>, … for the test project); <c>Add((fileName, source))</c>
/// names it explicitly.
/// </summary>
public sealed class SourceFileList : IEnumerable<(string FileName, string Source)>
{
    private readonly List<(string FileName, string Source)> _sources = [];
    private readonly string _defaultPrefix;

    internal SourceFileList(string defaultPrefix) => _defaultPrefix = defaultPrefix;

    /// <summary>The number of sources.</summary>
    public int Count => _sources.Count;

    /// <summary>The source at <paramref name="index"/>.</summary>
    public (string FileName, string Source) this[int index]
    {
        get => _sources[index];
        set => _sources[index] = value;
    }

    /// <summary>Adds a source under the next default file name.</summary>
    public void Add(string source) =>
        _sources.Add((_defaultPrefix + _sources.Count.ToString(CultureInfo.InvariantCulture) + ".cs", source));

    /// <summary>Adds a source under an explicit file name.</summary>
    public void Add((string FileName, string Source) file) => _sources.Add(file);

    /// <summary>Removes every source.</summary>
    public void Clear() => _sources.Clear();

    /// <inheritdoc/>
    public IEnumerator<(string FileName, string Source)> GetEnumerator() => _sources.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>One project of a test: its name and its sources.</summary>
public class ProjectState
{
    /// <summary>Creates a project whose default source names are <c>/<paramref name="name"/>/Test0.cs</c>, ….</summary>
    public ProjectState(string name)
        : this(name, "/" + name + "/Test")
    {
    }

    internal ProjectState(string name, string defaultPrefix)
    {
        Name = name;
        Sources = new SourceFileList(defaultPrefix);
    }

    /// <summary>The project (and assembly) name.</summary>
    public string Name { get; }

    /// <summary>The project's sources, as markup.</summary>
    public SourceFileList Sources { get; }

    /// <summary>What the project compiles to; a library unless set (top-level statements need <see cref="OutputKind.ConsoleApplication"/>).</summary>
    public OutputKind OutputKind { get; set; } = OutputKind.DynamicallyLinkedLibrary;
}

/// <summary>
/// The projects of a test (the primary one plus <see cref="AdditionalProjects"/>) and the
/// diagnostics expected beyond those marked in the sources.
/// </summary>
/// <remarks>
/// Every additional project references the primary project, so a second project can call code
/// of the first; all of them reference the framework and (unless disabled) the runtime.
/// Solution-scope Fix All therefore has several projects to cover.
/// </remarks>
public sealed class SolutionState : ProjectState
{
    internal SolutionState(string name, string defaultPrefix)
        : base(name, defaultPrefix)
    {
    }

    /// <summary>Expected diagnostics in addition to the markup ones.</summary>
    public List<DiagnosticResult> ExpectedDiagnostics { get; } = [];

    /// <summary>Further projects, by name; indexing an unknown name creates it.</summary>
    public ProjectCollection AdditionalProjects { get; } = new();

    internal bool HasSources
    {
        get
        {
            if (Sources.Count > 0)
            {
                return true;
            }

            foreach (var project in AdditionalProjects)
            {
                if (project.Sources.Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>Additional projects by name, in the order they were first named.</summary>
public sealed class ProjectCollection : IEnumerable<ProjectState>
{
    private readonly List<ProjectState> _projects = [];

    /// <summary>The number of projects.</summary>
    public int Count => _projects.Count;

    /// <summary>The project named <paramref name="name"/>, created empty if it does not exist yet.</summary>
    public ProjectState this[string name]
    {
        get
        {
            var existing = Find(name);
            if (existing is not null)
            {
                return existing;
            }

            var created = new ProjectState(name);
            _projects.Add(created);
            return created;
        }
    }

    /// <summary>Adds a project built beforehand.</summary>
    public void Add(ProjectState project)
    {
        if (Find(project.Name) is not null)
        {
            throw new System.ArgumentException($"A project named '{project.Name}' already exists.", nameof(project));
        }

        _projects.Add(project);
    }

    internal ProjectState? Find(string name) => _projects.Find(p => p.Name == name);

    /// <inheritdoc/>
    public IEnumerator<ProjectState> GetEnumerator() => _projects.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
