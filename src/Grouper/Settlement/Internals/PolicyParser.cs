using System.Globalization;
using Grouper.Core;
using YamlDotNet.RepresentationModel;

namespace Grouper.Settlement.Internals;

/// <summary>One effective-dated row of a parameter group. Open ends are Min/Max.</summary>
internal sealed record DatedRow<T>(DateOnly From, DateOnly To, bool Demo, long Line, T Value);

/// <summary>A parameter group's rows, checked contiguous (no overlap, no gap) and ordered.</summary>
internal sealed class DatedRows<T>
{
    public static readonly DatedRows<T> Empty = new([]);

    public DatedRows(List<DatedRow<T>> rows) => Rows = rows;

    public List<DatedRow<T>> Rows { get; }

    public DatedRow<T>? At(DateOnly date)
    {
        foreach (var r in Rows)
        {
            if (r.From <= date && date <= r.To)
            {
                return r;
            }
        }

        return null;
    }

    public void AddBoundaries(SortedSet<DateOnly> set)
    {
        foreach (var r in Rows)
        {
            if (r.From != DateOnly.MinValue)
            {
                set.Add(r.From);
            }

            if (r.To != DateOnly.MaxValue)
            {
                set.Add(r.To.AddDays(1));
            }
        }
    }
}

internal sealed record DeductibleRow(decimal[] ByTier, decimal TcmReduction, bool[] TcmTiers, decimal[] AdmissionFactors);

internal sealed record CiRow(CriticalIllnessParameters Parameters);

internal sealed record ReferralRow(decimal Unregistered, decimal Limited, Code[] LimitedDx);

internal sealed record FloorRow(decimal[] ByTier);

/// <summary>Reads a policy YAML file into dated parameter groups and resolves them per date segment.</summary>
internal sealed class PolicyParser
{
    private static readonly string[] TierKeys = ["out_of_city", "city", "county", "township"];
    private static readonly string[] InsuranceKeys = ["employee", "resident"];
    private static readonly string[] RowKeys = ["from", "to", "demo"];

    private readonly string file;

    private PolicyParser(string file) => this.file = file;

    public static List<(DateOnly Start, DateOnly End, ResolvedPolicy Policy)> Parse(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        YamlStream stream = [];
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InputException(fileName, ex.Start.Line, null, "not valid YAML: " + ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Found by the fuzzer: YamlDotNet's scanner and node loader can fail this way on some malformed
            // documents (plain scalars, unsupported events) instead of raising YamlException.
            throw new InputException(fileName, 0, null, "not valid YAML (the parser could not read the document)");
        }

        if (stream.Documents.Count != 1)
        {
            throw new InputException(fileName, 1, null, "expected exactly one YAML document");
        }

        return new PolicyParser(fileName).Build(stream.Documents[0].RootNode);
    }

