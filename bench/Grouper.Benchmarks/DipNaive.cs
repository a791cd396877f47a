using Grouper.Core;
using Grouper.Dip;

namespace Grouper.Benchmarks;

/// <summary>A case as a naive implementation would hold it: strings straight from the CSV.</summary>
internal sealed record NaiveCase(string Dx, string? Proc, string[] Others, string[] Secondary, int AgeYears, int Mode, int Los, long CostFen, string GradeGroup, int Tier);

/// <summary>
/// The baseline: what a straightforward implementation looks like (string keys, LINQ, lists,
/// dictionaries of strings, allocation per case). Same rules as <see cref="DipMatcher"/> for the
/// benchmark's inputs (no per diem, no middle band).
/// </summary>
internal sealed class NaiveDipMatcher
{
    private readonly DipCatalog _c;
    private readonly DipScoringParameters _p;
    private readonly Dictionary<string, List<(int Index, DipGroup Group, List<string> Procs)>> _core = [];
    private readonly Dictionary<string, int> _comprehensive = [];
    private readonly Dictionary<string, decimal> _aux = [];
    private readonly Dictionary<string, int> _cci = [];
    private static readonly string[] Grades = ["3A", "3B", "3C", "2A", "2B", "2C", "1", "0"];

    public NaiveDipMatcher(DipCatalog c, DipScoringParameters p)
    {
        _c = c;
        _p = p;
        for (var i = 0; i < c.Groups.Count; i++)
        {
            var g = c.Groups[i];
            if (g.Kind == DipGroupKind.Comprehensive)
            {
                _comprehensive[g.Code] = i;
            }
            else
            {
                var key = g.DiagnosisKey.ToString();
                if (!_core.TryGetValue(key, out var list))
                {
                    _core[key] = list = [];
                }

                list.Add((i, g, g.Procedures.Select(x => x.ToString()).ToList()));
            }
        }

        foreach (var a in c.AuxFactors)
        {
            _aux[$"{a.GroupIndex}|{a.Item}|{a.Level}"] = a.Factor;
        }

        foreach (var (k, v) in c.Definitions.CciWeights)
        {
            _cci[k.ToString()] = v;
        }
    }

    private ProcedureKind Kind(string key) =>
        _c.Definitions.ProcedureOverrides.TryGetValue(Code.Parse(key), out var k) ? k : _c.Definitions.ChapterDefaults[int.Parse(key[..2], System.Globalization.CultureInfo.InvariantCulture)];

    public DipResult Match(NaiveCase x)
    {
        var res = new DipResult { GroupIndex = -1, AuxFactorE4 = 10000, PerDiemCategory = -1 };
        var all = new List<string>();
        if (x.Proc is not null)
        {
            all.Add(x.Proc);
        }

        all.AddRange(x.Others);
        var set = all.Select(s => s.Length > 7 ? s[..7] : s).Where(k => Kind(k) != ProcedureKind.Ignored).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();
        var treatment = set.Count == 0 ? TreatmentKind.Conservative : (TreatmentKind)set.Max(k => (int)Kind(k));
        var key = x.Dx.Length > 5 ? x.Dx[..5] : x.Dx;
        var g = -1;
        if (_core.TryGetValue(key, out var list))
        {
            g = list.Where(t => t.Procs.Count == 0 ? set.Count == 0 : t.Procs.All(set.Contains))
                .OrderByDescending(t => t.Procs.Count).ThenByDescending(t => t.Group.Score).ThenBy(t => t.Group.Code, StringComparer.Ordinal)
                .Select(t => t.Index).DefaultIfEmpty(-1).First();
        }

        if (g < 0 && !_comprehensive.TryGetValue(x.Dx[..3] + ":" + DipReasons.Letter(treatment), out g))
        {
            res.Reason = DipReason.NoGroup;
            res.PointsE4 = (long)(Rounding.Places4(x.CostFen / (decimal)_c.RegionalMeanCostFen * _c.ScoreScale) * 10000);
            return res;
        }

        var grp = _c.Groups[g];
        res.GroupIndex = g;
        res.ScoreE4 = (long)(grp.Score * 10000);
        var sum = x.Secondary.Sum(s => _cci.TryGetValue(s[..3], out var w) ? w : 0);
        var cci = _c.Definitions.CciThresholds.Count(t => sum >= t);
        var candidates = new List<decimal>();
        if (cci > 0 && _aux.TryGetValue($"{g}|{AuxItem.Cci}|{cci}", out var f1))
        {
            candidates.Add(f1);
        }

        for (var b = 0; b < _c.Definitions.AgeBands.Count; b++)
        {
            if (_c.Definitions.AgeBands[b].Contains(AgeBand.AgeKey(x.AgeYears, -1)) && _aux.TryGetValue($"{g}|{AuxItem.Age}|{b}", out var f2))
            {
                candidates.Add(f2);
            }
        }

        if (_aux.TryGetValue($"{g}|{AuxItem.DischargeMode}|{x.Mode}", out var f3))
        {
            candidates.Add(f3);
        }

        var aux = candidates.Count > 0 ? candidates.Max() : 1m;
        res.AuxFactorE4 = (long)(aux * 10000);
        var gi = Array.IndexOf(Grades, x.GradeGroup);
        var reference = grp.ReferenceCostByGradeFen[gi] > 0 ? grp.ReferenceCostByGradeFen[gi] : grp.ReferenceCostFen;
        var r = Rounding.Places4((decimal)x.CostFen / reference);
        res.CostRatioE4 = (long)(r * 10000);
        res.PointsE4 = (long)(10000 * (r <= _p.LowThreshold ? Rounding.Places4(grp.Score * r)
            : r >= _p.HighThreshold ? Rounding.Places4(grp.Score * aux * (1 + (r - _p.HighThreshold)))
            : Rounding.Places4(grp.Score * aux)));
        return res;
    }
}
