using System.Globalization;
using System.Text.Json;
using Grouper.Output;

namespace Grouper.Batch;

/// <summary><c>compare</c>: which cases changed group or amount between two runs, and by how much.</summary>
internal static class CompareCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public const string Help = """
        grouper compare — the difference of two runs (e.g. before and after a catalog or policy change)

        Usage: grouper compare --before DIR|FILE --after DIR|FILE [--out DIR]

          --before, --after   a run's output directory (its cases.parquet) or a cases.parquet file
          --out DIR           where to write compare.csv (one row per changed case, with before, after and
                              delta of each amount) and compare-summary.json (default: out-compare)

        Example:
          grouper compare --before out-2024-catalog-a --after out-2024-catalog-b --out cmp
        """;

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, CancellationToken ct)
    {
        var before = Resolve(settings, "--before");
        var after = Resolve(settings, "--after");
        var output = settings.GetOr("--out", "out-compare");
        settings.CommandLine.RejectUnknown();
        Directory.CreateDirectory(output);
        var s = await CaseComparison.CompareAsync(before, after, Path.Combine(output, "compare.csv"), ct).ConfigureAwait(false);
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new
            {
                before = Path.GetFullPath(before),
                after = Path.GetFullPath(after),
                cases_before = s.CasesBefore,
                cases_after = s.CasesAfter,
                only_before = s.OnlyBefore,
                only_after = s.OnlyAfter,
                drg_changed = s.DrgChanged,
                dip_changed = s.DipChanged,
                amount_changed = s.AmountChanged,
                money_delta = s.MoneyDelta.ToDictionary(k => k.Key, k => k.Value.ToString(CultureInfo.InvariantCulture)),
                top_drg_transitions = s.TopDrgTransitions.Select(t => new { from = t.From, to = t.To, cases = t.Cases }),
            },
            JsonOptions);
        AtomicFile.WriteAllBytes(Path.Combine(output, "compare-summary.json"), json);
        await stdout.WriteLineAsync(
            $"compared {s.CasesBefore:N0} and {s.CasesAfter:N0} cases: {s.DrgChanged:N0} changed DRG, {s.DipChanged:N0} changed DIP group, " +
            $"{s.AmountChanged:N0} changed an amount, {s.OnlyBefore:N0} only before, {s.OnlyAfter:N0} only after; " +
            $"hospital payment {s.MoneyDelta["hospital_payment"].ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture)}; details in {Path.GetFullPath(output)}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static string Resolve(Settings settings, string flag)
    {
        var v = settings.Get(flag) ?? throw new UsageException($"compare needs {flag} DIR|FILE");
        var path = Directory.Exists(v) ? Path.Combine(v, "cases.parquet") : v;
        return File.Exists(path) ? path : throw new UsageException($"setting {Settings.Describe(flag)}: no case table at '{path}'");
    }
}
