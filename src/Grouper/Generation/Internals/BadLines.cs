using System.Globalization;
using System.Text;
using Grouper.Core;
using W = Grouper.Generation.Internals.RecordWriter;

namespace Grouper.Generation.Internals;

/// <summary>What a generated line is meant to trigger. Rejects in validation order, then warnings.</summary>
internal enum LineKind : byte
{
    Clean,
    LineTooLong,
    FieldCount,
    MissingField,
    BadText,
    BadDate,
    BadNumber,
    BadCode,
    BadDx,
    BadProc,
    TooManyCodes,
    DateOrder,
    CostSplit,
    NewbornFields,
    UnknownHospital,
    DuplicateCase,
    DuplicateCode,
    PdxRepeated,
    ProcPromoted,
    AgeDaysIgnored,
    VentCodeMismatch,
    VentExceedsStay,
    ReferralIgnored,
    LocationMismatch,
}

/// <summary>
/// Turns a plain record (local care, no ventilation, age ≥ 1, see <see cref="Synthesizer.Plain"/>)
/// into a line that fails exactly one check of records.md — every earlier check passes — or that
/// is accepted with exactly one warning. Variants rotate with the occurrence number so that a large
/// file exercises each column a kind can fail on.
/// </summary>
internal static class BadLines
{
    public const int FirstWarning = (int)LineKind.DuplicateCode;
    public const int KindCount = (int)LineKind.LocationMismatch; // kinds 1..23

    /// <summary>At most this many LINE_TOO_LONG lines (each is ~66 KB).</summary>
    public const int MaxLongLines = 5;

    private static readonly string[] Names =
    [
        "", "LINE_TOO_LONG", "FIELD_COUNT", "MISSING_FIELD", "BAD_TEXT", "BAD_DATE", "BAD_NUMBER", "BAD_CODE", "BAD_DX",
        "BAD_PROC", "TOO_MANY_CODES", "DATE_ORDER", "COST_SPLIT", "NEWBORN_FIELDS", "UNKNOWN_HOSPITAL", "DUPLICATE_CASE",
        "DUPLICATE_CODE", "PDX_REPEATED", "PROC_PROMOTED", "AGE_DAYS_IGNORED", "VENT_CODE_MISMATCH", "VENT_EXCEEDS_STAY",
        "REFERRAL_IGNORED", "LOCATION_MISMATCH",
    ];

    private static readonly int[] MissingColumns =
    [
        W.HospitalId, W.PersonId, W.InsuranceType, W.AdmitDate, W.DischargeDate, W.Sex, W.AgeYears, W.DischargeMode,
        W.PrincipalDx, W.TotalCost, W.PolicyCost, W.CareLocation,
    ];

    public static string Name(LineKind kind) => Names[(int)kind];

    public static bool IsWarning(LineKind kind) => (int)kind >= FirstWarning;

