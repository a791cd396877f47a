using Grouper.Core;

namespace Grouper.Generation.Internals;

/// <summary>
/// Draws clean discharge records: person, case template, stay, hospital, codes, ventilation, costs.
/// A clean record passes every check of records.md and raises no warning.
/// </summary>
internal sealed class Synthesizer
{
    /// <summary>Median stay (days), its log-sd, median total cost (yuan), its log-sd, and the stay–cost correlation per <see cref="CaseFamily"/>.</summary>
    private static readonly (double Los, double LosSigma, double Cost, double CostSigma, double Rho)[] Families =
    [
        (7, 0.45, 6_500, 0.55, 0.6),    // Medical
        (10, 0.50, 14_000, 0.65, 0.6),  // MedicalSevere
        (4, 0.60, 8_000, 0.55, 0.5),    // ProcedureNonOr
        (6, 0.40, 13_000, 0.45, 0.5),   // SurgicalMinor
        (11, 0.45, 52_000, 0.50, 0.5),  // SurgicalMajor
        (4, 0.35, 5_500, 0.35, 0.5),    // Obstetric
        (7, 0.70, 7_000, 0.90, 0.8),    // Neonatal
        (5, 0.60, 9_000, 0.60, 0.5),    // Oncology
        (35, 0.65, 14_000, 0.45, 0.9),  // Psychiatric
        (22, 0.55, 16_000, 0.45, 0.9),  // Rehabilitation
    ];

    /// <summary>Weights (per 1,000) of 0..15 secondary diagnoses; 16..40 together get ≈ 1%.</summary>
    private static readonly int[] SecondaryCountWeights = [60, 85, 135, 150, 145, 115, 85, 60, 40, 30, 20, 14, 10, 8, 6, 5];

    private static readonly int[] OtherProcCountWeights = [40, 25, 15, 10, 6, 4];

    private readonly CodeCatalog _codes;
    private readonly HospitalBuilder _hospitals;
    private readonly GeneratorOptions _options;
    private readonly WeightedTable _secondaryCount;
    private readonly WeightedTable _regions;
    private PersonState[] _persons = new PersonState[1024];
    private int _personCount;
    private long _personSerial;
    private Rng _rng;

    public Synthesizer(GeneratorOptions options, CodeCatalog codes, HospitalBuilder hospitals)
    {
        _options = options;
        _codes = codes;
        _hospitals = hospitals;
        _rng = new Rng(options.Seed, 0x4443);
        var counts = new int[41];
        var weights = new long[41];
        for (var i = 0; i <= 40; i++)
        {
            counts[i] = i;
            weights[i] = i < SecondaryCountWeights.Length ? SecondaryCountWeights[i] * 25L : 10L;
        }

        _secondaryCount = new WeightedTable(counts, weights);
        var regionIds = Enumerable.Range(0, options.Regions.Count).ToArray();
        _regions = new WeightedTable(regionIds, [.. options.Regions.Select(r => (long)Math.Max(1, r.Weight))]);
    }

    public ref Rng Rng => ref _rng;

    public CodeCatalog Codes => _codes;

    /// <summary>Fills <paramref name="row"/> with a clean record discharged near <paramref name="discharge"/>.</summary>
    public void Clean(CaseRow row, long caseNo, DateOnly discharge)
    {
        row.CaseNo = caseNo;
        var t = -1;
        var person = -1;
        var los = -1;
        if (_personCount > 0 && _rng.Chance(_options.ReadmissionRate))
        {
            // Repeat admission (再入院): same person_id, a template that fits the person's age now.
            var p = _rng.Below(_personCount);
            ref var ps = ref _persons[p];
            var (y, dd) = Age(ps.Birth, discharge);
            var cls = CodeCatalog.ClassOf(y, dd, ps.Sex);
            var last = _codes.Templates[ps.LastTemplate];
            if (ps.Died)
            {
                // 死亡: no later admission; a new person instead.
            }
            else if (_rng.Chance(0.5) && CodeCatalog.Compatible(last, cls / 3, cls % 3))
            {
                t = ps.LastTemplate;
            }
            else if (!_codes.ClassTemplates[cls].IsEmpty)
            {
                t = _codes.ClassTemplates[cls].Sample(ref _rng);
            }

            if (t >= 0)
            {
                los = Stay(_codes.Templates[t].Family);
                if (discharge.AddDays(-los) > ps.LastDischarge)
                {
                    person = p;
                }
                else
                {
                    los = -1;
                }
            }
        }

        if (t < 0)
        {
            t = _codes.AllTemplates.Sample(ref _rng);
        }

        var tpl = _codes.Templates[t];
        if (los < 0)
        {
            los = Stay(tpl.Family);
        }

        var admit = discharge.AddDays(-los);
        if (person < 0)
        {
            person = NewPerson(tpl, admit, minYears: 0);
        }

        Fill(row, person, t, admit, discharge, local: false, noVent: false);
        ref var st = ref _persons[person];
        st.LastDischarge = discharge;
        st.LastTemplate = t;
        st.Died = row.Mode == DischargeMode.Died;
    }

