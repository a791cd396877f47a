using Grouper.Clearing.Internals;
using Grouper.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Grouper.Clearing;

/// <summary>How the point value is derived (clearing.md step 5).</summary>
public enum PointValueBasis : byte
{
    /// <summary>V = F ÷ Σ P_h (default).</summary>
    Fund = 0,

    /// <summary>V_c = (F + Σ N_h) ÷ Σ P_h; the hospital's fund amount is P_h × V_c − N_h.</summary>
    Cost = 1,
}

/// <summary>
/// One tier of surplus retention (结余留用) or overrun sharing (超支分担): the part of the surplus or
/// overrun between the previous tier's bound and <see cref="UpTo"/> × S_h is shared at
/// <see cref="Share"/> (retained by the hospital, or borne by the fund). <see cref="UpTo"/> null = no upper bound.
/// </summary>
public readonly record struct SharingTier(decimal? UpTo, decimal Share);

/// <summary>A hospital's bonus (加成系数, ≥ 1) and deduction (扣减系数, ≤ 1) coefficients, 4 places.</summary>
public readonly record struct HospitalCoefficients(decimal Bonus, decimal Deduction)
{
    public static HospitalCoefficients None { get; } = new(1m, 1m);
}

/// <summary>An approved individual review (特病单议) result: approved points (0.0001) or approved cost (fen).</summary>
public readonly record struct ApprovedReview(string CaseId, long? Points, long? CostFen);

/// <summary>Clearing inputs of one pooling region and year (records.md "Clearing inputs").</summary>
public sealed class ClearingRegionInputs
{
    private static readonly long[] NoAdvances = new long[12];

    public required string Region { get; init; }

    public required int Year { get; init; }

    public PointValueBasis Basis { get; init; }

    /// <summary>DIP fund budget (总额预算), fen.</summary>
    public required long BudgetFen { get; init; }

    /// <summary>r_R: regulating reserve (调剂金) share of the budget, 4 places.</summary>
    public required decimal ReserveShare { get; init; }

    /// <summary>V0: provisional point value, 6 places.</summary>
    public required decimal ProvisionalPointValue { get; init; }

    /// <summary>b: band around V0 outside which V is clamped; null = no band.</summary>
    public decimal? PointValueBand { get; init; }