    /// <summary>Builds the line text (without line end); <paramref name="extraLines"/> counts line breaks inside quoted fields.</summary>
    public static string Make(LineKind kind, int occurrence, CaseRow row, string[] f, CodeCatalog codes, RecordWriter writer, ref Rng rng, out int extraLines)
    {
        extraLines = 0;
        var v = occurrence;
        switch (kind)
        {
            case LineKind.LineTooLong:
                // Spaces-only list items are empty after trimming, so only the length is wrong.
                f[W.SecondaryDx] = f[W.SecondaryDx] + ";" + new string(' ', 66_000);
                break;
            case LineKind.FieldCount:
                return (v % 3) switch
                {
                    0 => writer.Join(f, row, dropLast: true),
                    1 => writer.Join(f, row, dropLast: false) + ",",
                    _ => writer.Join(f, row, dropLast: false) + ",extra",
                };
            case LineKind.MissingField:
                var mc = v % (MissingColumns.Length + 1);
                if (mc == MissingColumns.Length)
                {
                    f[W.PrincipalDx] = "   "; // blank after trimming
                }
                else
                {
                    f[MissingColumns[mc]] = string.Empty;
                }

                break;
            case LineKind.BadText:
                var pid = f[W.PersonId];
                f[W.PersonId] = (v % 4) switch
                {
                    0 => pid + new string('0', 65 - pid.Length), // 65 characters, limit 64
                    1 => pid[..7] + "\t" + pid[7..],
                    2 => "\"" + pid[..7] + "\n" + pid[7..] + "\"", // quoted line break: a control character
                    _ => pid[..7] + "\u0001" + pid[7..],
                };
                if (v % 4 == 2)
                {
                    extraLines = 1;
                }

                break;
            case LineKind.BadDate:
                var y = row.Discharge.Year.ToString(CultureInfo.InvariantCulture);
                switch (v % 5)
                {
                    case 0: f[W.AdmitDate] = y + "-02-30"; break;
                    case 1: f[W.DischargeDate] = f[W.DischargeDate].Replace('-', '/'); break;
                    case 2: f[W.AdmitDate] = f[W.AdmitDate].Replace("-", string.Empty, StringComparison.Ordinal); break;
                    case 3: f[W.DischargeDate] = y + "-13-01"; break;
                    default: f[W.AdmitDate] = row.Admit.Year.ToString(CultureInfo.InvariantCulture) + "-" + row.Admit.Month.ToString(CultureInfo.InvariantCulture) + "-" + row.Admit.Day.ToString(CultureInfo.InvariantCulture) + "x"; break;
                }

                break;
            case LineKind.BadNumber:
                switch (v % 10)
                {
                    case 0: f[W.AgeYears] = "151"; break;
                    case 1: f[W.AgeYears] = "4a"; break;
                    case 2: f[W.TotalCost] = Money.Format(row.Total) + "5"; break; // three decimals
                    case 3: f[W.TotalCost] = "-" + Money.Format(row.Total); break;
                    case 4: f[W.PolicyCost] = "1e3"; break;
                    case 5: f[W.TotalCost] = "\"" + Thousands(row.Total) + "\""; break; // quoted thousands separator
                    case 6: f[W.VentHours] = "100000"; break;
                    case 7: f[W.FullSelfPay] = "1234567890.00"; break; // 10 integer digits
                    case 8: f[W.BirthWeight] = "50"; break;
                    default: f[W.AdmitWeight] = "100000"; break;
                }

                break;
            case LineKind.BadCode:
                switch (v % 7)
                {
                    case 0: f[W.Sex] = "3"; break;
                    case 1: f[W.InsuranceType] = "320"; break;
                    case 2: f[W.DischargeMode] = "6"; break;
                    case 3: f[W.AssistanceClass] = "pinkun"; break;
                    case 4: f[W.CareLocation] = "abroad"; break;
                    case 5: f[W.ReferralStatus] = "yes"; break;
                    default: f[W.Sex] = "M"; break;
                }

                break;
            case LineKind.BadDx:
                switch (v % 5)
                {
                    case 0: f[W.PrincipalDx] = char.ToLowerInvariant(f[W.PrincipalDx][0]) + f[W.PrincipalDx][1..]; break;
                    case 1: f[W.PrincipalDx] = "J1.900"; break;
                    case 2: f[W.SecondaryDx] = Append(f[W.SecondaryDx], "I10-x00"); break;
                    case 3: f[W.PrincipalDx] = f[W.PrincipalDx].Split('+')[0] + "+"; break;
                    default: f[W.SecondaryDx] = Append(f[W.SecondaryDx], "123.4"); break;
                }

                break;
            case LineKind.BadProc:
                switch (v % 4)
                {
                    case 0: f[W.PrincipalProc] = "47.09.01"; break;
                    case 1: f[W.OtherProcs] = Append(f[W.OtherProcs], "4709"); break;
                    case 2: f[W.PrincipalProc] = "A7.0901"; break;
                    default: f[W.OtherProcs] = Append(f[W.OtherProcs], "47.09-01"); break;
                }

                break;
            case LineKind.TooManyCodes:
                if (v % 2 == 1 && codes.ProcIds.Length > 41)
                {
                    f[W.OtherProcs] = Distinct(codes, codes.ProcIds, row.Proc, 41);
                }
                else
                {
                    f[W.SecondaryDx] = Distinct(codes, codes.SecondaryIds, row.Dx, 41);
                }

                break;
            case LineKind.DateOrder:
                var los = Math.Max(1, row.LengthOfStay);
                f[W.AdmitDate] = Date(row.Discharge);
                f[W.DischargeDate] = Date(row.Discharge.AddDays(-los));
                break;
            case LineKind.CostSplit:
                if (v % 2 == 0)
                {
                    f[W.PolicyCost] = Money.Format(row.Total + rng.Between(1, 5_000));
                }
                else
                {
                    // policy + full + partial = total + 0.02 (the tolerance is 0.01)
                    f[W.FullSelfPay] = Money.Format(row.Total - row.Policy - row.Partial + 2);
                    f[W.PartialSelfPay] = Money.Format(row.Partial);
                }

                break;
            case LineKind.NewbornFields:
                f[W.AgeYears] = "0";
                f[W.AdmitWeight] = string.Empty;
                if (v % 2 == 0)
                {
                    f[W.AgeDays] = string.Empty;
                    f[W.BirthWeight] = string.Empty;
                }
                else
                {
                    f[W.AgeDays] = rng.Between(0, 28).ToString(CultureInfo.InvariantCulture);
                    f[W.BirthWeight] = string.Empty;
                }

                break;
            case LineKind.UnknownHospital:
                f[W.HospitalId] = "H99999999999";
                break;
            case LineKind.DuplicateCode:
                if (v % 2 == 1 && row.Proc >= 0)
                {
                    var again = row.OtherCount > 0 ? codes.Text(row.Others[0]) : OtherThan(codes, codes.ProcIds, row.Proc);
                    f[W.OtherProcs] = row.OtherCount > 0 ? WithinLimit(f[W.OtherProcs], again, first: false) : again + ";" + again;
                }
                else
                {
                    var again = row.SecondaryCount > 0 ? codes.Text(row.Secondary[0]) : OtherThan(codes, codes.SecondaryIds, row.Dx);
                    f[W.SecondaryDx] = row.SecondaryCount > 0 ? WithinLimit(f[W.SecondaryDx], again, first: false) : again + ";" + again;
                }

                break;
            case LineKind.PdxRepeated:
                var sec = f[W.SecondaryDx];
                f[W.SecondaryDx] = WithinLimit(sec, f[W.PrincipalDx], first: v % 2 == 0);
                break;
            case LineKind.ProcPromoted:
                var procs = row.Proc >= 0 ? Append(codes.Text(row.Proc), f[W.OtherProcs]) : OtherThan(codes, codes.ProcIds, -1);
                f[W.PrincipalProc] = string.Empty;
                f[W.OtherProcs] = procs;
                break;
            case LineKind.AgeDaysIgnored:
                f[W.AgeDays] = rng.Between(1, 365).ToString(CultureInfo.InvariantCulture);
                break;
            case LineKind.VentCodeMismatch:
                if (v % 2 == 0)
                {
                    // ≥ 96 h without 96.7201, inside 24 × (LOS + 1).
                    var stay = Math.Max(5, row.LengthOfStay);
                    f[W.AdmitDate] = Date(row.Discharge.AddDays(-stay));
                    f[W.VentHours] = rng.Between(96, 24 * stay).ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    // 96.7201 with no ventilation hours.
                    f[W.VentHours] = string.Empty;
                    if (row.Proc >= 0)
                    {
                        f[W.OtherProcs] = Append(f[W.OtherProcs], codes.Text(codes.VentLong));
                    }
                    else
                    {
                        f[W.PrincipalProc] = codes.Text(codes.VentLong);
                    }
                }

                break;
            case LineKind.VentExceedsStay:
                // LOS 1, so the limit is 48 h; below 96 h, so no code mismatch.
                f[W.AdmitDate] = Date(row.Discharge.AddDays(-1));
                f[W.VentHours] = rng.Between(49, 95).ToString(CultureInfo.InvariantCulture);
                break;
            case LineKind.ReferralIgnored:
                f[W.ReferralStatus] = v % 2 == 0 ? "registered" : "unregistered";
                break;
            case LineKind.LocationMismatch:
                // The hospital is in the insured's own region, so out_of_city disagrees for a run of
                // that region and for any run whose region is in another province.
                f[W.CareLocation] = "out_of_city";
                f[W.ReferralStatus] = string.Empty;
                break;
        }

        return writer.Join(f, row, dropLast: false);
    }

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Append(string list, string item) =>
        item.Length == 0 ? list : list.Length == 0 ? item : list + ";" + item;

