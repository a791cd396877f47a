using Grouper.Core;
using Grouper.Dip.Internals;
using Grouper.Ingest;

namespace Grouper.Dip;

/// <summary>
/// Builds a DIP catalog from several years of history (dip.md "Building a catalog"). Cases are
/// added one by one into compact per-key accumulators (a key is the packed diagnosis key plus an
/// interned procedure-set id); <see cref="Build"/> forms groups, trims, weights years and scores.
/// The result depends only on the multiset of cases added, never on their order.
/// Not thread-safe: one builder per thread, or feed it from one consumer.
/// </summary>
public sealed class DipCatalogBuilder
{
    private readonly DipBuildParameters _p;
    private readonly CompiledRules _rules;
    private readonly int[] _years;
    private readonly decimal[] _weights;
    private readonly int _slots;

    private readonly ProcSetTable _sets = new();
    private readonly CodeMap _keyIndex = new(1024);

    // Per key.
    private Growable<Code> _keyDx = new(1024);
    private Growable<int> _keySet = new(1024);
    private Growable<byte> _keyTreatment = new(1024);
    private Growable<long> _keyCount = new(1024);
    private Growable<long> _keySum = new(1024);
    private Growable<long> _auxCount = new(1024);
    private Growable<long> _auxSum = new(1024);

    // Per case: key × year index and cost packed as fen << 3 | grade index.
    private Growable<int> _caseKeyYear = new(1 << 16);
    private Growable<long> _caseCost = new(1 << 16);

    public DipCatalogBuilder(DipBuildParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        _p = parameters;
        _rules = new CompiledRules(parameters.Definitions);
        _slots = _rules.SlotCount;
        var ys = new List<DipYearWeight>(parameters.YearWeights);
        ys.Sort((a, b) => a.Year.CompareTo(b.Year));
        _years = new int[ys.Count];
        _weights = new decimal[ys.Count];
        for (var i = 0; i < ys.Count; i++)
        {
            _years[i] = ys[i].Year;
            _weights[i] = ys[i].Weight;
        }
    }

    /// <summary>Cases accepted into the history (after dropping per-diem and review cases).</summary>
    public long CasesAdded => _caseCost.Count;

    public long CasesDroppedPerDiem { get; private set; }

    public long CasesDroppedReview { get; private set; }

    /// <summary>Adds one historical case of <paramref name="year"/> (must have a weight).</summary>
    public void Add(in DipInput input, int year)
    {
        var yi = Array.IndexOf(_years, year);
        if (yi < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "year has no weight in the build parameters");
        }

        if (input.TotalCostFen < 0 || input.TotalCostFen > (long.MaxValue >> 4))
        {
            throw new ArgumentOutOfRangeException(nameof(input), "total cost out of range");
        }

        // Step 1: per-diem and individual-review cases do not shape group costs.
        if (_rules.PerDiemCategory(input.HospitalKind, input.PrincipalDx, input.LengthOfStay) >= 0)
        {
            CasesDroppedPerDiem++;
            return;
        }

        if (input.LengthOfStay >= _p.ReviewMinLos)
        {
            CasesDroppedReview++;
            return;
        }

        Span<Code> set = stackalloc Code[CompiledRules.MaxProcs];
        var n = _rules.ProcedureSet(input.PrincipalProc, input.OtherProcs, set, out var treatment);
        var setId = _sets.Intern(set[..n]);
        var dx = _rules.DxKey(input.PrincipalDx);
        var packed = dx.Value | (uint)setId;
        if (!_keyIndex.TryGet(packed, out var key))
        {
            key = _keyDx.Count;
            _keyIndex.Set(packed, key);
            _keyDx.Add(dx);
            _keySet.Add(setId);
            _keyTreatment.Add((byte)treatment);
            _keyCount.Add(0);
            _keySum.Add(0);
            _auxCount.Extend(_slots);
            _auxSum.Extend(_slots);
        }

        var cost = input.TotalCostFen;
        _keyCount.Items[key]++;
        _keySum.Items[key] += cost;
        _caseKeyYear.Add((key * _years.Length) + yi);
        _caseCost.Add((cost << 3) | (uint)CompiledRules.GradeIndex(input.HospitalLevel));

