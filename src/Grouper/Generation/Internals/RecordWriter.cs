using System.Text;
using Grouper.Core;

namespace Grouper.Generation.Internals;

/// <summary>Writes a <see cref="CaseRow"/> as one discharges.csv line straight into UTF-8 bytes.</summary>
internal sealed class RecordWriter
{
    /// <summary>The discharges.csv columns in records.md table order.</summary>
    public static readonly string[] Columns =
    [
        "case_id", "hospital_id", "person_id", "insurance_type", "assistance_class", "admit_date", "discharge_date",
        "sex", "age_years", "age_days", "birth_weight_g", "admit_weight_g", "discharge_mode", "principal_dx",
        "secondary_dx", "principal_proc", "other_procs", "vent_hours", "total_cost", "policy_cost", "full_self_pay",
        "partial_self_pay", "care_location", "referral_status",
    ];

    public const int CaseId = 0, HospitalId = 1, PersonId = 2, InsuranceType = 3, AssistanceClass = 4, AdmitDate = 5,
        DischargeDate = 6, Sex = 7, AgeYears = 8, AgeDays = 9, BirthWeight = 10, AdmitWeight = 11, DischargeMode = 12,
        PrincipalDx = 13, SecondaryDx = 14, PrincipalProc = 15, OtherProcs = 16, VentHours = 17, TotalCost = 18,
        PolicyCost = 19, FullSelfPay = 20, PartialSelfPay = 21, CareLocation = 22, ReferralStatus = 23;

    private static readonly byte[][] AssistanceBytes = [.. Enumerable.Range(0, 8).Select(i => Encoding.ASCII.GetBytes(CodeNames.Csv((Core.AssistanceClass)i)))];
    private static readonly byte[][] CareBytes = [[], "local"u8.ToArray(), "out_of_city"u8.ToArray(), "out_of_province"u8.ToArray()];
    private static readonly byte[][] ReferralBytes = [.. Enumerable.Range(0, 5).Select(i => Encoding.ASCII.GetBytes(CodeNames.Csv((Core.ReferralStatus)i)))];

    private readonly CodeCatalog _codes;
    private readonly byte[][] _hospitalIds;
    private readonly byte[][] _regionCodes;
    private readonly byte[] _newline;
    /// <summary>Index of the ignored extra column in <see cref="_order"/>.</summary>
    private const int Extra = 24;

    private readonly ByteSink _scratch = new(null, 1 << 12);

    /// <summary>Written order of the columns (records.md order unless shuffled; <see cref="Extra"/> = the extra column).</summary>
    private readonly int[] _order;

