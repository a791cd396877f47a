using Grouper.Dip.Internals;

namespace Grouper.Dip;

/// <summary>Weight of one history year (typical 1 : 2 : 7 for Y−3 … Y−1).</summary>
public sealed record DipYearWeight(int Year, decimal Weight);

/// <summary>
/// Parameters of <c>dip build-catalog</c>: the catalog's identity, year weights, core threshold N,
/// score scale S, trimming, auxiliary-factor rules, grassroots list and the rule definitions.
/// JSON form in docs/dip.md; <c>definitions</c> names a directory relative to the JSON file.
/// </summary>
public sealed record DipBuildParameters
{
    public string Name { get; init; } = "DIP catalog";

    public string Version { get; init; } = "1";

    public DateOnly EffectiveFrom { get; init; } = new(2024, 1, 1);

    public DateOnly EffectiveTo { get; init; } = new(2024, 12, 31);

    public bool IsDemo { get; init; }

    public IReadOnlyList<DipYearWeight> YearWeights { get; init; } = [new(2021, 1m), new(2022, 2m), new(2023, 7m)];

    /// <summary>N: keys with at least this many cases over the years become core groups (*Assumption* 15).</summary>
    public int CoreThreshold { get; init; } = 15;

    /// <summary>S (100 or 1000).</summary>
    public decimal ScoreScale { get; init; } = 100m;

    /// <summary>Trimming on: drop costs outside [Q1 − k·IQR, Q3 + k·IQR] of a group-year (*Assumption*).</summary>
    public bool Trim { get; init; } = true;

    /// <summary>k of the IQR rule (1.5).</summary>
    public decimal TrimIqrMultiplier { get; init; } = 1.5m;

    /// <summary>A group-year is trimmed only when it has at least this many cases (5).</summary>
    public int TrimMinCases { get; init; } = 5;

    /// <summary>An auxiliary factor is computed only from a subset of at least this many cases (*Assumption* 5).</summary>
    public int AuxMinCases { get; init; } = 5;

    /// <summary>Items whose factor may be below 1 (dip.md: discharge mode); others below 1 are not written (*Assumption*).</summary>
    public IReadOnlyList<AuxItem> AuxBelowOneItems { get; init; } = [AuxItem.DischargeMode];

    /// <summary>Cases with LOS ≥ this are individual-review cases and are dropped from the history (60).</summary>
    public int ReviewMinLos { get; init; } = 60;

    /// <summary>基层病种: core group codes on the policy list.</summary>
    public IReadOnlyList<string> Grassroots { get; init; } = [];

    public DipDefinitions Definitions { get; init; } = new();

    public void Validate()
    {
        if (YearWeights.Count == 0)
        {
            throw new ArgumentException("at least one year weight required");
        }

        var years = new HashSet<int>();
        foreach (var y in YearWeights)
        {
            if (y.Weight <= 0 || !years.Add(y.Year))
            {
                throw new ArgumentException($"year {y.Year}: weights must be positive and each year given once");
            }
        }

        if (CoreThreshold < 1 || ScoreScale <= 0 || TrimIqrMultiplier < 0 || TrimMinCases < 1 || AuxMinCases < 1 || ReviewMinLos < 1)
        {
            throw new ArgumentException("core_threshold, score_scale, trim and aux_min_cases must be positive");
        }

        if (EffectiveTo < EffectiveFrom)
        {
            throw new ArgumentException("effective_to before effective_from");
        }

        if (Definitions.DiagnosisKeyLength > 12)
        {
            // The builder packs (diagnosis key, set id) into one 128-bit key.
            throw new ArgumentException("diagnosis key length above 12 is not supported by the builder");
        }
    }

    public static DipBuildParameters Load(string path)
    {
        var (doc, root) = JsonNode.Open(path);
        using (doc)
        {
            var weights = new List<DipYearWeight>();
            foreach (var y in root.Child("year_weights").Items())
            {
                weights.Add(new DipYearWeight(y.Child("year").Int(1900, 2200), y.Child("weight").Decimal(4)));
            }

            var trim = root.Has("trim") ? root.Child("trim") : default;
            var belowOne = new List<AuxItem>();
            if (root.Has("aux_below_one_items"))
            {
                foreach (var i in root.Child("aux_below_one_items").Items())
                {
                    if (!DipReasons.TryParse(i.String(), out AuxItem item))
                    {
                        throw i.Error("cci, age, tumour or discharge_mode expected");
                    }

                    belowOne.Add(item);
                }
            }
            else
            {
                belowOne.Add(AuxItem.DischargeMode);
            }

            var grassroots = new List<string>();
            if (root.Has("grassroots"))
            {
                foreach (var g in root.Child("grassroots").Items())
                {
                    grassroots.Add(g.String());
                }
            }

            var defsNode = root.Child("definitions");
            var defsDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", defsNode.String());
            var p = new DipBuildParameters
            {
                Name = root.Child("name").String(),
                Version = root.Child("version").String(),
                EffectiveFrom = root.Child("effective_from").Date(),
                EffectiveTo = root.Child("effective_to").Date(),
                IsDemo = root.Has("demo") && root.Child("demo").Bool(),
                YearWeights = weights,
                CoreThreshold = root.Child("core_threshold").Int(1, 1_000_000),
                ScoreScale = root.Child("score_scale").Decimal(4),
                Trim = trim.File is null || !trim.Has("enabled") || trim.Child("enabled").Bool(),
                TrimIqrMultiplier = trim.File is not null && trim.Has("iqr_multiplier") ? trim.Child("iqr_multiplier").Decimal(4) : 1.5m,
                TrimMinCases = trim.File is not null && trim.Has("min_cases") ? trim.Child("min_cases").Int(1, 1_000_000) : 5,
                AuxMinCases = root.Has("aux_min_cases") ? root.Child("aux_min_cases").Int(1, 1_000_000) : 5,
                AuxBelowOneItems = belowOne,
                ReviewMinLos = root.Has("review_min_los") ? root.Child("review_min_los").Int(1, 100_000) : 60,
                Grassroots = grassroots,
                Definitions = DipDefinitions.Load(defsDir),
            };
            try
            {
                p.Validate();
            }
            catch (ArgumentException e)
            {
                throw root.Error(e.Message);
            }

            return p;
        }
    }
}
