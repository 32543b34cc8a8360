using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// Fix All for fixers whose one-by-one fix and Fix All share one document-level routine. Edits go
/// through one <c>DocumentEditor</c> per document, so nested fixes (a call inside a call's argument)
/// compose instead of conflicting the way merged text changes can. The routine is told the
/// equivalence key Fix All was started with, so a fixer with several actions applies the chosen one.
/// </summary>
internal static class FixAllProviders
{
    public static FixAllProvider ForDocuments(Func<Document, IReadOnlyList<Diagnostic>, string?, CancellationToken, Task<Document>> fixDocumentAsync)
        => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            if (diagnostics.IsDefaultOrEmpty)
            {
                return document;
            }

            return await fixDocumentAsync(document, diagnostics, context.CodeActionEquivalenceKey, context.CancellationToken).ConfigureAwait(false);
        });
}