    /// <summary>
    /// A record to be turned into a bad line: local care at a home-region hospital, no ventilation,
    /// age ≥ 1 year, a new person (not stored, so no clean record reuses it).
    /// </summary>
    public void Plain(CaseRow row, long caseNo, DateOnly discharge)
    {
        row.CaseNo = caseNo;
        int t;
        var tries = 0;
        do
        {
            t = _codes.AllTemplates.Sample(ref _rng);
        }
        while (_codes.Templates[t].Age is TemplateAge.Neonate or TemplateAge.PretermNeonate or TemplateAge.Infant && ++tries < 50);

        var tpl = _codes.Templates[t];
        var los = Stay(tpl.Family);
        var admit = discharge.AddDays(-los);
        var person = NewPerson(tpl, admit, minYears: 1);
        _personCount--; // not kept: bad lines never become the earlier admission of a clean one
        Fill(row, person, t, admit, discharge, local: true, noVent: true);
        row.QuoteSecondary = false;
        row.Pad = 0;
    }

    private static (int Years, int Days) Age(DateOnly birth, DateOnly at)
    {
        var years = at.Year - birth.Year;
        if (at.Month < birth.Month || (at.Month == birth.Month && at.Day < birth.Day))
        {
            years--;
        }

        return (Math.Max(0, years), at.DayNumber - birth.DayNumber);
    }

    private int Stay(CaseFamily family)
    {
        var f = Families[(int)family];
        if (_rng.Chance(0.015))
        {
            return 0; // same-day discharge, transfer or death: LOS 0 (counted as 1)
        }

        var los = (int)((f.Los * DetMath.Exp(f.LosSigma * _rng.Normal())) + 0.5);
        if (_rng.Chance(0.02))
        {
            los *= _rng.Between(2, 4); // complications: the long tail
        }

        return Math.Clamp(los, 0, 365);
    }

    private int NewPerson(TemplateInfo tpl, DateOnly admit, int minYears)
    {
        if (_personCount == _persons.Length)
        {
            Array.Resize(ref _persons, _persons.Length * 2);
        }

        ref var p = ref _persons[_personCount];
        p = default;
        p.Region = _regions.Sample(ref _rng);
        p.Sex = tpl.Sex switch
        {
            TemplateSex.Male => Sex.Male,
            TemplateSex.Female => Sex.Female,
            _ => tpl.Age == TemplateAge.Fertile ? Sex.Female : _rng.Chance(0.001) ? Sex.NotStated : _rng.Chance(0.5) ? Sex.Male : Sex.Female,
        };
        if (tpl.Age == TemplateAge.Fertile)
        {
            p.Sex = Sex.Female;
        }

        var days = -1;
        var years = 0;
        switch (tpl.Age)
        {
            case TemplateAge.Neonate:
            case TemplateAge.PretermNeonate:
                days = _rng.Chance(0.5) ? _rng.Between(0, 3) : _rng.Between(4, 28);
                break;
            case TemplateAge.Infant:
                days = _rng.Between(29, 364);
                break;
            case TemplateAge.Child:
                if (_rng.Chance(0.3))
                {
                    days = _rng.Between(29, 364);
                }
                else
                {
                    var u = _rng.NextDouble();
                    years = 1 + (int)(14 * u * u);
                }

                break;
            case TemplateAge.Fertile:
                years = Math.Clamp((int)(29.5 + (5 * _rng.Normal())), 16, 49);
                break;
            case TemplateAge.Elderly:
                years = _rng.Chance(0.9) ? _rng.Between(60, 89) : _rng.Between(90, 104);
                break;
            case TemplateAge.Adult:
                years = AdultYears();
                break;
            default:
                var a = _rng.Below(100);
                if (a < 2)
                {
                    days = _rng.Between(29, 364);
                }
                else if (a < 10)
                {
                    years = _rng.Between(1, 14);
                }
                else
                {
                    years = AdultYears();
                }

                break;
        }

        if (minYears > 0 && days >= 0)
        {
            days = -1;
            years = Math.Max(years, _rng.Between(1, 5));
        }

        if (days >= 0)
        {
            p.Birth = admit.AddDays(-days);
            p.BirthWeight = tpl.Age == TemplateAge.PretermNeonate
                ? (_rng.Chance(0.15) ? _rng.Between(600, 1499) : _rng.Between(1500, 2499))
                : _rng.Chance(0.07) ? _rng.Between(1500, 2499) : Math.Clamp((int)(3250 + (450 * _rng.Normal())), 2500, 5200);
        }
        else
        {
            p.Birth = admit.AddYears(-years).AddDays(-_rng.Below(365));
            p.BirthWeight = -1;
        }

        var (ay, _) = Age(p.Birth, admit);
        var employeeShare = ay < 18 ? 0.02 : ay < 60 ? 0.48 : 0.33;
        p.Insurance = _rng.Chance(employeeShare) ? InsuranceType.Employee : InsuranceType.Resident;
        p.Assistance = Assistance(p.Insurance, ay);
        p.No = ++_personSerial;
        return _personCount++;
    }

