using System.Text.RegularExpressions;
using Grouper.Core;

namespace Grouper.Drg.Internals;

/// <summary>Validates a <see cref="CatalogSource"/> and compiles it. Errors name file, line and field.</summary>
internal sealed partial class CatalogBuilder(CatalogSource src, string dir)
{
    private readonly Dictionary<string, int> _mdcIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _adrgIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _drgIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tableIndex = new(StringComparer.Ordinal);

    // (adrg, section) -> codes
    private readonly Dictionary<(string, string), List<string>> _dxSections = [];
    private readonly Dictionary<(string, string), List<string>> _procSections = [];

    public string[] MdcCodes { get; private set; } = [];

    public string[] MdcNames { get; private set; } = [];

    public string[] AdrgCodes { get; private set; } = [];

    public string[] AdrgNames { get; private set; } = [];

    public string[] DrgCodes { get; private set; } = [];

    public string[] DrgNames { get; private set; } = [];

    public int[] DrgWeight4 { get; private set; } = [];

    public long[] DrgAverageCostFen { get; private set; } = [];

    public string[] TableNames { get; private set; } = [];

    public string[] SiteNames { get; private set; } = [];

    public List<DrgAdrgView> AdrgViews { get; } = [];

    public List<DrgCcView> CcViews { get; } = [];

    public CompiledCatalog Compiled { get; private set; } = null!;

    [GeneratedRegex("^MDC[A-Z]$")]
    private static partial Regex MdcForm();

    [GeneratedRegex("^[A-Z]{2}[0-9]$")]
    private static partial Regex AdrgForm();

    [GeneratedRegex("^[A-Z]{2}[0-9][0-9A-Z]$")]
    private static partial Regex DrgForm();

    private string F(string file) => Path.Combine(dir, file);

    private InputException Err(string file, long line, string field, string message) => new(F(file), line, field, message);

    private void CheckDx(string file, long line, string field, string code)
    {
        if (!DrgCatalog.DxForm().IsMatch(code))
        {
            throw Err(file, line, field, $"malformed ICD-10 code '{code}'");
        }
    }

    private void CheckProc(string file, long line, string field, string code)
    {
        if (!DrgCatalog.ProcForm().IsMatch(code))
        {
            throw Err(file, line, field, $"malformed ICD-9-CM-3 code '{code}'");
        }
    }