        var b = key * _slots;
        var cci = _rules.CciLevel(input.SecondaryDx);
        if (cci > 0)
        {
            AddAux(b + cci - 1, cost);
        }

        var age = AgeBand.AgeKey(input.AgeYears, input.AgeDays);
        for (var i = 0; i < _rules.AgeBandCount; i++)
        {
            if (_rules.InAgeBand(i, age))
            {
                AddAux(b + _rules.AgeSlot0 + i, cost);
            }
        }

        var tumour = _rules.TumourLevel(input.PrincipalDx, input.SecondaryDx, input.PrincipalProc, input.OtherProcs);
        if (tumour > 0)
        {
            AddAux(b + _rules.TumourSlot0 + tumour - 1, cost);
        }

        var ds = _rules.DischargeSlot(input.DischargeMode);
        if (ds >= 0)
        {
            AddAux(b + ds, cost);
        }
    }

    /// <summary>Adds record <paramref name="index"/> of a validated batch.</summary>
    public void Add(DischargeBatch batch, int index, int year, HospitalLevel level, HospitalKind kind)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ref readonly var rec = ref batch.Records[index];
        var input = new DipInput(rec.PrincipalDx, batch.SecondaryDx(in rec), rec.PrincipalProc, batch.OtherProcs(in rec), rec.AgeYears, rec.AgeDays, rec.DischargeMode, rec.LengthOfStay, rec.TotalCostFen, level, kind);
        Add(in input, year);
    }

    /// <summary>
    /// Adds everything another builder (same parameters) has collected, so several threads can
    /// each feed their own builder and merge at the end. The built catalog does not depend on
    /// how cases were split or in which order builders are merged.
    /// </summary>
    public void Merge(DipCatalogBuilder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other._p, _p) && other._p != _p)
        {
            throw new ArgumentException("builders must share their build parameters", nameof(other));
        }

        var map = new int[other._keyDx.Count];
        for (var k = 0; k < map.Length; k++)
        {
            var dx = other._keyDx.Items[k];
            var setId = _sets.Intern(other._sets.Get(other._keySet.Items[k]));
            var packed = dx.Value | (uint)setId;
            if (!_keyIndex.TryGet(packed, out var key))
            {
                key = _keyDx.Count;
                _keyIndex.Set(packed, key);
                _keyDx.Add(dx);
                _keySet.Add(setId);
                _keyTreatment.Add(other._keyTreatment.Items[k]);
                _keyCount.Add(0);
                _keySum.Add(0);
                _auxCount.Extend(_slots);
                _auxSum.Extend(_slots);
            }

            map[k] = key;
            _keyCount.Items[key] += other._keyCount.Items[k];
            _keySum.Items[key] += other._keySum.Items[k];
            for (var s = 0; s < _slots; s++)
            {
                _auxCount.Items[(key * _slots) + s] += other._auxCount.Items[(k * _slots) + s];
                _auxSum.Items[(key * _slots) + s] += other._auxSum.Items[(k * _slots) + s];
            }
        }

        var nYears = _years.Length;
        for (var i = 0; i < other._caseCost.Count; i++)
        {
            var ky = other._caseKeyYear.Items[i];
            _caseKeyYear.Add((map[ky / nYears] * nYears) + (ky % nYears));
            _caseCost.Add(other._caseCost.Items[i]);
        }

        CasesDroppedPerDiem += other.CasesDroppedPerDiem;
        CasesDroppedReview += other.CasesDroppedReview;
    }

    private void AddAux(int slot, long cost)
    {
        _auxCount.Items[slot]++;
        _auxSum.Items[slot] += cost;
    }

    private sealed class Spec
    {
        public required string Code;
        public required DipGroupKind Kind;
        public required Code Key;
        public required Code[] Procs;
        public required TreatmentKind Treatment;
        public readonly List<int> Keys = [];
    }

    /// <summary>Forms groups, trims, weights and scores; returns the catalog and its report.</summary>
    public (DipCatalog Catalog, DipBuildReport Report) Build()
    {
        var keyCount = _keyDx.Count;
        var nYears = _years.Length;

        // Steps 3–4: core keys (≥ N cases) and comprehensive groups of the rest.
        var specs = new Dictionary<string, Spec>(StringComparer.Ordinal);
        for (var k = 0; k < keyCount; k++)
        {
            Spec? s;
            if (_keyCount.Items[k] >= _p.CoreThreshold)
            {
                var procs = _sets.Get(_keySet.Items[k]).ToArray();
                var code = DipGroup.CoreCode(_keyDx.Items[k], procs);
                s = new Spec { Code = code, Kind = DipGroupKind.Core, Key = _keyDx.Items[k], Procs = procs, Treatment = (TreatmentKind)_keyTreatment.Items[k] };
                specs.Add(code, s);
            }
            else
            {
                var cat = _keyDx.Items[k].Prefix(_rules.CategoryLength);
                var t = (TreatmentKind)_keyTreatment.Items[k];
                var code = DipGroup.ComprehensiveCode(cat, t);
                if (!specs.TryGetValue(code, out s))
                {
                    s = new Spec { Code = code, Kind = DipGroupKind.Comprehensive, Key = cat, Procs = [], Treatment = t };
                    specs.Add(code, s);
                }
            }

            s.Keys.Add(k);
        }

        var ordered = new List<Spec>(specs.Values);
        ordered.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
        foreach (var s in ordered)
        {
            s.Keys.Sort();
        }

        // Step 5: grassroots list.
        var missingGrassroots = new List<string>();
        foreach (var code in _p.Grassroots)
        {
            if (specs.TryGetValue(code, out var s) && s.Kind == DipGroupKind.Core)
            {
                s.Kind = DipGroupKind.Grassroots;
            }
            else
            {
                missingGrassroots.Add(code);
            }
        }

        missingGrassroots.Sort(StringComparer.Ordinal);

        // Scatter costs by (group, year) with a counting sort: one array, contiguous slices.
        var groupOfKey = new int[keyCount];
        for (var g = 0; g < ordered.Count; g++)
        {
            foreach (var k in ordered[g].Keys)
            {
                groupOfKey[k] = g;
            }
        }

        var nGy = ordered.Count * nYears;
        var offsets = new long[nGy + 1];
        var ky = _caseKeyYear.Items;
        var costs = _caseCost.Items;
        var nCases = _caseCost.Count;
        for (var i = 0; i < nCases; i++)
        {
            var gy = (groupOfKey[ky[i] / nYears] * nYears) + (ky[i] % nYears);
            offsets[gy + 1]++;
        }

        for (var i = 0; i < nGy; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var sorted = new long[nCases];
        var fill = (long[])offsets.Clone();
        for (var i = 0; i < nCases; i++)
        {
            var gy = (groupOfKey[ky[i] / nYears] * nYears) + (ky[i] % nYears);
            sorted[fill[gy]++] = costs[i];
        }

        // Step 6: trim per group-year; trimmed means overall and by grade group.
        var keptSum = new long[nGy];
        var keptCount = new long[nGy];
        var gradeSum = new long[nGy * CompiledRules.GradeCount];
        var gradeCount = new long[nGy * CompiledRules.GradeCount];
        var yearSum = new long[nYears];
        var yearCount = new long[nYears];
        long trimmedAway = 0;
        // Group-years are independent: sort and trim them in parallel; every result lands in
        // its own slot, so the outcome does not depend on scheduling.
        var removed = new long[nGy];
        Parallel.For(0, nGy, gy =>
        {
            var slice = sorted.AsSpan((int)offsets[gy], (int)(offsets[gy + 1] - offsets[gy]));
            if (slice.IsEmpty)
            {
                return;
            }

            slice.Sort();
            var (lo, hi) = TrimRange(slice);
            removed[gy] = slice.Length - (hi - lo);
            for (var i = lo; i < hi; i++)
            {
                var c = slice[i] >> 3;
                var grade = (int)(slice[i] & 7);
                keptSum[gy] += c;
                keptCount[gy]++;
                gradeSum[(gy * CompiledRules.GradeCount) + grade] += c;
                gradeCount[(gy * CompiledRules.GradeCount) + grade]++;
            }
        });

        for (var gy = 0; gy < nGy; gy++)
        {
            trimmedAway += removed[gy];
            yearSum[gy % nYears] += keptSum[gy];
            yearCount[gy % nYears] += keptCount[gy];
        }

        // Step 7: regional mean M over all kept cases, year-weighted.
        var regional = WeightedMeanFen(yearSum, yearCount, 0, 1) ?? throw new InvalidOperationException("no history cases to build from");

        var groups = new List<DipGroup>(ordered.Count);
        var aux = new List<DipAuxFactor>();
        long coreCases = 0, allCases = 0, coreCost = 0, allCost = 0;
        int nCore = 0, nGrass = 0, nComp = 0;
        for (var g = 0; g < ordered.Count; g++)
        {
            var s = ordered[g];
            var baseGy = g * nYears;
            var mg = WeightedMeanFen(keptSum, keptCount, baseGy, 1)!.Value;
            var byGrade = new long[CompiledRules.GradeCount];
            for (var gi = 0; gi < byGrade.Length; gi++)
            {
                byGrade[gi] = WeightedMeanFen(gradeSum, gradeCount, (baseGy * CompiledRules.GradeCount) + gi, CompiledRules.GradeCount) ?? -1;
            }

            // Step 8: score from the stored (fen) values so the catalog recomputes exactly.
            var score = Rounding.Places4(mg * _p.ScoreScale / regional);
            long cases = 0, sum = 0;
            foreach (var k in s.Keys)
            {
                cases += _keyCount.Items[k];
                sum += _keySum.Items[k];
            }

            groups.Add(new DipGroup(s.Code, s.Kind, s.Key, s.Procs, s.Treatment, score, (int)cases, mg, byGrade));
            allCases += cases;
            allCost += sum;
            switch (s.Kind)
            {
                case DipGroupKind.Core: nCore++; coreCases += cases; coreCost += sum; break;
                case DipGroupKind.Grassroots: nGrass++; coreCases += cases; coreCost += sum; break;
                default: nComp++; break;
            }

            AuxFactors(g, s, cases, sum, aux);
        }

        var catalog = new DipCatalog(_p.Name, _p.Version, _p.EffectiveFrom, _p.EffectiveTo, _p.IsDemo, _p.ScoreScale, regional, _p.Definitions, groups, aux);
        var report = new DipBuildReport
        {
            CasesUsed = allCases,
            CasesTrimmed = trimmedAway,
            CasesDroppedPerDiem = CasesDroppedPerDiem,
            CasesDroppedReview = CasesDroppedReview,
            CoreGroups = nCore,
            GrassrootsGroups = nGrass,
            ComprehensiveGroups = nComp,
            CoreCaseShare = allCases == 0 ? 0 : Rounding.Places4((decimal)coreCases / allCases),
            CoreCostShare = allCost == 0 ? 0 : Rounding.Places4((decimal)coreCost / allCost),
            RegionalMeanCostFen = regional,
            Years = [.. _years],
            YearCases = [.. yearCount],
            AuxFactorCount = aux.Count,
            GrassrootsNotFound = missingGrassroots,
        };
        return (catalog, report);
    }

    /// <summary>Group-wise auxiliary factors: mean cost of the subset ÷ mean cost of the group (pooled years, before trimming; *Assumption*).</summary>
    private void AuxFactors(int g, Spec s, long groupCases, long groupSum, List<DipAuxFactor> aux)
    {
        if (groupSum <= 0)
        {
            return;
        }

        var defs = _p.Definitions;
        for (var slot = 0; slot < _slots; slot++)
        {
            long c = 0, sum = 0;
            foreach (var k in s.Keys)
            {
                c += _auxCount.Items[(k * _slots) + slot];
                sum += _auxSum.Items[(k * _slots) + slot];
            }

            if (c < _p.AuxMinCases || sum <= 0)
            {
                continue;
            }

            var factor = Rounding.Places4(sum * (decimal)groupCases / (c * (decimal)groupSum));
            var (item, level) = defs.SlotItem(slot);
            if (factor < 1m && !Contains(_p.AuxBelowOneItems, item))
            {
                continue;
            }

            aux.Add(new DipAuxFactor(g, item, level, factor, (int)c));
        }
    }

    private static bool Contains(IReadOnlyList<AuxItem> list, AuxItem item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>[lo, hi) of the sorted packed costs kept by the IQR rule (quartiles by linear interpolation, Excel QUARTILE.INC).</summary>
    private (int Lo, int Hi) TrimRange(ReadOnlySpan<long> sorted)
    {
        var n = sorted.Length;
        if (!_p.Trim || n < _p.TrimMinCases)
        {
            return (0, n);
        }

        var q1 = Quantile(sorted, n - 1, 1);
        var q3 = Quantile(sorted, n - 1, 3);
        var iqr = q3 - q1;
        var lower = q1 - (_p.TrimIqrMultiplier * iqr);
        var upper = q3 + (_p.TrimIqrMultiplier * iqr);
        var lo = 0;
        while (lo < n && (sorted[lo] >> 3) < lower)
        {
            lo++;
        }

        var hi = n;
        while (hi > lo && (sorted[hi - 1] >> 3) > upper)
        {
            hi--;
        }

        return (lo, hi);
    }

    /// <summary>Quartile q (1 or 3) at position h = (n − 1)·q/4, interpolated, exact in decimal.</summary>
    internal static decimal Quantile(ReadOnlySpan<long> sorted, int nMinus1, int q)
    {
        var pos4 = nMinus1 * q; // position × 4
        var i = pos4 / 4;
        var frac = (pos4 % 4) / 4m;
        var a = sorted[i] >> 3;
        if (frac == 0)
        {
            return a;
        }

        var b = sorted[i + 1] >> 3;
        return a + (frac * (b - a));
    }

    /// <summary>Σ w_y·a_y ÷ Σ w_y over the years with cases (a_y = sum ÷ count), half-up to the fen; null when no year has a case.</summary>
    private long? WeightedMeanFen(long[] sums, long[] counts, int start, int stride)
    {
        decimal num = 0, den = 0;
        for (var y = 0; y < _years.Length; y++)
        {
            var idx = start + (y * stride);
            if (counts[idx] == 0)
            {
                continue;
            }

            num += _weights[y] * sums[idx] / counts[idx];
            den += _weights[y];
        }

        return den == 0 ? null : Rounding.ToFen(num / den / Money.FenPerYuan);
    }
}

/// <summary>What a catalog build did (step 9): groups by kind, share of cases and cost in core groups.</summary>
public sealed record DipBuildReport
{
    public long CasesUsed { get; init; }

    public long CasesTrimmed { get; init; }

    public long CasesDroppedPerDiem { get; init; }

    public long CasesDroppedReview { get; init; }

    public int CoreGroups { get; init; }

    public int GrassrootsGroups { get; init; }

    public int ComprehensiveGroups { get; init; }

    /// <summary>Share of used cases in core (incl. grassroots) groups, 4 places.</summary>
    public decimal CoreCaseShare { get; init; }

    /// <summary>Share of their total cost (before trimming), 4 places.</summary>
    public decimal CoreCostShare { get; init; }

    public long RegionalMeanCostFen { get; init; }

    public IReadOnlyList<int> Years { get; init; } = [];

    /// <summary>Kept (after trimming) cases per year.</summary>
    public IReadOnlyList<long> YearCases { get; init; } = [];

    public int AuxFactorCount { get; init; }

    /// <summary>Grassroots list entries that are not core groups of this build.</summary>
    public IReadOnlyList<string> GrassrootsNotFound { get; init; } = [];

    public void Save(string path) => JsonOut.WriteFile(path, w =>
    {
        w.WriteStartObject();
        w.WriteNumber("cases_used", CasesUsed);
        w.WriteNumber("cases_trimmed", CasesTrimmed);
        w.WriteNumber("cases_dropped_per_diem", CasesDroppedPerDiem);
        w.WriteNumber("cases_dropped_review", CasesDroppedReview);
        w.WriteStartObject("groups");
        w.WriteNumber("core", CoreGroups);
        w.WriteNumber("grassroots", GrassrootsGroups);
        w.WriteNumber("comprehensive", ComprehensiveGroups);
        w.WriteEndObject();
        JsonOut.Dec(w, "core_case_share", CoreCaseShare, 4);
        JsonOut.Dec(w, "core_cost_share", CoreCostShare, 4);
        w.WriteString("regional_mean_cost", Money.Format(RegionalMeanCostFen));
        w.WriteStartArray("years");
        for (var i = 0; i < Years.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("year", Years[i]);
            w.WriteNumber("kept_cases", YearCases[i]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("aux_factors", AuxFactorCount);
        w.WriteStartArray("grassroots_not_found");
        foreach (var g in GrassrootsNotFound)
        {
            w.WriteStringValue(g);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}
