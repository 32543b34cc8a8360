namespace PoolAnalyzers;

/// <summary>Builds the documentation address of a rule.</summary>
internal static class HelpLinks
{
    private const string RulesRoot = "https://github.com/pooltools/PoolAnalyzers/blob/main/docs/rules/";

    /// <summary>The page <c>docs/rules/{id}.md</c> of the repository.</summary>
    public static string For(string id) => RulesRoot + id + ".md";
}