    private int AdultYears()
    {
        var a = _rng.Below(100);
        return a < 30 ? _rng.Between(15, 44) : a < 65 ? _rng.Between(45, 64) : a < 97 ? _rng.Between(65, 89) : _rng.Between(90, 104);
    }

    /// <summary>医疗救助 classes at small rates (per 10,000 residents), orphans only under 18.</summary>
    private AssistanceClass Assistance(InsuranceType insurance, int age)
    {
        var u = _rng.Below(10_000);
        if (insurance == InsuranceType.Employee)
        {
            return u < 20 ? AssistanceClass.MinimumLivelihood : AssistanceClass.None;
        }

        if (age < 18 && u < 50)
        {
            return AssistanceClass.Orphan;
        }

        return u switch
        {
            < 100 => AssistanceClass.None,
            < 140 => AssistanceClass.ExtremelyPoor,
            < 390 => AssistanceClass.MinimumLivelihood,
            < 430 => AssistanceClass.ReturnedToPoverty,
            < 490 => AssistanceClass.NearMinimumLivelihood,
            < 550 => AssistanceClass.AtRiskOfPoverty,
            < 590 => AssistanceClass.ImpoverishedByIllness,
            _ => AssistanceClass.None,
        };
    }

    private static CareGroup GroupOf(CaseFamily f) => f switch
    {
        CaseFamily.Medical => CareGroup.GeneralAll,
        CaseFamily.Obstetric or CaseFamily.Neonatal => CareGroup.Maternal,
        CaseFamily.Psychiatric => CareGroup.Psychiatric,
        CaseFamily.Rehabilitation => CareGroup.Rehabilitation,
        _ => CareGroup.GeneralHigh,
    };