    private List<(DateOnly, DateOnly, ResolvedPolicy)> Build(YamlNode root)
    {
        var top = YamlMap.Open(file, root, string.Empty,
            "name", "version", "region", "region_name", "valid_from", "valid_to", "demo", "sources",
            "payment", "deductibles", "general_ratios", "per_disease_ratios", "drg_charge_ratios", "ratio_floors",
            "annual_cap", "critical_illness", "referral", "per_disease_list", "medical_assistance",
            "tilt_assistance", "drg_pricing", "dip_pricing", "per_diem", "indicators");

        var name = top.Text("name");
        var version = top.Text("version");
        var region = top.Text("region");
        if (region.Length != 6 || !region.All(char.IsAsciiDigit))
        {
            throw new InputException(file, top.LineOf("region"), "region", $"expected a 6-digit pooling region code, got '{region}'");
        }

        var validFrom = top.OptionalDate("valid_from") ?? DateOnly.MinValue;
        var validTo = top.OptionalDate("valid_to") ?? DateOnly.MaxValue;
        if (validTo < validFrom)
        {
            throw new InputException(file, top.LineOf("valid_to"), "valid_to", "valid_to is before valid_from");
        }

        var fileDemo = top.Bool("demo", false);
        if (top.OptionalSequence("sources") is { } sources)
        {
            foreach (var s in sources)
            {
                top.Scalar(s, "sources", "text");
            }
        }

        var payment = Rows(top, "payment", ["default_method"], m =>
        {
            var v = m.Text("default_method");
            return v switch
            {
                "DIP" => PaymentMethod.Dip,
                "DRG" => PaymentMethod.Drg,
                "FFS" => PaymentMethod.Ffs,
                _ => throw new InputException(file, m.LineOf("default_method"), m.KeyPath("default_method"), $"expected DIP, DRG or FFS, got '{v}'"),
            };
        });

        var deductibles = ByInsurance(top, "deductibles", ["out_of_city", "city", "county", "township", "tcm_reduction", "tcm_tiers", "admission_factors"], m =>
        {
            var byTier = TierMoney(m);
            var tcm = m.OptionalMoney("tcm_reduction") ?? 0m;
            var tcmTiers = TierSet(m, "tcm_tiers", tcm == 0m ? [] : ["city", "county"]);
            var factors = new List<decimal>();
            if (m.OptionalSequence("admission_factors") is { } seq)
            {
                foreach (var f in seq)
                {
                    factors.Add(m.CheckRatio(f, m.KeyPath("admission_factors")));
                }
            }

            if (factors.Count == 0)
            {
                factors.Add(1m);
            }

            for (var t = 0; t < 4; t++)
            {
                if (tcmTiers[t] && tcm > byTier[t])
                {
                    throw m.Error(m.LineOf("tcm_reduction"), "tcm_reduction", $"reduction {tcm.ToString(CultureInfo.InvariantCulture)} exceeds the {TierKeys[t]} deductible");
                }
            }

            return new DeductibleRow(byTier, tcm, tcmTiers, [.. factors]);
        });

        var general = ByInsurance(top, "general_ratios", TierKeys, TierRatios);
        var perDisease = ByInsurance(top, "per_disease_ratios", ["in_city_below_3a", "in_city_3a", "out_of_city_below_tier3", "out_of_city_tier3"], m =>
            new[] { m.Ratio("in_city_below_3a"), m.Ratio("in_city_3a"), m.Ratio("out_of_city_below_tier3"), m.Ratio("out_of_city_tier3") });
        var drgCharge = ByInsurance(top, "drg_charge_ratios", ["out_of_city_below_3a", "out_of_city_3a"], m =>
            new[] { m.Ratio("out_of_city_below_3a"), m.Ratio("out_of_city_3a") });
        var floors = ByInsurance(top, "ratio_floors", ["grassroots", "tiers"], m =>
        {
            var floor = m.Ratio("grassroots");
            var tiers = TierSet(m, "tiers", ["city", "county", "township"]);
            var byTier = new decimal[4];
            for (var t = 0; t < 4; t++)
            {
                byTier[t] = tiers[t] ? floor : 0m;
            }

            return new FloorRow(byTier);
        });
        var caps = ByInsurance(top, "annual_cap", ["basic"], m => ToFen(m.Money("basic")));
        var ci = ByInsurance(top, "critical_illness", ["threshold", "ratio", "cap", "special_classes", "special_threshold", "special_ratio", "special_cap"], m =>
        {
            var special = new bool[8];
            if (m.OptionalSequence("special_classes") is { } seq)
            {
                foreach (var c in seq)
                {
                    special[(int)ParseClass(m, c, "special_classes")] = true;
                }
            }

            var threshold = m.Money("threshold");
            var ratio = m.Ratio("ratio");
            var any = Array.IndexOf(special, true) >= 0;
            return new CiRow(new CriticalIllnessParameters
            {
                Threshold = threshold,
                Ratio = ratio,
                CapFen = m.OptionalMoney("cap") is { } cap ? ToFen(cap) : long.MaxValue,
                SpecialClass = special,
                SpecialThreshold = any ? m.Money("special_threshold") : threshold,
                SpecialRatio = any ? m.Ratio("special_ratio") : ratio,
                SpecialCapFen = m.OptionalMoney("special_cap") is { } sc ? ToFen(sc) : long.MaxValue,
            });
        });

        var referral = Rows(top, "referral", ["unregistered_reduction", "limited_referral_reduction", "limited_referral_list"], m =>
            new ReferralRow(m.Ratio("unregistered_reduction"), m.RatioOr("limited_referral_reduction", 0m), CodeList(m, "limited_referral_list")));

        var perDiseaseList = Rows(top, "per_disease_list", ["entries"], m =>
        {
            var list = new List<(Code, int, Code)>();
            if (m.OptionalSequence("entries") is { } seq)
            {
                var i = 0;
                foreach (var e in seq)
                {
                    var em = YamlMap.Open(file, e, $"{m.KeyPath("entries")}[{i++}]", "dx", "proc", "name");
                    var dx = em.Text("dx");
                    var proc = em.OptionalText("proc");
                    list.Add((ParseCode(em, "dx", dx), dx.Length, proc is null ? Code.Empty : ParseCode(em, "proc", proc)));
                }
            }

            return list.ToArray();
        });

        var assistance = Rows(top, "medical_assistance", ["classes"], m =>
        {
            var byClass = new AssistanceParameters?[8];
            var classes = m.Map("classes", "tekun", "orphan", "dibao", "fanpin", "dibao_edge", "yifanpin", "yinbing");
            foreach (var (key, node, line) in classes.Entries())
            {
                var cm = YamlMap.Open(file, node, classes.KeyPath(key), "deductible", "ratio", "cap", "outpatient_ratio");
                byClass[(int)ClassOf(key)] = new AssistanceParameters
                {
                    DeductibleFen = ToFen(cm.Money("deductible")),
                    Ratio = cm.Ratio("ratio"),
                    CapFen = ToFen(cm.Money("cap")),
                    OutpatientRatio = cm.OptionalRatio("outpatient_ratio"),
                };
            }

            return byClass;
        });

        var tilt = Rows(top, "tilt_assistance", ["threshold", "ratio", "cap", "in_province_only", "exclude_unregistered"], m => new TiltParameters
        {
            Threshold = m.Money("threshold"),
            Ratio = m.Ratio("ratio"),
            CapFen = ToFen(m.Money("cap")),
            InProvinceOnly = m.Bool("in_province_only", true),
            ExcludeUnregistered = m.Bool("exclude_unregistered", true),
        });

        var drg = Rows(top, "drg_pricing", ["base_rates", "outliers", "middle_band", "same_price_drgs"], m =>
        {
            var rates = new decimal[3];
            var br = m.Map("base_rates", InsuranceKeys);
            rates[(int)InsuranceType.Employee] = br.OptionalMoney("employee") ?? 0m;
            rates[(int)InsuranceType.Resident] = br.OptionalMoney("resident") ?? 0m;
            var bands = new List<DrgOutlierBand>();
            var i = 0;
            foreach (var b in m.Sequence("outliers"))
            {
                var bm = YamlMap.Open(file, b, $"{m.KeyPath("outliers")}[{i++}]", "rw_up_to", "high", "low");
                var upTo = bm.OptionalDecimal("rw_up_to");
                var high = Positive(bm, "high");
                var low = bm.Ratio("low");
                if (bands.Count > 0 && (bands[^1].RwUpTo is not { } prev || upTo is { } u && u <= prev))
                {
                    throw bm.Error(bm.LineOf("rw_up_to"), "rw_up_to", "RW bands must be in increasing order, the open band last");
                }

                bands.Add(new DrgOutlierBand(upTo, high, low));
            }

            if (bands.Count == 0 || bands[^1].RwUpTo is not null)
            {
                throw m.Error(m.LineOf("outliers"), "outliers", "the last RW band must be open (rw_up_to: null)");
            }

            var middle = m.OptionalMap("middle_band", "enabled", "upper", "lift");
            var drgs = new List<Code>();
            if (m.OptionalSequence("same_price_drgs") is { } seq)
            {
                foreach (var c in seq)
                {
                    drgs.Add(ParseCode(m, "same_price_drgs", m.Scalar(c, m.KeyPath("same_price_drgs"), "a DRG code")));
                }
            }

            drgs.Sort();
            return new DrgPricing
            {
                BaseRate = rates,
                Bands = [.. bands],
                MiddleBand = middle?.Bool("enabled", false) ?? false,
                MiddleUpper = middle?.OptionalDecimal("upper") ?? 0.8m,
                MiddleLift = middle?.OptionalDecimal("lift") ?? 0.2m,
                SamePriceDrgs = [.. drgs],
            };
        });

        var dip = Rows(top, "dip_pricing", ["point_value", "low", "high", "excess_factor", "high_by_tier", "review_threshold"], m =>
        {
            var byTier = new decimal?[4];
            if (m.OptionalMap("high_by_tier", "tier0", "tier1", "tier2", "tier3") is { } ht)
            {
                for (var t = 0; t < 4; t++)
                {
                    byTier[t] = ht.Has("tier" + t) ? Positive(ht, "tier" + t) : null;
                }
            }

            var pv = Positive(m, "point_value");
            if (decimal.Round(pv, 6) != pv)
            {
                throw m.Error(m.LineOf("point_value"), "point_value", "point value has more than 6 decimals");
            }

            return new DipPricing
            {
                PointValue = pv,
                Low = m.Ratio("low"),
                High = Positive(m, "high"),
                ExcessFactor = m.OptionalDecimal("excess_factor") ?? 1m,
                HighByTier = byTier,
                ReviewThreshold = Positive(m, "review_threshold"),
            };
        });

        var perDiem = Rows(top, "per_diem", ["rates"], m => NumberMap(m, "rates", money: true));
        var indicators = Rows(top, "indicators", ["values"], m => NumberMap(m, "values", money: false));

        // The core benefit tables of an insurance type must both cover the whole validity range:
        // a date with a deductible but no ratio (or the reverse) is a gap in the policy, not NO_POLICY.
        foreach (var ins in InsuranceKeys)
        {
            var key = ins == "employee" ? (int)InsuranceType.Employee : (int)InsuranceType.Resident;
            if (deductibles[key].Rows.Count == 0 && general[key].Rows.Count == 0)
            {
                continue;
            }

            CheckCovers(top, "deductibles." + ins, deductibles[key].Rows.Select(r => (r.From, r.To)).ToList(), validFrom, validTo);
            CheckCovers(top, "general_ratios." + ins, general[key].Rows.Select(r => (r.From, r.To)).ToList(), validFrom, validTo);
        }

        // Segment the validity range at every boundary of every group, then resolve each segment once.
        var bounds = new SortedSet<DateOnly>();
        payment.AddBoundaries(bounds);
        foreach (var g in new IBoundaries[]
        {
            new B<DeductibleRow>(deductibles), new B<decimal[]>(general), new B<decimal[]>(perDisease), new B<decimal[]>(drgCharge),
            new B<FloorRow>(floors), new B<long>(caps), new B<CiRow>(ci),
        })
        {
            g.Add(bounds);
        }

        referral.AddBoundaries(bounds);
        perDiseaseList.AddBoundaries(bounds);
        assistance.AddBoundaries(bounds);
        tilt.AddBoundaries(bounds);
        drg.AddBoundaries(bounds);
        dip.AddBoundaries(bounds);
        perDiem.AddBoundaries(bounds);
        indicators.AddBoundaries(bounds);
        bounds.Add(validFrom);

        var starts = bounds.Where(d => d >= validFrom && d <= validTo).ToList();
        var result = new List<(DateOnly, DateOnly, ResolvedPolicy)>();
        for (var i = 0; i < starts.Count; i++)
        {
            var s = starts[i];
            var e = i + 1 < starts.Count ? starts[i + 1].AddDays(-1) : validTo;
            var demo = fileDemo;
            T? Pick<T>(DatedRows<T> rows)
            {
                var r = rows.At(s);
                if (r is null)
                {
                    return default;
                }

                demo |= r.Demo;
                return r.Value;
            }

            var benefits = new BenefitTable?[3];
            foreach (var ins in new[] { InsuranceType.Employee, InsuranceType.Resident })
            {
                var key = (int)ins;
                var ded = Pick(deductibles[key]);
                var gen = Pick(general[key]);
                if (ded is null || gen is null)
                {
                    continue;
                }

                var cap = caps[key].At(s);
                if (cap is not null)
                {
                    demo |= cap.Demo;
                }

                benefits[key] = new BenefitTable
                {
                    Deductible = ded.ByTier,
                    TcmReduction = ded.TcmReduction,
                    TcmTiers = ded.TcmTiers,
                    AdmissionFactors = ded.AdmissionFactors,
                    GeneralRatio = gen,
                    PerDiseaseRatio = Pick(perDisease[key]),
                    DrgChargeOutOfCityRatio = Pick(drgCharge[key]),
                    GrassrootsFloor = Pick(floors[key])?.ByTier ?? new decimal[4],
                    AnnualCapFen = cap?.Value ?? long.MaxValue,
                    CriticalIllness = Pick(ci[key])?.Parameters,
                };
            }

            var refRow = Pick(referral);
            var policy = new ResolvedPolicy
            {
                Region = region,
                Name = name,
                Version = version,
                SourceFile = file,
                From = s,
                To = e,
                DefaultPaymentMethod = payment.At(s)?.Value ?? PaymentMethod.Ffs,
                Benefits = benefits,
                UnregisteredReduction = refRow?.Unregistered ?? 0m,
                LimitedReferralReduction = refRow?.Limited ?? 0m,
                LimitedReferralDx = refRow?.LimitedDx ?? [],
                PerDiseaseList = Pick(perDiseaseList) ?? [],
                Assistance = Pick(assistance) ?? new AssistanceParameters?[8],
                Tilt = Pick(tilt),
                Drg = Pick(drg),
                Dip = Pick(dip),
                PerDiemRates = Pick(perDiem) ?? new Dictionary<string, decimal>(),
                Indicators = Pick(indicators) ?? new Dictionary<string, decimal>(),
                HasDemoValues = false,
            };
            result.Add((s, e, demo ? policy with { HasDemoValues = true } : policy));
        }

        return result;
    }