    public RecordWriter(CodeCatalog codes, IReadOnlyList<Hospital> hospitals, GeneratorOptions options)
    {
        _codes = codes;
        _hospitalIds = [.. hospitals.Select(h => Encoding.UTF8.GetBytes(h.HospitalId))];
        _regionCodes = [.. options.Regions.Select(r => Encoding.ASCII.GetBytes(r.Code))];
        _newline = options.CrLf ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
        var order = Enumerable.Range(0, Columns.Length + (options.ExtraColumn ? 1 : 0)).ToArray();
        if (options.ShuffleColumns)
        {
            // Fisher–Yates with the run's own stream: columns are matched by name (records.md).
            var rng = new Rng(options.Seed, 0x434F);
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = rng.Below(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        _order = order;
    }

    /// <summary>Name of the extra column (<see cref="GeneratorOptions.ExtraColumn"/>), which readers must ignore.</summary>
    public const string ExtraColumnName = "remark";

    /// <summary>Joins fields given in records.md order in the written order; optionally drops the last written field (the one before it when that is case_id).</summary>
    public string Join(string[] fields, CaseRow row, bool dropLast)
    {
        // The dropped field is never case_id, so expected-rejects.csv can name the case.
        var drop = !dropLast ? -1 : _order[^1] != CaseId ? _order.Length - 1 : _order.Length - 2;
        var sb = new StringBuilder();
        var first = true;
        for (var i = 0; i < _order.Length; i++)
        {
            if (i == drop)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            sb.Append(_order[i] == Extra ? ExtraValue(row) : fields[_order[i]]);
        }

        return sb.ToString();
    }

    private static readonly byte[] ExtraRemark = Encoding.UTF8.GetBytes("\"见病历, 无特殊\"");

    /// <summary>Mostly empty; every 7th case a quoted remark with a comma (ignored by readers).</summary>
    private static string ExtraValue(CaseRow row) => row.CaseNo % 7 == 0 ? Encoding.UTF8.GetString(ExtraRemark) : string.Empty;

    public ReadOnlySpan<byte> NewLine => _newline;

    public void WriteHeader(ByteSink s)
    {
        for (var i = 0; i < _order.Length; i++)
        {
            if (i > 0)
            {
                s.Byte((byte)',');
            }

            s.Bytes(Encoding.ASCII.GetBytes(_order[i] == Extra ? ExtraColumnName : Columns[_order[i]]));
        }

        s.Bytes(_newline);
    }

    public void WriteLine(ByteSink s, CaseRow r)
    {
        for (var i = 0; i < _order.Length; i++)
        {
            if (i > 0)
            {
                s.Byte((byte)',');
            }

            var col = _order[i];
            if (col == Extra)
            {
                if (r.CaseNo % 7 == 0)
                {
                    s.Bytes(ExtraRemark);
                }
            }
            else
            {
                WriteField(s, r, col);
            }
        }

        s.Bytes(_newline);
    }

    /// <summary>Slow path for bad lines: each field as a string, to be edited and joined.</summary>
    public string[] Render(CaseRow r)
    {
        var fields = new string[Columns.Length];
        for (var col = 0; col < Columns.Length; col++)
        {
            _scratch.Clear();
            WriteField(_scratch, r, col);
            fields[col] = Encoding.UTF8.GetString(_scratch.Written);
        }

        return fields;
    }

    public void WriteField(ByteSink s, CaseRow r, int col)
    {
        switch (col)
        {
            case CaseId:
                s.Byte((byte)'S');
                s.Padded(r.CaseNo, 10);
                break;
            case HospitalId:
                s.Bytes(_hospitalIds[r.Hospital]);
                break;
            case PersonId:
                s.Bytes(_regionCodes[r.PersonRegion]);
                s.Byte((byte)'P');
                s.Padded(r.PersonNo, 9);
                break;
            case InsuranceType:
                s.Bytes(r.Insurance == Core.InsuranceType.Employee ? "310"u8 : "390"u8);
                break;
            case AssistanceClass:
                s.Bytes(AssistanceBytes[(int)r.Assistance]);
                break;
            case AdmitDate:
                s.Date(r.Admit);
                break;
            case DischargeDate:
                s.Date(r.Discharge);
                break;
            case Sex:
                if (r.Pad == 1)
                {
                    s.Byte((byte)' ');
                }

                s.Int((int)r.Sex);
                break;
            case AgeYears:
                s.Int(r.AgeYears);
                break;
            case AgeDays:
                OptionalInt(s, r.AgeDays);
                break;
            case BirthWeight:
                OptionalInt(s, r.BirthWeight);
                break;
            case AdmitWeight:
                OptionalInt(s, r.AdmitWeight);
                break;
            case DischargeMode:
                s.Int((int)r.Mode);
                break;
            case PrincipalDx:
                s.Bytes(_codes.Bytes(r.Dx));
                break;
            case SecondaryDx:
                if (r.QuoteSecondary)
                {
                    s.Byte((byte)'"');
                }

                for (var i = 0; i < r.SecondaryCount; i++)
                {
                    if (i > 0)
                    {
                        s.Bytes(r.QuoteSecondary ? "; "u8 : ";"u8);
                    }

                    s.Bytes(_codes.Bytes(r.Secondary[i]));
                }

                if (r.QuoteSecondary)
                {
                    s.Byte((byte)'"');
                }

                break;
            case PrincipalProc:
                if (r.Proc >= 0)
                {
                    s.Bytes(_codes.Bytes(r.Proc));
                }

                break;
            case OtherProcs:
                for (var i = 0; i < r.OtherCount; i++)
                {
                    if (i > 0)
                    {
                        s.Byte((byte)';');
                    }

                    s.Bytes(_codes.Bytes(r.Others[i]));
                }

                break;
            case VentHours:
                OptionalInt(s, r.Vent);
                break;
            case TotalCost:
                s.Money(r.Total, r.TotalStyle);
                if (r.Pad == 2)
                {
                    s.Byte((byte)' ');
                }

                break;
            case PolicyCost:
                s.Money(r.Policy, r.PolicyStyle);
                break;
            case FullSelfPay:
                if (r.FullStyle != 2)
                {
                    s.Money(r.Full, r.FullStyle);
                }

                break;
            case PartialSelfPay:
                if (r.PartialStyle != 2)
                {
                    s.Money(r.Partial, r.PartialStyle);
                }

                break;
            case CareLocation:
                s.Bytes(CareBytes[(int)r.Care]);
                break;
            case ReferralStatus:
                if (r.Referral != Core.ReferralStatus.None || r.ReferralSpelled)
                {
                    s.Bytes(ReferralBytes[(int)r.Referral]);
                }

                break;
        }
    }

    private static void OptionalInt(ByteSink s, int v)
    {
        if (v >= 0)
        {
            s.Int(v);
        }
    }
}