    private void Fill(CaseRow row, int person, int template, DateOnly admit, DateOnly discharge, bool local, bool noVent)
    {
        ref var p = ref _persons[person];
        var tpl = _codes.Templates[template];
        row.Template = template;
        row.PersonRegion = p.Region;
        row.PersonNo = p.No;
        row.Insurance = p.Insurance;
        row.Assistance = p.Assistance;
        row.Admit = admit;
        row.Discharge = discharge;
        row.Sex = p.Sex;
        var (years, days) = Age(p.Birth, admit);
        row.AgeYears = years;
        row.AgeDays = years == 0 ? days : -1;
        row.BirthWeight = years == 0 && (days < 29 || _rng.Chance(0.4)) ? p.BirthWeight : -1;
        row.AdmitWeight = years == 0 && _rng.Chance(0.6) ? p.BirthWeight + (days * _rng.Between(0, 30)) : -1;
        if (row.AdmitWeight > 99_999)
        {
            row.AdmitWeight = 99_999;
        }

        // Where: local, out of city (same-province referral centre) or out of province.
        var maternal = tpl.Family is CaseFamily.Obstetric or CaseFamily.Neonatal;
        var u = _rng.Below(100);
        row.Care = local ? CareLocation.Local
            : maternal ? (u < 97 ? CareLocation.Local : u < 99 ? CareLocation.OutOfCity : CareLocation.OutOfProvince)
            : u < 88 ? CareLocation.Local : u < 96 ? CareLocation.OutOfCity : CareLocation.OutOfProvince;
        var table = (p.Region * HospitalBuilder.Groups) + (int)GroupOf(tpl.Family);
        row.Hospital = row.Care switch
        {
            CareLocation.Local => _hospitals.Local[table].Sample(ref _rng),
            CareLocation.OutOfCity => _hospitals.OutOfCity[table].Sample(ref _rng),
            _ => _hospitals.OutOfProvince[table].Sample(ref _rng),
        };
        if (row.Care == CareLocation.Local)
        {
            row.Referral = ReferralStatus.None;
            row.ReferralSpelled = _rng.Chance(0.25);
        }
        else
        {
            var r = _rng.Below(100);
            row.Referral = r < 55 ? ReferralStatus.Registered : r < 75 ? ReferralStatus.Unregistered : r < 90 ? ReferralStatus.Emergency : ReferralStatus.Resident;
            row.ReferralSpelled = true;
        }

        // Codes.
        row.Dx = tpl.Dx;
        var severe = tpl.Family is CaseFamily.MedicalSevere or CaseFamily.SurgicalMajor or CaseFamily.Neonatal;
        var mccRate = severe ? 8 : years < 45 ? 2 : 4;
        var n = _secondaryCount.Sample(ref _rng);
        // Older patients carry more comorbidities; children, newborns and mothers fewer.
        if (years >= 65)
        {
            n = Math.Min(40, n + _rng.Between(0, 2));
        }
        else if (years < 15 || tpl.Family == CaseFamily.Obstetric)
        {
            n /= 2;
        }
        else if (years < 45)
        {
            n = n * 3 / 4;
        }

        row.SecondaryCount = 0;
        var hasMcc = false;
        var hasCc = false;
        for (var i = 0; i < n; i++)
        {
            var lv = _rng.Below(100);
            var mcc = lv < mccRate && !_codes.Mcc.IsEmpty;
            var cc = !mcc && lv < (severe ? 25 : 16) && !_codes.Cc.IsEmpty;
            var pool = mcc ? _codes.Mcc : cc ? _codes.Cc : !_codes.Ordinary.IsEmpty ? _codes.Ordinary : !_codes.Cc.IsEmpty ? _codes.Cc : _codes.Mcc;
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var id = pool.Sample(ref _rng);
                if (id != row.Dx && !Contains(row.Secondary, row.SecondaryCount, id))
                {
                    row.Secondary[row.SecondaryCount++] = id;
                    hasMcc |= mcc;
                    hasCc |= cc;
                    break;
                }
            }
        }

        row.Proc = tpl.Proc;
        row.OtherCount = 0;
        var others = 0;
        if (row.Proc >= 0)
        {
            others = OtherProcCountWeights.Length - 1;
            var x = _rng.Below(100);
            for (var i = 0; i < OtherProcCountWeights.Length; i++)
            {
                x -= OtherProcCountWeights[i];
                if (x < 0)
                {
                    others = i;
                    break;
                }
            }
        }
        else if (_rng.Chance(0.10))
        {
            // A medical case with a minor procedure: the first one is written as principal so no PROC_PROMOTED.
            row.Proc = _codes.OtherProcs.Sample(ref _rng);
            others = _rng.Between(0, 2);
        }

        for (var i = 0; i < others; i++)
        {
            AddOther(row, _codes.OtherProcs.Sample(ref _rng));
        }

        // Ventilation: ≥ 96 h always with 96.7201 and within 24 × (LOS + 1); shorter runs never with it.
        row.Vent = _rng.Chance(0.05) ? 0 : -1;
        var los = row.LengthOfStay;
        var ventRate = severe ? 0.05 : tpl.Family == CaseFamily.Medical ? 0.005 : 0.002;
        if (!noVent && _rng.Chance(ventRate))
        {
            if (los >= 3 && _rng.Chance(0.45))
            {
                row.Vent = _rng.Between(96, Math.Max(96, 24 * los));
                AddProc(row, _codes.VentLong);
            }
            else
            {
                row.Vent = _rng.Between(2, Math.Min(95, 24 * (los + 1)));
                if (_rng.Chance(0.6))
                {
                    AddProc(row, _codes.VentShort);
                }
            }
        }