    private interface IBoundaries
    {
        void Add(SortedSet<DateOnly> set);
    }

    private sealed class B<T>(DatedRows<T>[] byInsurance) : IBoundaries
    {
        public void Add(SortedSet<DateOnly> set)
        {
            foreach (var r in byInsurance)
            {
                r.AddBoundaries(set);
            }
        }
    }

    private static long ToFen(decimal yuan) => Money.ToFenExact(yuan);

    private decimal Positive(YamlMap m, string key)
    {
        var d = m.Decimal(key);
        if (d <= 0)
        {
            throw m.Error(m.LineOf(key), key, $"expected a number > 0, got {d.ToString(CultureInfo.InvariantCulture)}");
        }

        return d;
    }

    private static decimal[] TierMoney(YamlMap m)
    {
        var v = new decimal[4];
        for (var t = 0; t < 4; t++)
        {
            v[t] = m.Money(TierKeys[t]);
        }

        return v;
    }

    private static decimal[] TierRatios(YamlMap m)
    {
        var v = new decimal[4];
        for (var t = 0; t < 4; t++)
        {
            v[t] = m.Ratio(TierKeys[t]);
        }

        return v;
    }

    private bool[] TierSet(YamlMap m, string key, string[] fallback)
    {
        var set = new bool[4];
        var seq = m.OptionalSequence(key);
        IEnumerable<string> names = seq is null ? fallback : seq.Select(n => m.Scalar(n, m.KeyPath(key), "a tier"));
        foreach (var n in names)
        {
            var t = Array.IndexOf(TierKeys, n);
            if (t < 0)
            {
                throw m.Error(m.LineOf(key), key, $"expected tiers out_of_city, city, county or township, got '{n}'");
            }

            set[t] = true;
        }

        return set;
    }