    public void Build()
    {
        // ---- MDCs
        var mdcRows = src.Mdcs;
        if (mdcRows.Count == 0)
        {
            throw Err(CatalogSource.MdcFile, 1, "mdc", "no MDC rows");
        }

        var kinds = new MdcKind[mdcRows.Count];
        var special = new Dictionary<MdcKind, int>();
        for (var i = 0; i < mdcRows.Count; i++)
        {
            var m = mdcRows[i];
            if (!MdcForm().IsMatch(m.Code))
            {
                throw Err(CatalogSource.MdcFile, m.Line, "mdc", $"malformed MDC code '{m.Code}' (expected MDC + letter)");
            }

            if (!_mdcIndex.TryAdd(m.Code, i))
            {
                throw Err(CatalogSource.MdcFile, m.Line, "mdc", $"duplicate MDC {m.Code}");
            }

            kinds[i] = m.Kind switch
            {
                "regular" => MdcKind.Regular,
                "pre_adrg" => MdcKind.PreAdrg,
                "newborn" => MdcKind.Newborn,
                "any_dx" => MdcKind.AnyDx,
                "multi_trauma" => MdcKind.MultiTrauma,
                _ => throw Err(CatalogSource.MdcFile, m.Line, "kind", $"unknown kind '{m.Kind}' (regular, pre_adrg, newborn, any_dx, multi_trauma)"),
            };
            if (kinds[i] != MdcKind.Regular && !special.TryAdd(kinds[i], i))
            {
                throw Err(CatalogSource.MdcFile, m.Line, "kind", $"a second MDC of kind {m.Kind}");
            }

            if (m.Sex is not ("" or "M" or "F"))
            {
                throw Err(CatalogSource.MdcFile, m.Line, "sex", $"expected M, F or empty, found '{m.Sex}'");
            }

            if (m.OnNoAdrg is not ("0000" or "QY"))
            {
                throw Err(CatalogSource.MdcFile, m.Line, "on_no_adrg", $"expected 0000 or QY, found '{m.OnNoAdrg}'");
            }
        }

        MdcCodes = mdcRows.Select(m => m.Code).ToArray();
        MdcNames = mdcRows.Select(m => m.Name).ToArray();

        // ---- ADRGs
        var adrgRows = src.Adrgs;
        for (var i = 0; i < adrgRows.Count; i++)
        {
            var a = adrgRows[i];
            const string file = CatalogSource.AdrgFile;
            if (!AdrgForm().IsMatch(a.Code))
            {
                throw Err(file, a.Line, "adrg", $"malformed ADRG code '{a.Code}' (expected two letters and a digit)");
            }

            if (!_adrgIndex.TryAdd(a.Code, i))
            {
                throw Err(file, a.Line, "adrg", $"duplicate ADRG {a.Code}");
            }

            if (!_mdcIndex.TryGetValue(a.Mdc, out var mi))
            {
                throw Err(file, a.Line, "mdc", $"unknown MDC '{a.Mdc}'");
            }

            if (a.Code[0] != a.Mdc[3])
            {
                throw Err(file, a.Line, "adrg", $"ADRG {a.Code} does not start with the letter of {a.Mdc}");
            }

            if (a.Kind is not ("surgical" or "non_or_procedure" or "medical"))
            {
                throw Err(file, a.Line, "kind", $"expected surgical, non_or_procedure or medical, found '{a.Kind}'");
            }

            if (a.AgeDaysMin > a.AgeDaysMax || a.WeightMin > a.WeightMax)
            {
                throw Err(file, a.Line, "age_days_min", "band minimum above maximum");
            }

            if (a.EntryLogic.Length == 0)
            {
                throw Err(file, a.Line, "entry_logic", "empty entry logic");
            }

            _ = mi;
        }

        foreach (var g in adrgRows.GroupBy(a => (a.Mdc, a.Order)).Where(g => g.Count() > 1))
        {
            var second = g.Skip(1).First();
            throw Err(CatalogSource.AdrgFile, second.Line, "order", $"order {second.Order} used twice in {second.Mdc}");
        }

        AdrgCodes = adrgRows.Select(a => a.Code).ToArray();
        AdrgNames = adrgRows.Select(a => a.Name).ToArray();

        // ---- sections
        var seen = new HashSet<(string, string, string)>();
        foreach (var r in src.AdrgDx)
        {
            const string file = CatalogSource.AdrgDxFile;
            if (!_adrgIndex.ContainsKey(r.Adrg))
            {
                throw Err(file, r.Line, "adrg", $"unknown ADRG '{r.Adrg}'");
            }

            if (!EntryLogic.IsDxSection(r.Section))
            {
                throw Err(file, r.Line, "section", $"bad diagnosis section '{r.Section}' (PDX, SDX, DX with optional digit)");
            }

            CheckDx(file, r.Line, "icd10", r.Code);
            if (!seen.Add((r.Adrg, r.Section, r.Code)))
            {
                throw Err(file, r.Line, "icd10", $"duplicate code {r.Code} in {r.Adrg} {r.Section}");
            }

            Section(_dxSections, r.Adrg, r.Section).Add(r.Code);
        }

        seen.Clear();
        foreach (var r in src.AdrgProc)
        {
            const string file = CatalogSource.AdrgProcFile;
            if (!_adrgIndex.ContainsKey(r.Adrg))
            {
                throw Err(file, r.Line, "adrg", $"unknown ADRG '{r.Adrg}'");
            }

            if (!EntryLogic.IsProcSection(r.Section))
            {
                throw Err(file, r.Line, "section", $"bad procedure section '{r.Section}' (PPROC, PROC with optional digit)");
            }

            CheckProc(file, r.Line, "icd9", r.Code);
            if (!seen.Add((r.Adrg, r.Section, r.Code)))
            {
                throw Err(file, r.Line, "icd9", $"duplicate code {r.Code} in {r.Adrg} {r.Section}");
            }

            Section(_procSections, r.Adrg, r.Section).Add(r.Code);
        }

        // ---- exclusion tables (partition of principal diagnoses)
        var principalTable = new Dictionary<string, int>(StringComparer.Ordinal);
        var tableNames = new List<string>();
        foreach (var e in src.Exclusions)
        {
            const string file = CatalogSource.ExclusionFile;
            if (e.Key.Length == 0)
            {
                throw Err(file, e.Line, "exclusion_table", "empty table id");
            }

            CheckDx(file, e.Line, "icd10", e.Code);
            if (!_tableIndex.TryGetValue(e.Key, out var ti))
            {
                ti = tableNames.Count;
                _tableIndex.Add(e.Key, ti);
                tableNames.Add(e.Key);
            }

            if (!principalTable.TryAdd(e.Code, ti))
            {
                throw Err(file, e.Line, "icd10", $"code {e.Code} is already in table {tableNames[principalTable[e.Code]]} (a code belongs to one table)");
            }
        }

        TableNames = [.. tableNames];

        // ---- CC/MCC
        var cc = new Dictionary<string, (CcLevel Level, int Table)>(StringComparer.Ordinal);
        foreach (var c in src.CcMcc)
        {
            const string file = CatalogSource.CcFile;
            CheckDx(file, c.Line, "icd10", c.Code);
            var level = c.Level switch
            {
                "CC" => CcLevel.Cc,
                "MCC" => CcLevel.Mcc,
                _ => throw Err(file, c.Line, "level", $"expected CC or MCC, found '{c.Level}'"),
            };
            if (!_tableIndex.TryGetValue(c.Table, out var ti))
            {
                throw Err(file, c.Line, "exclusion_table", $"unknown exclusion table '{c.Table}' (not in {CatalogSource.ExclusionFile})");
            }

            if (!cc.TryAdd(c.Code, (level, ti)))
            {
                throw Err(file, c.Line, "icd10", $"duplicate CC/MCC code {c.Code}");
            }

            CcViews.Add(new DrgCcView(c.Code, level, c.Table));
        }

        // ---- MDC principal-dx tables
        var dxMdcs = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var anyDx = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in src.MdcDx)
        {
            const string file = CatalogSource.MdcDxFile;
            if (!_mdcIndex.TryGetValue(r.Key, out var mi))
            {
                throw Err(file, r.Line, "mdc", $"unknown MDC '{r.Key}'");
            }

            CheckDx(file, r.Line, "icd10", r.Code);
            if (kinds[mi] == MdcKind.AnyDx)
            {
                if (!anyDx.Add(r.Code))
                {
                    throw Err(file, r.Line, "icd10", $"duplicate code {r.Code} in {r.Key}");
                }

                continue;
            }

            if (kinds[mi] != MdcKind.Regular)
            {
                throw Err(file, r.Line, "mdc", $"{r.Key} is of kind {src.Mdcs[mi].Kind} and has no principal-diagnosis table");
            }

            if (!dxMdcs.TryGetValue(r.Code, out var list))
            {
                dxMdcs[r.Code] = list = [];
            }

            if (list.Contains(mi))
            {
                throw Err(file, r.Line, "icd10", $"duplicate code {r.Code} in {r.Key}");
            }

            var newSex = src.Mdcs[mi].Sex;
            if (list.Count > 0 && (newSex.Length == 0 || list.Any(o => src.Mdcs[o].Sex.Length == 0 || src.Mdcs[o].Sex == newSex)))
            {
                throw Err(file, r.Line, "icd10", $"code {r.Code} is in {src.Mdcs[list[0]].Code} and {r.Key}: a code may be in two MDCs only when they are of different sex");
            }

            list.Add(mi);
        }