    /// <summary>
    /// Adds a code to a list (first or last) for a warning line, dropping the list's last code
    /// when it already holds the 40 allowed (the first stays: DUPLICATE_CODE repeats it): a warning line must not turn into
    /// TOO_MANY_CODES (found by the generator's property test: a 40-code list plus the repeated
    /// principal diagnosis).
    /// </summary>
    private static string WithinLimit(string list, string item, bool first)
    {
        var codes = list.Length == 0 ? [] : list.Split(';').ToList();
        if (codes.Count >= 40)
        {
            codes.RemoveAt(codes.Count - 1);
        }

        if (first)
        {
            codes.Insert(0, item);
        }
        else
        {
            codes.Add(item);
        }

        return string.Join(';', codes);
    }

    private static string Thousands(long fen)
    {
        var s = Money.Format(fen);
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = s[..dot];
        return (whole.Length > 3 ? whole[..^3] + "," + whole[^3..] : "1," + whole.PadLeft(3, '0')) + s[dot..];
    }

    private static string Distinct(CodeCatalog codes, int[] ids, int except, int count)
    {
        var sb = new StringBuilder();
        var n = 0;
        for (var i = 0; i < ids.Length && n < count; i++)
        {
            if (ids[i] == except)
            {
                continue;
            }

            if (n++ > 0)
            {
                sb.Append(';');
            }

            sb.Append(codes.Text(ids[i]));
        }

        if (n < count)
        {
            throw new InvalidOperationException($"code source '{codes.Name}' has fewer than {count + 1} distinct codes for a TOO_MANY_CODES line");
        }

        return sb.ToString();
    }

    private static string OtherThan(CodeCatalog codes, int[] ids, int except)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] != except)
            {
                return codes.Text(ids[i]);
            }
        }

        throw new InvalidOperationException($"code source '{codes.Name}' has too few distinct codes");
    }
}
