using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>What changed between two runs' case tables, for an analyst checking a catalog or policy change.</summary>
public sealed record ComparisonSummary(
    long CasesBefore,
    long CasesAfter,
    long OnlyBefore,
    long OnlyAfter,
    long DrgChanged,
    long DipChanged,
    long AmountChanged,
    IReadOnlyDictionary<string, decimal> MoneyDelta,
    IReadOnlyList<(string From, string To, long Cases)> TopDrgTransitions);

/// <summary>
/// Joins two cases.parquet files by case_id and writes <c>compare.csv</c> (one row per case whose DRG,
/// DIP group or any amount changed, or that is in only one run; case_id order) and returns a summary.
/// </summary>
public static class CaseComparison
{
    private static readonly string[] Amounts = ["dip_points", "hospital_payment", "fund_settlement", "basic_fund", "critical_illness", "medical_assistance", "patient_pays"];

    private sealed record Row(string? Drg, string? Dip, decimal?[] Amounts);

    public static async Task<ComparisonSummary> CompareAsync(string beforePath, string afterPath, string csvPath, CancellationToken ct = default)
    {
        var before = await ReadAsync(beforePath, ct).ConfigureAwait(false);
        var after = await ReadAsync(afterPath, ct).ConfigureAwait(false);
        var ids = new SortedSet<string>(before.Keys, StringComparer.Ordinal);
        ids.UnionWith(after.Keys);
        long onlyBefore = 0, onlyAfter = 0, drgChanged = 0, dipChanged = 0, amountChanged = 0;
        var delta = new decimal[Amounts.Length];
        var transitions = new Dictionary<(string, string), long>();
        using var file = new AtomicFile(csvPath);
        using (var w = new StreamWriter(file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
        {
            w.Write("case_id,change,drg_before,drg_after,dip_before,dip_after");
            foreach (var a in Amounts)
            {
                w.Write($",{a}_before,{a}_after,{a}_delta");
            }

            w.WriteLine();
            foreach (var id in ids)
            {
                before.TryGetValue(id, out var b);
                after.TryGetValue(id, out var a);
                var changes = new List<string>();
                if (b is null)
                {
                    onlyAfter++;
                    changes.Add("only_after");
                }
                else if (a is null)
                {
                    onlyBefore++;
                    changes.Add("only_before");
                }
                else
                {
                    if (b.Drg != a.Drg)
                    {
                        drgChanged++;
                        changes.Add("drg");
                        var key = (b.Drg ?? string.Empty, a.Drg ?? string.Empty);
                        transitions[key] = transitions.GetValueOrDefault(key) + 1;
                    }

                    if (b.Dip != a.Dip)
                    {
                        dipChanged++;
                        changes.Add("dip");
                    }

                    var moneyChanged = false;
                    for (var i = 0; i < Amounts.Length; i++)
                    {
                        if (b.Amounts[i] != a.Amounts[i])
                        {
                            moneyChanged = true;
                            delta[i] += (a.Amounts[i] ?? 0m) - (b.Amounts[i] ?? 0m);
                        }
                    }

                    if (moneyChanged)
                    {
                        amountChanged++;
                        changes.Add("amount");
                    }
                }

                if (changes.Count == 0)
                {
                    continue;
                }

                w.Write($"{Csv(id)},{string.Join(';', changes)},{Csv(b?.Drg)},{Csv(a?.Drg)},{Csv(b?.Dip)},{Csv(a?.Dip)}");
                for (var i = 0; i < Amounts.Length; i++)
                {
                    var x = b?.Amounts[i];
                    var y = a?.Amounts[i];
                    w.Write($",{Num(x)},{Num(y)},{(x is null || y is null ? string.Empty : Num(y - x))}");
                }

                w.WriteLine();
            }
        }

        file.Commit();
        var money = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        for (var i = 0; i < Amounts.Length; i++)
        {
            money[Amounts[i]] = delta[i];
        }

        var top = transitions.OrderByDescending(t => t.Value).ThenBy(t => t.Key.Item1, StringComparer.Ordinal).ThenBy(t => t.Key.Item2, StringComparer.Ordinal)
            .Take(20).Select(t => (t.Key.Item1, t.Key.Item2, t.Value)).ToList();
        return new ComparisonSummary(before.Count, after.Count, onlyBefore, onlyAfter, drgChanged, dipChanged, amountChanged, money, top);
    }

    private static string Csv(string? s) => s is null ? string.Empty : s.AsSpan().IndexOfAny(",\"\n") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Num(decimal? d) => d?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    private static async Task<Dictionary<string, Row>> ReadAsync(string path, CancellationToken ct)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        await using var reader = await ParquetReader.CreateAsync(path, new ParquetOptions { UseDateOnlyTypeForDates = true }, ct).ConfigureAwait(false);
        var fields = reader.Schema.DataFields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        if (!fields.TryGetValue("case_id", out var idField))
        {
            throw new Core.InputException(path, "not a Grouper case table: no case_id column");
        }

        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var n = (int)rg.RowCount;
            var ids = await Strings(rg, idField, n, ct).ConfigureAwait(false);
            var drg = fields.TryGetValue("drg_code", out var df) ? await Strings(rg, df, n, ct).ConfigureAwait(false) : null;
            var dip = fields.TryGetValue("dip_code", out var pf) ? await Strings(rg, pf, n, ct).ConfigureAwait(false) : null;
            var amounts = new decimal?[Amounts.Length][];
            for (var a = 0; a < Amounts.Length; a++)
            {
                amounts[a] = fields.TryGetValue(Amounts[a], out var af) ? await Decimals(rg, af, n, ct).ConfigureAwait(false) : new decimal?[n];
            }

            for (var i = 0; i < n; i++)
            {
                var values = new decimal?[Amounts.Length];
                for (var a = 0; a < Amounts.Length; a++)
                {
                    values[a] = amounts[a][i];
                }

                rows[ids[i] ?? string.Empty] = new Row(drg?[i], dip?[i], values);
            }
        }

        return rows;
    }

    private static async Task<string?[]> Strings(ParquetRowGroupReader rg, DataField f, int n, CancellationToken ct)
    {
        var v = new string?[n];
        await rg.ReadAsync(f, v.AsMemory(), null, ct).ConfigureAwait(false);
        return v;
    }

    private static async Task<decimal?[]> Decimals(ParquetRowGroupReader rg, DataField f, int n, CancellationToken ct)
    {
        if (f.IsNullable)
        {
            var nv = new decimal?[n];
            await rg.ReadAsync<decimal>(f, nv.AsMemory(), null, ct).ConfigureAwait(false);
            return nv;
        }

        var v = new decimal[n];
        await rg.ReadAsync<decimal>(f, v.AsMemory(), null, ct).ConfigureAwait(false);
        return [.. v.Select(x => (decimal?)x)];
    }
}