    private AssistanceClass ParseClass(YamlMap m, YamlNode n, string key)
    {
        var v = m.Scalar(n, m.KeyPath(key), "an assistance class");
        return ClassOfOrNull(v) ?? throw new InputException(file, n.Start.Line, m.KeyPath(key), $"unknown assistance class '{v}'");
    }

    private static AssistanceClass ClassOf(string v) => ClassOfOrNull(v)!.Value;

    private static AssistanceClass? ClassOfOrNull(string v)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(v);
        return CodeNames.TryParseAssistance(bytes, out var c) && c != AssistanceClass.None ? c : null;
    }

    private Code ParseCode(YamlMap m, string key, string text)
    {
        if (text.Length == 0 || text.Any(ch => ch <= ' ' || ch > '~'))
        {
            throw m.Error(m.LineOf(key), key, $"expected a code, got '{text}'");
        }

        return Code.Parse(text);
    }

    private Code[] CodeList(YamlMap m, string key)
    {
        var list = new List<Code>();
        if (m.OptionalSequence(key) is { } seq)
        {
            foreach (var n in seq)
            {
                list.Add(ParseCode(m, key, m.Scalar(n, m.KeyPath(key), "a code")));
            }
        }

        return [.. list];
    }

    private IReadOnlyDictionary<string, decimal> NumberMap(YamlMap m, string key, bool money)
    {
        var node = m.Required(key);
        if (node is not YamlMappingNode map)
        {
            throw m.Error(node.Start.Line, key, "expected a mapping (name: value lines)");
        }

        var dict = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var entry in map.Children)
        {
            var k = m.Scalar(entry.Key, m.KeyPath(key), "a name");
            var path = m.KeyPath(key) + "." + k;
            dict[k] = money ? m.CheckMoney(entry.Value, path) : m.ParseDecimal(entry.Value, path);
        }

        return dict;
    }

    private DatedRows<T>[] ByInsurance<T>(YamlMap top, string key, string[] keys, Func<YamlMap, T> build)
    {
        var result = new DatedRows<T>[3];
        result[0] = result[1] = result[2] = DatedRows<T>.Empty;
        if (top.OptionalMap(key, InsuranceKeys) is not { } map)
        {
            return result;
        }

        result[(int)InsuranceType.Employee] = Rows(map, "employee", keys, build);
        result[(int)InsuranceType.Resident] = Rows(map, "resident", keys, build);
        return result;
    }

    /// <summary>
    /// Reads a list of rows with from/to (inclusive, null = open) and checks it: ascending, no
    /// overlap, no gap; only the first row may have an open start and only the last an open end.
    /// </summary>
    private DatedRows<T> Rows<T>(YamlMap parent, string key, string[] keys, Func<YamlMap, T> build)
    {
        if (parent.OptionalSequence(key) is not { } seq)
        {
            return DatedRows<T>.Empty;
        }

        var allowed = RowKeys.Concat(keys).ToArray();
        var rows = new List<DatedRow<T>>();
        var i = 0;
        foreach (var node in seq)
        {
            var m = YamlMap.Open(file, node, $"{parent.KeyPath(key)}[{i}]", allowed);
            if (!HasKey(node, "from"))
            {
                throw new InputException(file, m.Line, m.KeyPath("from"), "missing required value (use null for an open start)");
            }

            if (!HasKey(node, "to"))
            {
                throw new InputException(file, m.Line, m.KeyPath("to"), "missing required value (use null for an open end)");
            }

            var from = m.OptionalDate("from") ?? DateOnly.MinValue;
            var to = m.OptionalDate("to") ?? DateOnly.MaxValue;
            if (to < from)
            {
                throw new InputException(file, m.LineOf("to"), m.KeyPath("to"), $"to {Show(to)} is before from {Show(from)}");
            }

            if (rows.Count > 0)
            {
                var prev = rows[^1];
                if (prev.To == DateOnly.MaxValue || from <= prev.To)
                {
                    throw new InputException(file, m.LineOf("from"), m.KeyPath("from"), $"range {Show(from)}..{Show(to)} overlaps the previous row (to {Show(prev.To)})");
                }

                if (from != prev.To.AddDays(1))
                {
                    throw new InputException(file, m.LineOf("from"), m.KeyPath("from"), $"gap after the previous row (to {Show(prev.To)}): expected from {Show(prev.To.AddDays(1))}");
                }
            }

            rows.Add(new DatedRow<T>(from, to, m.Bool("demo", false), m.Line, build(m)));
            i++;
        }

        return new DatedRows<T>(rows);
    }

    private void CheckCovers(YamlMap top, string group, List<(DateOnly From, DateOnly To)> rows, DateOnly validFrom, DateOnly validTo)
    {
        var line = top.LineOf(group[..group.IndexOf('.', StringComparison.Ordinal)]);
        if (rows.Count == 0)
        {
            throw new InputException(file, line, group, "missing required value (deductibles and general_ratios go together)");
        }

        if (rows[0].From > validFrom || rows[^1].To < validTo)
        {
            throw new InputException(file, line, group, $"rows cover {Show(rows[0].From)}..{Show(rows[^1].To)}, not the policy validity {Show(validFrom)}..{Show(validTo)}");
        }
    }

    private static bool HasKey(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(key));

    private static string Show(DateOnly d) =>
        d == DateOnly.MinValue || d == DateOnly.MaxValue ? "open" : d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