        // ---- MDCZ sites
        var siteOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var siteNames = new List<string>();
        var siteIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in src.Sites)
        {
            const string file = CatalogSource.SitesFile;
            CheckDx(file, s.Line, "icd10", s.Code);
            if (s.Site.Length == 0)
            {
                throw Err(file, s.Line, "site", "empty site");
            }

            if (!siteIndex.TryGetValue(s.Site, out var si))
            {
                si = siteNames.Count;
                if (si >= 31)
                {
                    throw Err(file, s.Line, "site", "more than 31 sites");
                }

                siteIndex.Add(s.Site, si);
                siteNames.Add(s.Site);
            }

            if (!siteOf.TryAdd(s.Code, si))
            {
                throw Err(file, s.Line, "icd10", $"code {s.Code} is already in site {siteNames[siteOf[s.Code]]} (a code belongs to one site)");
            }
        }

        SiteNames = [.. siteNames];

        // ---- sex-conflict targets need the DRG table: build DRGs first
        var drgCodes = new List<string> { "0000" };
        var drgNames = new List<string> { "不能入组 (ungroupable)" };
        var drgAdrg = new List<int> { -1 };
        var levelsOf = new Dictionary<int, short[]>();
        foreach (var d in src.Drgs)
        {
            const string file = CatalogSource.DrgFile;
            if (!DrgForm().IsMatch(d.Code))
            {
                throw Err(file, d.Line, "drg", $"malformed DRG code '{d.Code}' (expected ADRG + digit or letter)");
            }

            if (!_adrgIndex.TryGetValue(d.Adrg, out var ai))
            {
                throw Err(file, d.Line, "adrg", $"DRG {d.Code}: unknown ADRG '{d.Adrg}'");
            }

            if (!d.Code.StartsWith(d.Adrg, StringComparison.Ordinal))
            {
                throw Err(file, d.Line, "drg", $"DRG {d.Code} does not start with its ADRG {d.Adrg}");
            }

            if (!_drgIndex.TryAdd(d.Code, drgCodes.Count))
            {
                throw Err(file, d.Line, "drg", $"duplicate DRG {d.Code}");
            }

            var mask = d.Split switch
            {
                "unsplit" => 0b111,
                "MCC" => 0b100,
                "CC" => 0b010,
                "no_CC_MCC" => 0b001,
                "no_MCC" => 0b011,
                "CC_or_MCC" => 0b110,
                _ => throw Err(file, d.Line, "split", $"unknown split '{d.Split}' (unsplit, MCC, CC, no_CC_MCC, no_MCC, CC_or_MCC)"),
            };
            if (!levelsOf.TryGetValue(ai, out var byLevel))
            {
                levelsOf[ai] = byLevel = [-1, -1, -1];
            }

            for (var l = 0; l < 3; l++)
            {
                if ((mask & (1 << l)) != 0)
                {
                    if (byLevel[l] >= 0)
                    {
                        throw Err(file, d.Line, "split", $"DRG {d.Code}: level {(CcLevel)l} of {d.Adrg} is already taken by {drgCodes[byLevel[l]]}");
                    }

                    byLevel[l] = (short)drgCodes.Count;
                }
            }

            drgCodes.Add(d.Code);
            drgNames.Add(d.Name);
            drgAdrg.Add(ai);
        }

        for (var ai = 0; ai < adrgRows.Count; ai++)
        {
            if (!levelsOf.TryGetValue(ai, out var byLevel) || byLevel.Any(x => x < 0))
            {
                throw Err(CatalogSource.DrgFile, 0, "split", $"ADRG {adrgRows[ai].Code}: its DRGs do not cover every CC/MCC level (none, CC, MCC)");
            }
        }

        var qyDrg = new short[mdcRows.Count];
        for (var i = 0; i < mdcRows.Count; i++)
        {
            var qy = mdcRows[i].Code[3] + "QY";
            if (_drgIndex.ContainsKey(qy))
            {
                throw Err(CatalogSource.DrgFile, 0, "drg", $"{qy} is reserved for the ambiguous group of {mdcRows[i].Code}");
            }

            qyDrg[i] = (short)drgCodes.Count;
            _drgIndex.Add(qy, drgCodes.Count);
            drgCodes.Add(qy);
            drgNames.Add("歧义组 (ambiguous) " + mdcRows[i].Code);
            drgAdrg.Add(-1);
        }

        if (drgCodes.Count > short.MaxValue)
        {
            throw Err(CatalogSource.DrgFile, 0, "drg", "too many DRGs");
        }

        DrgCodes = [.. drgCodes];
        DrgNames = [.. drgNames];

        // ---- pricing
        DrgWeight4 = new int[drgCodes.Count];
        DrgAverageCostFen = Enumerable.Repeat(-1L, drgCodes.Count).ToArray();
        if (src.Pricing is not null)
        {
            var priced = new HashSet<int>();
            foreach (var p in src.Pricing)
            {
                const string file = CatalogSource.PricingFile;
                if (!_drgIndex.TryGetValue(p.Drg, out var di) || drgAdrg[di] < 0)
                {
                    throw Err(file, p.Line, "drg", $"unknown DRG '{p.Drg}'");
                }

                if (!priced.Add(di))
                {
                    throw Err(file, p.Line, "drg", $"duplicate DRG {p.Drg}");
                }

                if (p.RelativeWeight <= 0m || p.RelativeWeight > 1000m || decimal.Round(p.RelativeWeight, 4) != p.RelativeWeight)
                {
                    throw Err(file, p.Line, "relative_weight", "expected a positive weight with at most 4 decimals");
                }

                DrgWeight4[di] = (int)(p.RelativeWeight * 10000m);
                if (p.AverageCost is { } avg)
                {
                    if (decimal.Round(avg, 2) != avg || avg > 100_000_000m)
                    {
                        throw Err(file, p.Line, "average_cost", "expected yuan with at most 2 decimals");
                    }

                    DrgAverageCostFen[di] = (long)(avg * 100m);
                }
            }
        }

        // ---- MDC infos (sex rules)
        var mdcInfos = new MdcInfo[mdcRows.Count];
        var adrgsOfMdc = Enumerable.Range(0, mdcRows.Count).Select(_ => new List<int>()).ToArray();
        for (var ai = 0; ai < adrgRows.Count; ai++)
        {
            adrgsOfMdc[_mdcIndex[adrgRows[ai].Mdc]].Add(ai);
        }

        for (var i = 0; i < mdcRows.Count; i++)
        {
            var m = mdcRows[i];
            short conflictDrg = 0;
            short conflictMdc = -1;
            var conflictReason = DrgReason.UngroupableSexConflict;
            if (m.OnSexConflict.Length > 0 && m.OnSexConflict != "0000")
            {
                if (!m.OnSexConflict.EndsWith("QY", StringComparison.Ordinal) || !_drgIndex.TryGetValue(m.OnSexConflict, out var qi) || drgAdrg[qi] >= 0)
                {
                    throw Err(CatalogSource.MdcFile, m.Line, "on_sex_conflict", $"expected 0000 or a QY code of a catalog MDC, found '{m.OnSexConflict}'");
                }

                conflictDrg = (short)qi;
                conflictMdc = (short)_mdcIndex["MDC" + m.OnSexConflict[0]];
                conflictReason = DrgReason.QySexConflict;
            }

            if (m.OnSexConflict.Length > 0 && m.Sex.Length == 0)
            {
                throw Err(CatalogSource.MdcFile, m.Line, "on_sex_conflict", "given without a sex");
            }

            int Rank(int ai) => adrgRows[ai].Kind switch { "surgical" => 0, "non_or_procedure" => 1, _ => 2 };
            var ordered = adrgsOfMdc[i].OrderBy(Rank).ThenBy(ai => adrgRows[ai].Order).ToArray();
            mdcInfos[i] = new MdcInfo
            {
                Code = m.Code,
                Kind = kinds[i],
                Sex = m.Sex switch { "M" => (byte)Sex.Male, "F" => (byte)Sex.Female, _ => 0 },
                SexConflictDrg = conflictDrg,
                SexConflictReason = conflictReason,
                SexConflictMdc = conflictMdc,
                NoAdrgQy = m.OnNoAdrg == "QY",
                QyDrg = qyDrg[i],
                ProcAdrgs = ordered.Where(ai => Rank(ai) < 2).ToArray(),
                MedicalAdrgs = ordered.Where(ai => Rank(ai) == 2).ToArray(),
                ProcList = 2 * i,
                MedicalList = (2 * i) + 1,
            };
            foreach (var (list, kind) in new[] { (mdcInfos[i].ProcAdrgs, "surgical and non-OR procedure"), (mdcInfos[i].MedicalAdrgs, "medical") })
            {
                // A case's candidates of one list are one 64-bit word, visited in evaluation order.
                if (list.Length > 64)
                {
                    throw Err(CatalogSource.AdrgFile, adrgRows[list[64]].Line, "mdc", $"{m.Code} has {list.Length} {kind} ADRGs; the grouper supports at most 64 per MDC and kind");
                }
            }
        }

        // Each ADRG is in exactly one evaluation list: (list id, position in the list).
        var lists = new int[2 * mdcInfos.Length][];
        var adrgList = new int[adrgRows.Count];
        var adrgPos = new int[adrgRows.Count];
        for (var i = 0; i < mdcInfos.Length; i++)
        {
            lists[mdcInfos[i].ProcList] = mdcInfos[i].ProcAdrgs;
            lists[mdcInfos[i].MedicalList] = mdcInfos[i].MedicalAdrgs;
        }

        for (var li = 0; li < lists.Length; li++)
        {
            for (var pos = 0; pos < lists[li].Length; pos++)
            {
                adrgList[lists[li][pos]] = li;
                adrgPos[lists[li][pos]] = pos;
            }
        }

        // ---- entry logic → tests
        var tests = new List<TestInfo>
        {
            new() { Mode = TestMode.HasProc, Text = "HAS_PROC", Adrg = string.Empty },
            new() { Mode = TestMode.NoProc, Text = "NO_PROC", Adrg = string.Empty },
        };
        var testIndex = new Dictionary<(TestMode, string, string), int>();
        var adrgInfos = new AdrgInfo[adrgRows.Count];
        bool HasSection(string adrg, string section) =>
            _dxSections.ContainsKey((adrg, section)) || _procSections.ContainsKey((adrg, section));

        for (var ai = 0; ai < adrgRows.Count; ai++)
        {
            var a = adrgRows[ai];
            List<List<Atom>> dnf;
            try
            {
                dnf = EntryLogic.Compile(a.Code, a.EntryLogic, HasSection);
            }
            catch (FormatException e)
            {
                throw Err(CatalogSource.AdrgFile, a.Line, "entry_logic", $"ADRG {a.Code}: bad entry logic '{a.EntryLogic}': {e.Message}");
            }

            foreach (var clause in dnf)
            {
                foreach (var atom in clause)
                {
                    var isDx = atom.Mode is TestMode.PrincipalDx or TestMode.SecondaryDx or TestMode.AnyDx;
                    var isProc = atom.Mode is TestMode.PrincipalProc or TestMode.AnyProc;
                    if ((isDx && !_dxSections.ContainsKey((atom.Adrg, atom.Section))) || (isProc && !_procSections.ContainsKey((atom.Adrg, atom.Section))))
                    {
                        throw Err(CatalogSource.AdrgFile, a.Line, "entry_logic", $"ADRG {a.Code}: token {atom.Text} refers to a list of the wrong kind");
                    }
                }
            }

            var clauses = dnf.Select(clause => clause.Select(atom =>
            {
                if (atom.Mode == TestMode.HasProc)
                {
                    return DrgCatalog.TestHasProc;
                }

                if (atom.Mode == TestMode.NoProc)
                {
                    return DrgCatalog.TestNoProc;
                }

                var key = (atom.Mode, atom.Adrg, atom.Section);
                if (!testIndex.TryGetValue(key, out var ti))
                {
                    ti = tests.Count;
                    testIndex.Add(key, ti);
                    tests.Add(new TestInfo { Mode = atom.Mode, Text = atom.Text, Adrg = atom.Adrg });
                }

                return ti;
            }).Distinct().ToArray()).ToArray();

            adrgInfos[ai] = new AdrgInfo
            {
                Code = a.Code,
                Mdc = _mdcIndex[a.Mdc],
                Kind = a.Kind switch { "surgical" => AdrgKind.Surgical, "non_or_procedure" => AdrgKind.NonOrProcedure, _ => AdrgKind.Medical },
                Order = a.Order,
                Logic = a.EntryLogic,
                Clauses = clauses,
                HasAgeBand = a.AgeDaysMin.HasValue || a.AgeDaysMax.HasValue,
                AgeDaysMin = a.AgeDaysMin ?? int.MinValue,
                AgeDaysMax = a.AgeDaysMax ?? int.MaxValue,
                HasWeightBand = a.WeightMin.HasValue || a.WeightMax.HasValue,
                WeightMin = a.WeightMin ?? int.MinValue,
                WeightMax = a.WeightMax ?? int.MaxValue,
                DrgByLevel = levelsOf[ai],
            };
        }

        if (tests.Count > ushort.MaxValue)
        {
            throw Err(CatalogSource.AdrgFile, 0, "entry_logic", "too many distinct tests");
        }

        // ---- code universes
        var dxCodes = new SortedSet<string>(StringComparer.Ordinal);
        dxCodes.UnionWith(dxMdcs.Keys);
        dxCodes.UnionWith(anyDx);
        dxCodes.UnionWith(siteOf.Keys);
        dxCodes.UnionWith(cc.Keys);
        dxCodes.UnionWith(principalTable.Keys);
        foreach (var l in _dxSections.Values)
        {
            dxCodes.UnionWith(l);
        }

        var procCodes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var l in _procSections.Values)
        {
            procCodes.UnionWith(l);
        }

        var dxList = dxCodes.ToArray();
        var procList = procCodes.ToArray();
        var dxId = new Dictionary<string, int>(dxList.Length, StringComparer.Ordinal);
        for (var i = 0; i < dxList.Length; i++)
        {
            dxId[dxList[i]] = i;
        }

        var procId = new Dictionary<string, int>(procList.Length, StringComparer.Ordinal);
        for (var i = 0; i < procList.Length; i++)
        {
            procId[procList[i]] = i;
        }

        var pdxTests = new List<ushort>[dxList.Length];
        var sdxTests = new List<ushort>[dxList.Length];
        var pprocTests = new List<ushort>[procList.Length];
        var oprocTests = new List<ushort>[procList.Length];
        static void AddTo(List<ushort>[] arr, int i, int t) => (arr[i] ??= []).Add((ushort)t);
        foreach (var ((mode, adrg, section), ti) in testIndex)
        {
            if (mode is TestMode.PrincipalDx or TestMode.SecondaryDx or TestMode.AnyDx)
            {
                foreach (var code in _dxSections[(adrg, section)])
                {
                    var id = dxId[code];
                    if (mode != TestMode.SecondaryDx)
                    {
                        AddTo(pdxTests, id, ti);
                    }

                    if (mode != TestMode.PrincipalDx)
                    {
                        AddTo(sdxTests, id, ti);
                    }
                }
            }
            else
            {
                foreach (var code in _procSections[(adrg, section)])
                {
                    var id = procId[code];
                    AddTo(pprocTests, id, ti);
                    if (mode == TestMode.AnyProc)
                    {
                        AddTo(oprocTests, id, ti);
                    }
                }
            }
        }

        var pool = new List<ushort>();
        (int, ushort) Flat(List<ushort>? l)
        {
            if (l is null)
            {
                return (pool.Count, 0);
            }

            l.Sort();
            var start = pool.Count;
            pool.AddRange(l.Distinct());
            return (start, (ushort)(pool.Count - start));
        }

        var dx = new DxInfo[dxList.Length];
        for (var i = 0; i < dxList.Length; i++)
        {
            var code = dxList[i];
            var (ps, pc) = Flat(pdxTests[i]);
            var (_, sc) = Flat(sdxTests[i]); // follows the principal tests in the pool
            if (pc > byte.MaxValue || sc > byte.MaxValue)
            {
                throw Err(CatalogSource.AdrgDxFile, 0, "icd10", $"code {code} is in more than {byte.MaxValue} lists");
            }

            dxMdcs.TryGetValue(code, out var ml);
            cc.TryGetValue(code, out var ccInfo);
            dx[i] = new DxInfo
            {
                TestStart = ps,
                SingleTest = pc + sc == 1 ? pool[ps] : (ushort)0,
                PdxCount = (byte)pc,
                SdxCount = (byte)sc,
                Mdc1 = ml is { Count: > 0 } ? (sbyte)ml[0] : (sbyte)-1,
                Mdc2 = ml is { Count: > 1 } ? (sbyte)ml[1] : (sbyte)-1,
                Site = siteOf.TryGetValue(code, out var si) ? (sbyte)si : (sbyte)-1,
                Flags = (byte)((byte)ccInfo.Level | (anyDx.Contains(code) ? 4 : 0)),
                CcTable = ccInfo.Level == CcLevel.None ? (short)-1 : (short)ccInfo.Table,
                PrincipalTable = principalTable.TryGetValue(code, out var pt) ? (short)pt : (short)-1,
            };
        }

        var proc = new ProcInfo[procList.Length];
        for (var i = 0; i < procList.Length; i++)
        {
            var (ps, pc) = Flat(pprocTests[i]);
            var (os, oc) = Flat(oprocTests[i]);
            proc[i] = new ProcInfo { PStart = ps, PCount = pc, OStart = os, OCount = oc };
        }

        // ---- views for sample-data generation
        for (var ai = 0; ai < adrgRows.Count; ai++)
        {
            var a = adrgRows[ai];
            List<string> Collect(Dictionary<(string, string), List<string>> d, Func<string, bool> pick) =>
                d.Where(kv => kv.Key.Item1 == a.Code && pick(kv.Key.Item2)).OrderBy(kv => kv.Key.Item2, StringComparer.Ordinal)
                    .SelectMany(kv => kv.Value).Distinct().ToList();
            AdrgViews.Add(new DrgAdrgView(
                a.Code,
                a.Mdc,
                adrgInfos[ai].Kind,
                a.Name,
                a.EntryLogic,
                Collect(_dxSections, s => s.StartsWith("PDX", StringComparison.Ordinal) || s.StartsWith("DX", StringComparison.Ordinal)).AsReadOnly(),
                Collect(_dxSections, s => s.StartsWith("SDX", StringComparison.Ordinal)).AsReadOnly(),
                Collect(_procSections, _ => true).AsReadOnly()));
        }

        // ---- anchors: one test per clause, the most selective by mode
        static int Selectivity(TestMode m) => m switch
        {
            TestMode.PrincipalDx or TestMode.PrincipalProc => 0,
            TestMode.SecondaryDx or TestMode.AnyDx or TestMode.AnyProc => 1,
            _ => 2,
        };
        var anchors = Enumerable.Range(0, tests.Count).Select(_ => new SortedSet<short>()).ToArray();
        for (var ai = 0; ai < adrgInfos.Length; ai++)
        {
            foreach (var clause in adrgInfos[ai].Clauses)
            {
                var anchor = clause.OrderBy(t => Selectivity(tests[t].Mode)).ThenBy(t => t).First();
                anchors[anchor].Add((short)ai);
            }
        }

        var anchorStart = new int[tests.Count];
        var anchorCount = new int[tests.Count];
        var anchorPool = new List<short>();
        for (var t = 0; t < tests.Count; t++)
        {
            anchorStart[t] = anchorPool.Count;
            anchorCount[t] = anchors[t].Count;
            anchorPool.AddRange(anchors[t]);
        }

        Compiled = new CompiledCatalog
        {
            AnchorStart = anchorStart,
            AnchorCount = anchorCount,
            AnchorPool = [.. anchorPool],
            AnchorList = anchorPool.Select(ai => (short)adrgList[ai]).ToArray(),
            AnchorBit = anchorPool.Select(ai => 1UL << adrgPos[ai]).ToArray(),
            Lists = lists,
            DxMap = new CodeMap<DxInfo>(dxList.Select(Code.Parse).ToArray(), dx),
            ProcMap = new CodeMap<ProcInfo>(procList.Select(Code.Parse).ToArray(), proc),
            TestPool = [.. pool],
            Tests = [.. tests],
            TestWords = (tests.Count + 63) / 64,
            Mdcs = mdcInfos,
            Adrgs = adrgInfos,
            PreAdrgMdc = special.GetValueOrDefault(MdcKind.PreAdrg, -1),
            NewbornMdc = special.GetValueOrDefault(MdcKind.Newborn, -1),
            AnyDxMdc = special.GetValueOrDefault(MdcKind.AnyDx, -1),
            MultiTraumaMdc = special.GetValueOrDefault(MdcKind.MultiTrauma, -1),
            NeonateMaxAgeDays = src.NeonateMaxAgeDays,
            InfantMaxAgeDays = src.InfantMaxAgeDays,
            DrgWeight4 = DrgWeight4,
            SiteNames = SiteNames,
        };
    }

    private static List<string> Section(Dictionary<(string, string), List<string>> d, string adrg, string section)
    {
        if (!d.TryGetValue((adrg, section), out var l))
        {
            d[(adrg, section)] = l = [];
        }

        return l;
    }
}
