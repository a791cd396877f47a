using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Grouper.Output;
using Parquet;
using Parquet.Schema;

namespace Grouper.Batch;

/// <summary><c>report</c>: a readable summary of a run or of a night for the settlement clerk (docs/operations.md).</summary>
internal static class ReportCommand
{
    public const string Help = """
        grouper report — what a run or a night did, for the people who check it

        Usage: grouper report --run DIR [--format markdown|html] [--output FILE] [--top N]
               grouper report --dataset DIR --night YYYY-MM-DD [--format markdown|html] [--output FILE] [--top N]

          --run DIR        a run's output folder (manifest.json, rejects.csv, cases.parquet)
          --dataset DIR    a nightly dataset root, with --night: the night's manifest, rejects and case partitions
          --format F       markdown (default) or html (one self-contained page)
          --output FILE    write the report to FILE instead of stdout
          --top N          rows of the DRG and DIP group tables (default 15)

        The report has: records read / accepted / rejected, rejects by reason, warnings, money sums, payment
        methods, per-hospital totals, and the most frequent DRG and DIP groups. It reads only outputs.

        Examples:
          grouper report --run out
          grouper report --dataset /data/dataset --night 2024-07-01 --format html --output /tmp/2024-07-01.html
        """;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(Settings settings, TextWriter stdout, CancellationToken ct)
    {
        var cl = settings.CommandLine;
        var runDir = settings.ExistingDirectory("--run");
        var dataset = settings.ExistingDirectory("--dataset");
        var nightText = settings.Get("--night");
        var format = settings.GetOr("--format", "markdown");
        var outputFile = settings.Get("--output");
        var top = settings.Int("--top", 15, 1, 10_000);
        cl.RejectUnknown();
        if (format is not ("markdown" or "html"))
        {
            throw new UsageException($"setting {Settings.Describe("--format")}: expected markdown or html, got '{format}'");
        }

        string title;
        string manifestPath;
        string rejectsPath;
        List<string> caseFiles;
        if (runDir is not null && dataset is null)
        {
            title = $"Run {Path.GetFullPath(runDir)}";
            manifestPath = Path.Combine(runDir, "manifest.json");
            rejectsPath = Path.Combine(runDir, "rejects.csv");
            caseFiles = File.Exists(Path.Combine(runDir, "cases.parquet")) ? [Path.Combine(runDir, "cases.parquet")] : [];
        }
        else if (dataset is not null && runDir is null)
        {
            var night = Program.ParseDate("--night", nightText ?? throw new UsageException($"report --dataset needs the night: {Settings.Describe("--night")}"))
                .ToString("yyyy-MM-dd", Inv);
            title = $"Night {night}";
            manifestPath = Path.Combine(dataset, "nights", night, "manifest.json");
            rejectsPath = Path.Combine(dataset, "nights", night, "rejects.csv");
            caseFiles = [];
            if (File.Exists(manifestPath))
            {
                using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false));
                foreach (var p in doc.RootElement.GetProperty("partitions").EnumerateArray())
                {
                    caseFiles.Add(Path.Combine(dataset, p.GetProperty("path").GetString()!));
                }
            }
        }
        else
        {
            throw new UsageException("report needs either --run DIR or --dataset DIR --night YYYY-MM-DD");
        }

        if (!File.Exists(manifestPath))
        {
            throw new Grouper.Core.InputException(manifestPath, "no manifest: the run or night is not complete (the manifest is written last)");
        }

        var doc2 = new Report(title);
        using (var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false)))
        {
            var m = manifest.RootElement;
            long read = m.GetProperty("records_read").GetInt64(), acc = m.GetProperty("records_accepted").GetInt64(), rej = m.GetProperty("records_rejected").GetInt64();
            var summary = new List<string[]>
            {
                new[] { "records read", read.ToString("N0", Inv) },
                new[] { "accepted", acc.ToString("N0", Inv) },
                new[] { "rejected", $"{rej.ToString("N0", Inv)} ({Percent(rej, read)})" },
            };
            if (m.TryGetProperty("settlement", out var st))
            {
                summary.Add(["region", st.GetProperty("region").GetString() ?? string.Empty]);
                summary.Add(["policies", string.Join(", ", st.GetProperty("policies").EnumerateArray().Select(p => p.GetString()))]);
            }

            foreach (var cat in new[] { "drg_catalog", "dip_catalog" })
            {
                if (m.TryGetProperty(cat, out var c))
                {
                    summary.Add([cat.Replace('_', ' '), $"{c.GetProperty("name").GetString()} {c.GetProperty("version").GetString()}{(c.GetProperty("demo").GetBoolean() ? " (DEMO)" : string.Empty)}"]);
                }
            }

            doc2.Table("Summary", ["", "value"], summary);
            if (m.TryGetProperty("inputs", out var inputs))
            {
                doc2.Table("Inputs", ["file", "bytes", "sha256"], inputs.EnumerateArray().Select(i => new[]
                {
                    i.TryGetProperty("name", out var n) ? n.GetString()! : Path.GetFileName(i.GetProperty("path").GetString()!),
                    i.GetProperty("bytes").GetInt64().ToString("N0", Inv),
                    i.GetProperty("sha256").GetString()![..16] + "…",
                }).ToList());
            }

            doc2.Table("Rejects by reason (details in rejects.csv)", ["reason", "records"], m.GetProperty("rejects_by_reason").EnumerateObject()
                .OrderByDescending(p => p.Value.GetInt64()).ThenBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => new[] { p.Name, p.Value.GetInt64().ToString("N0", Inv) }).ToList());
            doc2.Table("Warnings (accepted records)", ["warning", "records"], m.GetProperty("warnings").EnumerateObject()
                .OrderByDescending(p => p.Value.GetInt64()).ThenBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => new[] { p.Name, p.Value.GetInt64().ToString("N0", Inv) }).ToList());
        }

        if (!File.Exists(rejectsPath))
        {
            doc2.Note($"rejects file {rejectsPath} is missing");
        }

        var cases = await CaseTotals.ReadAsync(caseFiles, ct).ConfigureAwait(false);
        cases.AddTo(doc2, top);
        var text = format == "html" ? doc2.ToHtml() : doc2.ToMarkdown();
        if (outputFile is null)
        {
            await stdout.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            AtomicFile.WriteAllBytes(outputFile, Encoding.UTF8.GetBytes(text));
            await stdout.WriteLineAsync($"report written to {Path.GetFullPath(outputFile)}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    internal static string Percent(long part, long whole) => whole == 0 ? "0.0%" : (part * 100m / whole).ToString("0.0", Inv) + "%";

    internal static string Yuan(decimal v) => v.ToString("N2", Inv);

    /// <summary>Money and group totals of the case files (decimal sums: exact to the fen).</summary>
    private sealed class CaseTotals
    {
        private static readonly string[] MoneyColumns =
        [
            "total_cost", "basic_fund", "critical_illness", "medical_assistance", "tilt_assistance", "patient_pays", "hospital_payment", "fund_settlement",
        ];

        private readonly Dictionary<string, decimal> _money = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, (long Cases, decimal Cost, decimal Payment, decimal Fund)> _hospitals = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Cases, decimal Payment)> _methods = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Cases, decimal Payment)> _drg = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Cases, decimal Payment)> _dip = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _caseKinds = new(StringComparer.Ordinal);
        private long _cases;

        public static async Task<CaseTotals> ReadAsync(List<string> files, CancellationToken ct)
        {
            var t = new CaseTotals();
            var options = new ParquetOptions { UseDateOnlyTypeForDates = true };
            foreach (var file in files)
            {
                await using var stream = File.OpenRead(file);
                await using var reader = await ParquetReader.CreateAsync(stream, options, false, ct).ConfigureAwait(false);
                var fields = reader.Schema.DataFields.ToDictionary(f => f.Name, StringComparer.Ordinal);
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rg = reader.OpenRowGroupReader(g);
                    var rows = (int)rg.RowCount;
                    async Task<string?[]?> Str(string name)
                    {
                        if (!fields.TryGetValue(name, out var f))
                        {
                            return null;
                        }

                        var v = new string?[rows];
                        await rg.ReadAsync(f, v.AsMemory(), null, ct).ConfigureAwait(false);
                        return v;
                    }

                    async Task<decimal[]?> Dec(string name)
                    {
                        if (!fields.TryGetValue(name, out var f) || f.ClrType != typeof(decimal) || f.IsNullable)
                        {
                            return null;
                        }

                        var v = new decimal[rows];
                        await rg.ReadAsync<decimal>(f, v.AsMemory(), null, ct).ConfigureAwait(false);
                        return v;
                    }

                    var hospital = await Str("hospital_id").ConfigureAwait(false);
                    var method = await Str("payment_method").ConfigureAwait(false);
                    var drg = await Str("drg_code").ConfigureAwait(false);
                    var dip = await Str("dip_code").ConfigureAwait(false);
                    var kind = await Str("case_kind").ConfigureAwait(false);
                    var cost = await Dec("total_cost").ConfigureAwait(false);
                    var payment = await Dec("hospital_payment").ConfigureAwait(false);
                    var fund = await Dec("basic_fund").ConfigureAwait(false);
                    foreach (var col in MoneyColumns)
                    {
                        if (await Dec(col).ConfigureAwait(false) is { } values)
                        {
                            var sum = 0m;
                            foreach (var v in values)
                            {
                                sum += v;
                            }

                            t._money[col] = t._money.GetValueOrDefault(col) + sum;
                        }
                    }

                    for (var i = 0; i < rows; i++)
                    {
                        var pay = payment?[i] ?? 0m;
                        if (hospital is not null)
                        {
                            var h = t._hospitals.GetValueOrDefault(hospital[i] ?? string.Empty);
                            t._hospitals[hospital[i] ?? string.Empty] = (h.Cases + 1, h.Cost + (cost?[i] ?? 0m), h.Payment + pay, h.Fund + (fund?[i] ?? 0m));
                        }

                        Count(t._methods, method?[i], pay);
                        if (method is null || method[i] == "DRG")
                        {
                            Count(t._drg, drg?[i], pay);
                        }

                        if (method is null || method[i] == "DIP")
                        {
                            Count(t._dip, dip?[i], pay);
                        }

                        if (kind?[i] is { Length: > 0 } k)
                        {
                            t._caseKinds[k] = t._caseKinds.GetValueOrDefault(k) + 1;
                        }
                    }

                    t._cases += rows;
                }
            }

            return t;
        }

        private static void Count(Dictionary<string, (long Cases, decimal Payment)> d, string? key, decimal payment)
        {
            if (string.IsNullOrEmpty(key))
            {
                return;
            }

            var v = d.GetValueOrDefault(key);
            d[key] = (v.Cases + 1, v.Payment + payment);
        }

        public void AddTo(Report r, int top)
        {
            if (_cases == 0)
            {
                r.Note("no accepted cases");
                return;
            }

            r.Table("Money of the accepted cases (yuan)", ["sum", "amount"], MoneyColumns.Where(_money.ContainsKey).Select(c => new[] { c, Yuan(_money[c]) }).ToList());
            r.Table("Hospital payment by method", ["method", "cases", "share", "hospital payment"], _methods
                .OrderByDescending(p => p.Value.Cases).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new[] { p.Key, p.Value.Cases.ToString("N0", Inv), Percent(p.Value.Cases, _cases), Yuan(p.Value.Payment) }).ToList());
            r.Table("Per hospital", ["hospital", "cases", "total cost", "basic fund", "hospital payment"], _hospitals
                .Select(p => new[] { p.Key, p.Value.Cases.ToString("N0", Inv), Yuan(p.Value.Cost), Yuan(p.Value.Fund), Yuan(p.Value.Payment) }).ToList());
            Groups(r, $"DRG groups (DRG-paid cases; top {top} of {_drg.Count})", _drg, top);
            Groups(r, $"DIP groups (DIP-paid cases; top {top} of {_dip.Count})", _dip, top);
            r.Table("DIP case kinds", ["case kind", "cases"], _caseKinds.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new[] { p.Key, p.Value.ToString("N0", Inv) }).ToList());
        }

        private void Groups(Report r, string title, Dictionary<string, (long Cases, decimal Payment)> d, int top)
        {
            var total = d.Values.Sum(v => v.Cases);
            r.Table(title, ["group", "cases", "share", "hospital payment", "mean per case"], d
                .OrderByDescending(p => p.Value.Cases).ThenBy(p => p.Key, StringComparer.Ordinal).Take(top)
                .Select(p => new[]
                {
                    p.Key, p.Value.Cases.ToString("N0", Inv), Percent(p.Value.Cases, total), Yuan(p.Value.Payment),
                    Yuan(Grouper.Core.Rounding.ToFen(p.Value.Payment / p.Value.Cases) / 100m),
                }).ToList());
        }
    }

    /// <summary>Headings, notes and tables rendered as Markdown or as one HTML page.</summary>
    internal sealed class Report(string title)
    {
        private readonly List<(string Title, string[] Header, List<string[]> Rows, string? Note)> _parts = [];

        public void Table(string heading, string[] header, List<string[]> rows) => _parts.Add((heading, header, rows, null));

        public void Note(string text) => _parts.Add((string.Empty, [], [], text));

        public string ToMarkdown()
        {
            var sb = new StringBuilder();
            sb.Append("# Grouper report — ").Append(title).Append("\n\n");
            foreach (var (heading, header, rows, note) in _parts)
            {
                if (note is not null)
                {
                    sb.Append("> ").Append(note).Append("\n\n");
                    continue;
                }

                sb.Append("## ").Append(heading).Append("\n\n");
                if (rows.Count == 0)
                {
                    sb.Append("(none)\n\n");
                    continue;
                }

                sb.Append("| ").AppendJoin(" | ", header).Append(" |\n|");
                for (var i = 0; i < header.Length; i++)
                {
                    sb.Append(i == 0 ? "---|" : "---:|");
                }

                sb.Append('\n');
                foreach (var row in rows)
                {
                    sb.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
                }

                sb.Append('\n');
            }

            return sb.ToString();
        }

        public string ToHtml()
        {
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Grouper report — ").Append(WebUtility.HtmlEncode(title)).Append("</title>\n")
              .Append("<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin-bottom:1.5em}")
              .Append("th,td{border:1px solid #ccc;padding:.25em .6em}td+td,th+th{text-align:right}th{background:#f3f3f3}</style></head><body>\n")
              .Append("<h1>Grouper report — ").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
            foreach (var (heading, header, rows, note) in _parts)
            {
                if (note is not null)
                {
                    sb.Append("<p><em>").Append(WebUtility.HtmlEncode(note)).Append("</em></p>\n");
                    continue;
                }

                sb.Append("<h2>").Append(WebUtility.HtmlEncode(heading)).Append("</h2>\n");
                if (rows.Count == 0)
                {
                    sb.Append("<p>(none)</p>\n");
                    continue;
                }

                sb.Append("<table><tr>");
                foreach (var h in header)
                {
                    sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
                }

                sb.Append("</tr>\n");
                foreach (var row in rows)
                {
                    sb.Append("<tr>");
                    foreach (var c in row)
                    {
                        sb.Append("<td>").Append(WebUtility.HtmlEncode(c)).Append("</td>");
                    }

                    sb.Append("</tr>\n");
                }

                sb.Append("</table>\n");
            }

            return sb.Append("</body></html>\n").ToString();
        }
    }
}
