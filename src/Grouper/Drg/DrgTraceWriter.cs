using System.Text;
using Grouper.Ingest;

namespace Grouper.Drg;

/// <summary>One rule step of a case's grouping trace (分组路径): its 1-based number, the rule and what it decided.</summary>
public readonly record struct DrgTraceStep(int Step, string Rule, string Detail)
{
    /// <summary>
    /// Splits a <see cref="DrgGrouper.GroupWithTrace"/> line at its first <c>": "</c>: the label is the
    /// rule (<c>step 6</c>, <c>normalise</c>, or <c>ADRG ES3 [PDX]</c> for an ADRG tried), the rest the detail.
    /// </summary>
    public static DrgTraceStep FromLine(int step, string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var adrg = line.StartsWith("  ", StringComparison.Ordinal); // ADRG trials are indented under their step
        var text = line.Trim();
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        var rule = colon < 0 ? "note" : text[..colon];
        var detail = colon < 0 ? text : text[(colon + 2)..];
        return new DrgTraceStep(step, adrg ? "ADRG " + rule : rule, detail);
    }
}

/// <summary>
/// Writes the grouping trace of a discharges file (<c>--trace FILE</c>): every record that passes
/// validation, in input order, grouped on the slow trace path. CSV, header
/// <c>case_id,step,rule,detail</c>, one row per rule step (format in docs/drg.md). A separate
/// sequential pass over the input, so the batch's hot path is untouched when no trace is asked for.
/// </summary>
public static class DrgTraceWriter
{
    public const string Header = "case_id,step,rule,detail";

    /// <summary>Writes the trace to <paramref name="tracePath"/> (atomically: a temporary file renamed when complete). Returns the number of cases traced.</summary>
    public static async Task<long> WriteAsync(DrgGrouper grouper, string dischargesPath, HospitalTable hospitals, ValidationOptions validation, string tracePath, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(grouper);
        ArgumentNullException.ThrowIfNull(tracePath);
        var full = Path.GetFullPath(tracePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        long cases = 0;
        try
        {
            await using (var reader = await DischargeReader.OpenAsync(dischargesPath, validation, ct).ConfigureAwait(false))
            await using (var output = new StreamWriter(tmp, false, new UTF8Encoding(false), 1 << 16))
            {
                output.NewLine = "\n";
                await output.WriteLineAsync(Header).ConfigureAwait(false);
                var parser = new DischargeRecordParser(reader.Header, hospitals, validation);
                var batch = new DischargeBatch();
                var lines = new List<string>();
                var row = new StringBuilder();
                await reader.ReadAllAsync(
                    parser,
                    () =>
                    {
                        batch.Clear();
                        return batch;
                    },
                    async b =>
                    {
                        ct.ThrowIfCancellationRequested();
                        for (var i = 0; i < b.Count; i++)
                        {
                            var caseId = b.StringOf(b.Records[i].CaseId);
                            lines.Clear();
                            Trace(grouper, b, i, lines);
                            for (var s = 0; s < lines.Count; s++)
                            {
                                var step = DrgTraceStep.FromLine(s + 1, lines[s]);
                                row.Clear();
                                AppendField(row, caseId).Append(',').Append(step.Step).Append(',');
                                AppendField(row, step.Rule).Append(',');
                                AppendField(row, step.Detail);
                                await output.WriteLineAsync(row).ConfigureAwait(false);
                            }

                            cases++;
                        }
                    },
                    ct).ConfigureAwait(false);
            }

            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }

        return cases;
    }

    private static void Trace(DrgGrouper grouper, DischargeBatch b, int i, List<string> lines)
    {
        ref readonly var r = ref b.Records[i];
        var input = new DrgInput(r.Sex, r.AgeYears, r.AgeDays, r.BirthWeightGrams, r.PrincipalDx, b.SecondaryDx(in r), r.PrincipalProc, b.OtherProcs(in r));
        grouper.GroupWithTrace(in input, out var result, lines);
        lines.Add("result: " + grouper.Catalog.DrgCode(result.Drg) + " " + DrgReasons.Name(result.Reason));
    }

    /// <summary>RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.</summary>
    private static StringBuilder AppendField(StringBuilder sb, string f) =>
        f.AsSpan().IndexOfAny(",\"\r\n") < 0 ? sb.Append(f) : sb.Append('"').Append(f.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
}