        // Discharge mode (离院方式).
        var death = 120 * (tpl.Family == CaseFamily.MedicalSevere || years >= 80 ? 3 : 1) * (tpl.Age == TemplateAge.PretermNeonate ? 2 : 1);
        var m = _rng.Below(10_000);
        row.Mode = m < death ? DischargeMode.Died
            : m < death + 150 ? DischargeMode.TransferHospital
            : m < death + 230 ? DischargeMode.TransferCommunity
            : m < death + 480 ? DischargeMode.AgainstAdvice
            : m < death + 530 ? DischargeMode.Other
            : DischargeMode.OnAdvice;

        Costs(row, tpl.Family, los, hasMcc, hasCc);

        row.QuoteSecondary = row.SecondaryCount >= 2 && _rng.Chance(0.01);
        var pad = _rng.Below(1000);
        row.Pad = pad < 3 ? (byte)1 : pad < 6 ? (byte)2 : (byte)0;
    }

    private void Costs(CaseRow row, CaseFamily family, int los, bool hasMcc, bool hasCc)
    {
        var f = Families[(int)family];
        var h = _hospitals.Hospitals[row.Hospital];
        var level = h.Level.Tier switch
        {
            3 => h.Level.Grade == 'A' ? 1.30 : 1.15,
            2 => 0.85,
            1 => 0.55,
            _ => 0.45,
        };
        if (h.Kind == HospitalKind.Tcm)
        {
            level *= 0.9;
        }

        // Cost follows the stay (√ of the stay ratio; proportional for psychiatric and rehabilitation
        // per-diem-like stays) times its own log-normal noise.
        var z = _rng.Normal();
        var stay = los == 0 ? 0.35 : Math.Sqrt(Math.Max(los, 1) / f.Los);
        var factor = DetMath.Exp(f.CostSigma * Math.Sqrt(1 - (f.Rho * f.Rho)) * z) * (f.Rho >= 0.85 ? Math.Max(los, 1) / f.Los : stay);
        factor *= 1 + (0.05 * row.SecondaryCount);
        factor *= hasMcc ? 1.25 : hasCc ? 1.10 : 1.0;
        var fen = (long)(f.Cost * 100 * level * factor);
        row.Total = Math.Clamp(fen, 3_000, 500_000_000);

        // Split in integer fen: basis points of the total for each self-pay part, policy is the rest,
        // so policy ≤ total and policy + full + partial ≤ total always hold.
        row.Full = _rng.Chance(0.25) ? 0 : row.Total * _rng.Between(20, 900) / 10_000;
        row.Partial = _rng.Chance(0.15) ? 0 : row.Total * _rng.Between(50, 1000) / 10_000;
        var over = _rng.Chance(0.6) ? 0 : row.Total * _rng.Between(1, 300) / 10_000;
        row.Policy = row.Total - row.Full - row.Partial - over;
        row.TotalStyle = _rng.Chance(0.1) ? (byte)1 : (byte)0;
        row.PolicyStyle = _rng.Chance(0.1) ? (byte)1 : (byte)0;
        row.FullStyle = OptionalStyle(row.Full);
        row.PartialStyle = OptionalStyle(row.Partial);
    }

    private byte OptionalStyle(long value)
    {
        var u = _rng.Below(10);
        if (value == 0)
        {
            return u < 5 ? (byte)2 : u < 7 ? (byte)1 : (byte)0;
        }

        return u == 0 ? (byte)1 : (byte)0;
    }

    private void AddOther(CaseRow row, int id)
    {
        if (id != row.Proc && !Contains(row.Others, row.OtherCount, id) && row.OtherCount < 40)
        {
            row.Others[row.OtherCount++] = id;
        }
    }

    private static void AddProc(CaseRow row, int id)
    {
        if (row.Proc < 0)
        {
            row.Proc = id;
        }
        else if (id != row.Proc && !Contains(row.Others, row.OtherCount, id) && row.OtherCount < 40)
        {
            row.Others[row.OtherCount++] = id;
        }
    }

    private static bool Contains(int[] a, int count, int id)
    {
        for (var i = 0; i < count; i++)
        {
            if (a[i] == id)
            {
                return true;
            }
        }

        return false;
    }
}
