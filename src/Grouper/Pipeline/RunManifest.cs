using System.Text.Json;
using Grouper.Core;
using Grouper.Ingest;
using Grouper.Output;

namespace Grouper.Pipeline;

/// <summary>A file the run read or wrote, with its SHA-256 and size.</summary>
public sealed record FileFingerprint(string Role, string Path, string Sha256, long Bytes);

/// <summary>Money sums of the accepted records, integer fen.</summary>
public sealed class MoneySums
{
    public long TotalCost { get; set; }

    public long PolicyCost { get; set; }

    public long FullSelfPay { get; set; }

    public long PartialSelfPay { get; set; }

    public long OverLimitSelfPay { get; set; }

    public void Add(in DischargeRecord r)
    {
        TotalCost += r.TotalCostFen;
        PolicyCost += r.PolicyCostFen;
        FullSelfPay += r.FullSelfPayFen;
        PartialSelfPay += r.PartialSelfPayFen;
        OverLimitSelfPay += r.OverLimitSelfPayFen;
    }
}

/// <summary>
/// Everything manifest.json says about a run: inputs and outputs with hashes, counts that reconcile
/// (<c>records_read = records_accepted + records_rejected</c>), counts per reject reason and
/// warning, money sums, versions, timings. Written last: its presence marks a complete run.
/// </summary>
public sealed class RunManifest
{
    public string ProgramVersion { get; set; } = typeof(RunManifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public string Command { get; set; } = "run";

    public DateTimeOffset StartedUtc { get; set; }

    public DateTimeOffset FinishedUtc { get; set; }

    public List<FileFingerprint> Inputs { get; } = [];

    public List<FileFingerprint> Outputs { get; } = [];

    public long RecordsRead { get; set; }

    public long RecordsAccepted { get; set; }

    public long RecordsRejected { get; set; }

    public long BlankLinesSkipped { get; set; }

    public SortedDictionary<string, long> RejectsByReason { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> Warnings { get; } = new(StringComparer.Ordinal);

    public MoneySums AcceptedMoney { get; } = new();

    /// <summary>Further sections written by later stages (catalog and policy versions, stage counts, invariants).</summary>
    public SortedDictionary<string, object> Sections { get; } = new(StringComparer.Ordinal);

    public bool Reconciles => RecordsRead == RecordsAccepted + RecordsRejected;

    public double RecordsPerSecond
    {
        get
        {
            var s = (FinishedUtc - StartedUtc).TotalSeconds;
            return s > 0 ? Math.Round(RecordsRead / s, 1) : 0;
        }
    }

    public void CountWarnings(RecordWarnings w)
    {
        if (w == RecordWarnings.None)
        {
            return;
        }

        foreach (var (flag, name) in CodeNames.WarningNames)
        {
            if ((w & flag) != 0)
            {
                Warnings[name] = Warnings.GetValueOrDefault(name) + 1;
            }
        }
    }

    public byte[] ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("program", "grouper");
            w.WriteString("program_version", ProgramVersion);
            w.WriteString("command", Command);
            w.WriteString("started_utc", StartedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("finished_utc", FinishedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("elapsed_seconds", Math.Round((FinishedUtc - StartedUtc).TotalSeconds, 3));
            w.WriteNumber("records_per_second", RecordsPerSecond);
            WriteFiles(w, "inputs", Inputs);
            w.WriteNumber("records_read", RecordsRead);
            w.WriteNumber("records_accepted", RecordsAccepted);
            w.WriteNumber("records_rejected", RecordsRejected);
            w.WriteBoolean("reconciles", Reconciles);
            w.WriteNumber("blank_lines_skipped", BlankLinesSkipped);
            w.WriteStartObject("rejects_by_reason");
            foreach (var (k, v) in RejectsByReason)
            {
                w.WriteNumber(k, v);
            }

            w.WriteEndObject();
            w.WriteStartObject("warnings");
            foreach (var (k, v) in Warnings)
            {
                w.WriteNumber(k, v);
            }

            w.WriteEndObject();
            w.WriteStartObject("accepted_money");
            WriteMoney(w, "total_cost", AcceptedMoney.TotalCost);
            WriteMoney(w, "policy_cost", AcceptedMoney.PolicyCost);
            WriteMoney(w, "full_self_pay", AcceptedMoney.FullSelfPay);
            WriteMoney(w, "partial_self_pay", AcceptedMoney.PartialSelfPay);
            WriteMoney(w, "over_limit_self_pay", AcceptedMoney.OverLimitSelfPay);
            w.WriteEndObject();
            foreach (var (k, v) in Sections)
            {
                w.WritePropertyName(k);
                JsonSerializer.Serialize(w, v, v.GetType(), ManifestJson.Options);
            }

            WriteFiles(w, "outputs", Outputs);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    /// <summary>Money as a JSON string with exactly two decimals (never a binary float).</summary>
    internal static void WriteMoney(Utf8JsonWriter w, string name, long fen) => w.WriteString(name, Money.Format(fen));

    private static void WriteFiles(Utf8JsonWriter w, string name, List<FileFingerprint> files)
    {
        w.WriteStartArray(name);
        foreach (var f in files)
        {
            w.WriteStartObject();
            w.WriteString("role", f.Role);
            w.WriteString("path", f.Path);
            w.WriteString("sha256", f.Sha256);
            w.WriteNumber("bytes", f.Bytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public void Write(string path) => AtomicFile.WriteAllBytes(path, ToJson());
}

internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