    /// <summary>Negotiated level coefficients by level group (e.g. "3A"); they win over the computed ones.</summary>
    public IReadOnlyDictionary<string, decimal> LevelCoefficientOverrides { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Bonus/deduction per hospital_id; absent = 1/1.</summary>
    public IReadOnlyDictionary<string, HospitalCoefficients> HospitalCoefficients { get; init; } = new Dictionary<string, HospitalCoefficients>();

    public required IReadOnlyList<SharingTier> SurplusRetention { get; init; }

    public required IReadOnlyList<SharingTier> OverrunSharing { get; init; }

    /// <summary>w: quality withhold (质量保证金) rate.</summary>
    public decimal WithholdRate { get; init; }

    /// <summary>When true, adjustments that exceed the reserve are cut pro rata (clearing.md step 7).</summary>
    public bool CutAdjustmentsToReserve { get; init; } = true;

    /// <summary>a: monthly advance ratio (预付比例).</summary>
    public decimal AdvanceRatio { get; init; } = 1m;

    /// <summary>K_prev by level group, for monthly advances.</summary>
    public IReadOnlyDictionary<string, decimal> PriorLevelCoefficients { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Advances paid, fen, per hospital_id: 12 months (index 0 = January).</summary>
    public IReadOnlyDictionary<string, long[]> AdvancesPaid { get; init; } = new Dictionary<string, long[]>();

    /// <summary>Approved individual reviews by case_id.</summary>
    public IReadOnlyDictionary<string, ApprovedReview> ApprovedReviews { get; init; } = new Dictionary<string, ApprovedReview>();

    public HospitalCoefficients CoefficientsOf(string hospitalId) =>
        HospitalCoefficients.TryGetValue(hospitalId, out var c) ? c : Clearing.HospitalCoefficients.None;

    /// <summary>Advances paid to the hospital in one month (1..12), fen.</summary>
    public long AdvancePaidFen(string hospitalId, int month) =>
        (AdvancesPaid.TryGetValue(hospitalId, out var m) ? m : NoAdvances)[month - 1];

    /// <summary>Σ advances paid to the hospital over the year, fen.</summary>
    public long AdvancePaidFen(string hospitalId)
    {
        if (!AdvancesPaid.TryGetValue(hospitalId, out var months))
        {
            return 0;
        }

        long sum = 0;
        foreach (var v in months)
        {
            sum = checked(sum + v);
        }

        return sum;
    }

    /// <summary>The approved review of a case, if any (the lead applies it before aggregation).</summary>
    public bool TryGetApprovedReview(string caseId, out ApprovedReview review) => ApprovedReviews.TryGetValue(caseId, out review);

    /// <summary>
    /// Monthly advance (月度预付) of a hospital for a month whose points were <paramref name="monthPoints"/>
    /// (0.0001 point): round(points × K_prev × V0 × a), K_prev of its level group (1 if none given).
    /// </summary>
    public long MonthlyAdvanceFen(long monthPoints, string levelGroup) =>
        AnnualClearing.MonthlyAdvanceFen(monthPoints, PriorLevelCoefficients.TryGetValue(levelGroup, out var k) ? k : 1m, ProvisionalPointValue, AdvanceRatio);
}

/// <summary>
/// The clearing inputs file (YAML, docs/clearing.md): name, version and one section per region
/// and year. Loaded strictly: unknown keys, missing keys, bad numbers and duplicates are
/// <see cref="InputException"/>s naming file, line and key.
/// </summary>
public sealed class ClearingInputs
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public bool Demo { get; init; }

    public required IReadOnlyList<ClearingRegionInputs> Clearings { get; init; }

    public ClearingRegionInputs? Find(string region, int year)
    {
        foreach (var c in Clearings)
        {
            if (c.Year == year && string.Equals(c.Region, region, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return null;
    }

    public static ClearingInputs Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new InputException(path, "clearing inputs file not found");
        }

        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    public static ClearingInputs Parse(TextReader text, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(text);
        }
        catch (YamlException ex)
        {
            throw new InputException(fileName, ex.Start.Line, null, "invalid YAML: " + ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The same YamlDotNet failure modes the fuzzer found in the policy loader.
            throw new InputException(fileName, 0, null, "invalid YAML (the parser could not read the document)");
        }

        if (stream.Documents.Count != 1)
        {
            throw new InputException(fileName, "expected exactly one YAML document");
        }

        var root = new YamlMap(fileName, string.Empty, stream.Documents[0].RootNode);
        root.OnlyKeys("name", "version", "demo", "clearings");
        var list = new List<ClearingRegionInputs>();
        var seen = new HashSet<(string, int)>();
        var items = root.Sequence("clearings");
        for (var i = 0; i < items.Count; i++)
        {
            var c = ParseRegion(new YamlMap(fileName, $"clearings[{i}]", items[i]));
            if (!seen.Add((c.Region, c.Year)))
            {
                throw new InputException(fileName, items[i].Start.Line, $"clearings[{i}]", $"region {c.Region} year {c.Year} appears twice");
            }

            list.Add(c);
        }

        return new ClearingInputs
        {
            Name = root.String("name"),
            Version = root.String("version"),
            Demo = root.Bool("demo", false),
            Clearings = list,
        };
    }

    private static ClearingRegionInputs ParseRegion(YamlMap m)
    {
        m.OnlyKeys("region", "year", "basis", "budget", "reserve_share", "provisional_point_value", "point_value_band",
            "level_coefficient_overrides", "hospitals", "surplus_retention", "overrun_sharing", "withhold_rate",
            "cut_adjustments_to_reserve", "advance_ratio", "prior_level_coefficients", "advances_paid", "approved_reviews");
        var basisText = m.OptionalString("basis") ?? "fund";
        var basis = basisText switch
        {
            "fund" => PointValueBasis.Fund,
            "cost" => PointValueBasis.Cost,
            _ => throw m.Error(m.Required("basis"), YamlMap.Join(m.Path, "basis"), $"expected fund or cost, found '{basisText}'"),
        };

        return new ClearingRegionInputs
        {
            Region = m.String("region"),
            Year = m.Int("year", 1900, 9999),
            Basis = basis,
            BudgetFen = Money.ToFenExact(m.Decimal("budget", 2, 0.01m, 1_000_000_000_000m)),
            ReserveShare = m.Decimal("reserve_share", 4, 0m, 0.9999m),
            ProvisionalPointValue = m.Decimal("provisional_point_value", 6, 0.000001m, 1_000_000m),
            PointValueBand = m.OptionalDecimal("point_value_band", 4, 0m, 0.9999m),
            LevelCoefficientOverrides = Coefficients(m, "level_coefficient_overrides"),
            HospitalCoefficients = Hospitals(m),
            SurplusRetention = Tiers(m, "surplus_retention", "retained"),
            OverrunSharing = Tiers(m, "overrun_sharing", "fund_share"),
            WithholdRate = m.OptionalDecimal("withhold_rate", 4, 0m, 0.9999m) ?? 0m,
            CutAdjustmentsToReserve = m.Bool("cut_adjustments_to_reserve", true),
            AdvanceRatio = m.OptionalDecimal("advance_ratio", 4, 0.0001m, 1m) ?? 1m,
            PriorLevelCoefficients = Coefficients(m, "prior_level_coefficients"),
            AdvancesPaid = Advances(m),
            ApprovedReviews = Reviews(m),
        };
    }

    private static Dictionary<string, decimal> Coefficients(YamlMap m, string key)
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (m.OptionalMap(key) is { } map)
        {
            foreach (var (k, _, v) in map.Entries)
            {
                result[k] = map.ParseDecimal(v, YamlMap.Join(map.Path, k), 4, 0.0001m, 100m);
            }
        }

        return result;
    }

    private static Dictionary<string, HospitalCoefficients> Hospitals(YamlMap m)
    {
        var result = new Dictionary<string, HospitalCoefficients>(StringComparer.Ordinal);
        if (m.OptionalMap("hospitals") is { } map)
        {
            foreach (var (id, _, v) in map.Entries)
            {
                var h = new YamlMap(m.File, YamlMap.Join(map.Path, id), v);
                h.OnlyKeys("bonus", "deduction");

                // B_h ≥ 1 and D_h ≤ 1 (clearing.md step 3): a bonus below 1 is a deduction in disguise.
                result[id] = new HospitalCoefficients(
                    h.OptionalDecimal("bonus", 4, 1m, 10m) ?? 1m,
                    h.OptionalDecimal("deduction", 4, 0.0001m, 1m) ?? 1m);
            }
        }

        return result;
    }

    private static SharingTier[] Tiers(YamlMap m, string key, string shareKey)
    {
        var nodes = m.Sequence(key);
        var tiers = new SharingTier[nodes.Count];
        decimal previous = 0m;
        for (var i = 0; i < nodes.Count; i++)
        {
            var t = new YamlMap(m.File, $"{m.Path}.{key}[{i}]", nodes[i]);
            t.OnlyKeys("up_to", shareKey);
            var upTo = t.OptionalDecimal("up_to", 4, 0.0001m, 100m);
            if (upTo is null && i != nodes.Count - 1)
            {
                throw t.Error(nodes[i], t.Path, "only the last tier may omit up_to");
            }

            if (upTo <= previous)
            {
                throw t.Error(t.Required("up_to"), YamlMap.Join(t.Path, "up_to"), "tiers must have increasing up_to");
            }

            previous = upTo ?? previous;
            tiers[i] = new SharingTier(upTo, t.Decimal(shareKey, 4, 0m, 1m));
        }

        return tiers;
    }

    private static Dictionary<string, long[]> Advances(YamlMap m)
    {
        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        if (m.OptionalMap("advances_paid") is not { } map)
        {
            return result;
        }

        foreach (var (id, _, v) in map.Entries)
        {
            var months = new long[12];
            var path = YamlMap.Join(map.Path, id);
            if (v is YamlScalarNode)
            {
                // A single amount: the year's total, booked in December (only the sum matters for the balance).
                months[11] = Money.ToFenExact(map.ParseDecimal(v, path, 2, 0m, 1_000_000_000_000m));
            }
            else
            {
                var mm = new YamlMap(m.File, path, v);
                foreach (var (monthText, kn, amount) in mm.Entries)
                {
                    var month = mm.ParseInt(kn, YamlMap.Join(path, monthText), 1, 12);
                    months[month - 1] = Money.ToFenExact(mm.ParseDecimal(amount, YamlMap.Join(path, monthText), 2, 0m, 1_000_000_000_000m));
                }
            }

            result[id] = months;
        }

        return result;
    }

    private static Dictionary<string, ApprovedReview> Reviews(YamlMap m)
    {
        var result = new Dictionary<string, ApprovedReview>(StringComparer.Ordinal);
        var nodes = m.OptionalSequence("approved_reviews");
        for (var i = 0; i < nodes.Count; i++)
        {
            var r = new YamlMap(m.File, $"{m.Path}.approved_reviews[{i}]", nodes[i]);
            r.OnlyKeys("case_id", "points", "cost");
            var id = r.String("case_id");
            var points = r.OptionalDecimal("points", 4, 0m, 1_000_000_000m);
            var cost = r.OptionalDecimal("cost", 2, 0m, 1_000_000_000m);
            if (points.HasValue == cost.HasValue)
            {
                throw r.Error(nodes[i], r.Path, "give exactly one of points or cost");
            }

            if (!result.TryAdd(id, new ApprovedReview(id, points is { } p ? (long)(p * 10_000m) : null, cost is { } c ? Money.ToFenExact(c) : null)))
            {
                throw r.Error(r.Required("case_id"), YamlMap.Join(r.Path, "case_id"), $"case {id} reviewed twice");
            }
        }

        return result;
    }
}
