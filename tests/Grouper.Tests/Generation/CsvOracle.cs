using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Grouper.Tests.Generation;

/// <summary>One CSV record with the physical line it starts on.</summary>
internal sealed record CsvRecord(long Line, string[] Fields, int Length);

/// <summary>
/// A deliberately simple RFC 4180 reader and a slow, obviously-written validator of records.md,
/// used as the test oracle for generated files (not the production validator).
/// </summary>
internal static partial class CsvOracle
{
    public static readonly string[] Columns =
    [
        "case_id", "hospital_id", "person_id", "insurance_type", "assistance_class", "admit_date", "discharge_date",
        "sex", "age_years", "age_days", "birth_weight_g", "admit_weight_g", "discharge_mode", "principal_dx",
        "secondary_dx", "principal_proc", "other_procs", "vent_hours", "total_cost", "policy_cost", "full_self_pay",
        "partial_self_pay", "care_location", "referral_status",
    ];

    public static List<CsvRecord> Parse(string text)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var sb = new StringBuilder();
        long line = 1;
        long start = 1;
        var recordStart = 0;
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' && sb.Length == 0)
            {
                i++;
                while (true)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (text[i] == '\n')
                    {
                        line++;
                    }

                    sb.Append(text[i++]);
                }

                continue;
            }

            if (c == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
                i++;
                continue;
            }

            if (c is '\r' or '\n')
            {
                fields.Add(sb.ToString());
                sb.Clear();
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                records.Add(new CsvRecord(start, [.. fields], i - recordStart));
                fields.Clear();
                line++;
                start = line;
                recordStart = i;
                continue;
            }

            sb.Append(c);
            i++;
        }

        if (sb.Length > 0 || fields.Count > 0)
        {
            fields.Add(sb.ToString());
            records.Add(new CsvRecord(start, [.. fields], i - recordStart));
        }

        return records;
    }

    [GeneratedRegex(@"^[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?(\+[A-Z][0-9]{2}(\.[0-9A-Za-z]*)?\*)?$")]
    private static partial Regex DxForm();

    [GeneratedRegex(@"^[0-9]{2}(\.[0-9A-Za-z]*)?$")]
    private static partial Regex ProcForm();

    [GeneratedRegex(@"^[0-9]{1,9}(\.[0-9]{1,2})?$")]
    public static partial Regex MoneyForm();

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex IntForm();

    private static readonly HashSet<string> Assistance = ["", "tekun", "orphan", "dibao", "fanpin", "dibao_edge", "yifanpin", "yinbing"];
    private static readonly HashSet<string> Referral = ["", "none", "registered", "unregistered", "emergency", "resident"];

    /// <summary>
    /// First failing reject reason (records.md order) or null, plus warnings for accepted records.
    /// <paramref name="hospitalRegion"/> maps hospital id → pooling region; <paramref name="insuredRegion"/>
    /// is the region the person belongs to (the generator puts it at the start of person_id).
    /// </summary>
    public static (string? Reject, List<string> Warnings) Validate(CsvRecord rec, IReadOnlyDictionary<string, string> hospitalRegion, HashSet<string> acceptedCases) =>
        Validate(rec, Columns, hospitalRegion, acceptedCases);

    /// <summary>As above with the file's header: columns are matched by (trimmed) name, extra columns ignored.</summary>
    public static (string? Reject, List<string> Warnings) Validate(CsvRecord rec, string[] header, IReadOnlyDictionary<string, string> hospitalRegion, HashSet<string> acceptedCases)
    {
        var warnings = new List<string>();
        if (rec.Length > 64 * 1024)
        {
            return ("LINE_TOO_LONG", warnings);
        }

        if (rec.Fields.Length != header.Length)
        {
            return ("FIELD_COUNT", warnings);
        }

        var v = rec.Fields.Select(f => f.Trim(' ')).ToArray();
        var names = header.Select(h => h.Trim(' ')).ToArray();
        string F(string name) => v[Array.IndexOf(names, name)];
        string[] required = ["case_id", "hospital_id", "person_id", "insurance_type", "admit_date", "discharge_date", "sex", "age_years", "discharge_mode", "principal_dx", "total_cost", "policy_cost", "care_location"];
        if (required.Any(r => F(r).Length == 0))
        {
            return ("MISSING_FIELD", warnings);
        }

        foreach (var (name, max) in new[] { ("case_id", 64), ("hospital_id", 32), ("person_id", 64) })
        {
            if (F(name).Length > max || F(name).Any(char.IsControl))
            {
                return ("BAD_TEXT", warnings);
            }
        }

        if (!TryDate(F("admit_date"), out var admit) || !TryDate(F("discharge_date"), out var discharge))
        {
            return ("BAD_DATE", warnings);
        }

        foreach (var (name, lo, hi, req) in new[] { ("age_years", 0L, 150L, true), ("age_days", 0L, 365L, false), ("birth_weight_g", 100L, 9999L, false), ("admit_weight_g", 100L, 99999L, false), ("vent_hours", 0L, 99999L, false) })
        {
            var s = F(name);
            if (s.Length == 0 && !req)
            {
                continue;
            }

            if (!IntForm().IsMatch(s) || s.Length > 9 || long.Parse(s, CultureInfo.InvariantCulture) is var n && (n < lo || n > hi))
            {
                return ("BAD_NUMBER", warnings);
            }
        }

        foreach (var name in new[] { "total_cost", "policy_cost", "full_self_pay", "partial_self_pay" })
        {
            var s = F(name);
            if (s.Length > 0 && !MoneyForm().IsMatch(s))
            {
                return ("BAD_NUMBER", warnings);
            }
        }

        if (F("insurance_type") is not ("310" or "390") || !Assistance.Contains(F("assistance_class")) || F("sex") is not ("1" or "2" or "9")
            || F("discharge_mode") is not ("1" or "2" or "3" or "4" or "5" or "9") || F("care_location") is not ("local" or "out_of_city" or "out_of_province")
            || !Referral.Contains(F("referral_status")))
        {
            return ("BAD_CODE", warnings);
        }

        var sdx = List(F("secondary_dx"));
        if (!DxForm().IsMatch(F("principal_dx")) || sdx.Any(c => !DxForm().IsMatch(c)))
        {
            return ("BAD_DX", warnings);
        }

        var oprocs = List(F("other_procs"));
        if ((F("principal_proc").Length > 0 && !ProcForm().IsMatch(F("principal_proc"))) || oprocs.Any(c => !ProcForm().IsMatch(c)))
        {
            return ("BAD_PROC", warnings);
        }

        if (sdx.Count > 40 || oprocs.Count > 40)
        {
            return ("TOO_MANY_CODES", warnings);
        }

        if (discharge < admit)
        {
            return ("DATE_ORDER", warnings);
        }

        decimal M(string name) => F(name).Length == 0 ? 0m : decimal.Parse(F(name), CultureInfo.InvariantCulture);
        if (M("policy_cost") > M("total_cost") || M("policy_cost") + M("full_self_pay") + M("partial_self_pay") > M("total_cost") + 0.01m)
        {
            return ("COST_SPLIT", warnings);
        }

        var ageYears = int.Parse(F("age_years"), CultureInfo.InvariantCulture);
        if (ageYears == 0 && (F("age_days").Length == 0 || (int.Parse(F("age_days"), CultureInfo.InvariantCulture) < 29 && F("birth_weight_g").Length == 0)))
        {
            return ("NEWBORN_FIELDS", warnings);
        }

        if (!hospitalRegion.TryGetValue(F("hospital_id"), out var hospitalRegionCode))
        {
            return ("UNKNOWN_HOSPITAL", warnings);
        }

        if (!acceptedCases.Add(F("case_id")))
        {
            return ("DUPLICATE_CASE", warnings);
        }

        // Warnings.
        if (sdx.Count != sdx.Distinct().Count() || oprocs.Count != oprocs.Distinct().Count())
        {
            warnings.Add("DUPLICATE_CODE");
        }

        if (sdx.Contains(F("principal_dx")))
        {
            warnings.Add("PDX_REPEATED");
        }

        if (F("principal_proc").Length == 0 && oprocs.Count > 0)
        {
            warnings.Add("PROC_PROMOTED");
        }

        if (ageYears >= 1 && F("age_days").Length > 0)
        {
            warnings.Add("AGE_DAYS_IGNORED");
        }

        var vent = F("vent_hours").Length == 0 ? 0 : int.Parse(F("vent_hours"), CultureInfo.InvariantCulture);
        var has967201 = F("principal_proc") == "96.7201" || oprocs.Contains("96.7201");
        if ((vent >= 96) != has967201)
        {
            warnings.Add("VENT_CODE_MISMATCH");
        }

        var los = Math.Max(1, discharge.DayNumber - admit.DayNumber);
        if (vent > 24 * (los + 1))
        {
            warnings.Add("VENT_EXCEEDS_STAY");
        }

        if (F("care_location") == "local" && F("referral_status") is "registered" or "unregistered")
        {
            warnings.Add("REFERRAL_IGNORED");
        }

        // The insured region is the person_id prefix (generator convention); local care means the
        // hospital is in it, out_of_city another region of the same province.
        var insured = F("person_id")[..6];
        var expected = hospitalRegionCode == insured ? "local" : hospitalRegionCode[..2] == insured[..2] ? "out_of_city" : "out_of_province";
        if (F("care_location") != expected)
        {
            warnings.Add("LOCATION_MISMATCH");
        }

        return (null, warnings);
    }

    private static List<string> List(string s) =>
        [.. s.Split(';').Select(x => x.Trim(' ')).Where(x => x.Length > 0)];

    private static bool TryDate(string s, out DateOnly d) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d);
}
