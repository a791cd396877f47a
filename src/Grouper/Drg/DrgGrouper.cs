using System.Numerics;
using System.Runtime.CompilerServices;
using Grouper.Core;
using Grouper.Drg.Internals;
using Grouper.Ingest;

namespace Grouper.Drg;

/// <summary>
/// CHS-DRG 2.0 grouper (分组器) over one compiled <see cref="DrgCatalog"/>: the flow of drg.md steps 0–11.
/// Immutable and thread-safe; per-case state lives on the stack, so <see cref="Group"/> allocates
/// nothing (a case with more than 128 secondary diagnoses and other procedures together falls back to a heap buffer).
/// </summary>
[SkipLocalsInit]
public sealed class DrgGrouper
{
    private const int StackCodes = 256;
    private const int StackWords = 128;
    private readonly CompiledCatalog _c;
    private readonly bool _requireKnownSex;

    public DrgGrouper(DrgCatalog catalog, DrgGrouperOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Catalog = catalog;
        _c = catalog.Compiled;
        _requireKnownSex = (options ?? new DrgGrouperOptions()).RequireKnownSex;
    }

    public DrgCatalog Catalog { get; }

    /// <summary>Groups one case.</summary>
    public void Group(in DrgInput input, out DrgResult result) => Run(in input, out result, default(NoTrace));

    /// <summary>Groups one case and appends every rule step, in order, to <paramref name="steps"/> (slow path).</summary>
    public void GroupWithTrace(in DrgInput input, out DrgResult result, ICollection<string> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        Run(in input, out result, new ListTrace(steps));
    }

    /// <summary>Groups every record of a validated batch into <paramref name="results"/>[0..batch.Count).</summary>
    public void GroupBatch(DischargeBatch batch, Span<DrgResult> results)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (results.Length < batch.Count)
        {
            throw new ArgumentException("results shorter than the batch", nameof(results));
        }

        var records = batch.Records;
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref records[i];
            var input = new DrgInput(r.Sex, r.AgeYears, r.AgeDays, r.BirthWeightGrams, r.PrincipalDx, batch.SecondaryDx(in r), r.PrincipalProc, batch.OtherProcs(in r));
            Run(in input, out results[i], default(NoTrace));
        }
    }

    private ref struct Case
    {
        public Span<ulong> Bits;

        /// <summary>Per evaluation list: bits (by position) of the ADRGs that can hold (an anchor test of one of their clauses is set).</summary>
        public Span<ulong> Candidates;
        public Span<int> SecIds;
        public Span<int> SecPos;
        public int SecCount;
        public Span<int> OthIds;
        public Span<int> OthPos;
        public int OthCount;
        public int PdxId;
        public int PprocId;
        public Code Pdx;
        public Code Pproc;
        public ReadOnlySpan<Code> Sec;
        public ReadOnlySpan<Code> Oth;

        /// <summary>Age in days for day bands; beyond any band when age_years ≥ 1.</summary>
        public int AgeDays;
        public int Weight;
    }

    private void Run<TTrace>(in DrgInput input, out DrgResult result, TTrace trace)
        where TTrace : struct, ITraceSink
    {
        result = default;
        result.Mdc = -1;
        result.Adrg = -1;
        result.FirstExcludedTable = -1;
        var c = _c;

        // ---- step 0: refusals
        if (input.PrincipalDx.IsEmpty)
        {
            Ungroupable(ref result, DrgReason.UngroupableNoPrincipalDx, -1);
            if (TTrace.Enabled)
            {
                trace.Add("step 0: no principal diagnosis → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableNoPrincipalDx) + ")");
            }
            return;
        }

        if (_requireKnownSex && input.Sex is not (Sex.Male or Sex.Female))
        {
            Ungroupable(ref result, DrgReason.UngroupableSexUnknown, -1);
            if (TTrace.Enabled)
            {
                trace.Add($"step 0: sex {(int)input.Sex} not stated (RequireKnownSex) → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableSexUnknown) + ")");
            }
            return;
        }

        // ---- normalisation
        var sec = input.SecondaryDx;
        var oth = input.OtherProcs;

        // Start every code's map slot on its way to the cache first: the maps are larger than L2, and
        // the misses of the lookups below then overlap instead of stalling one after another.
        c.DxMap.Prefetch(input.PrincipalDx);
        for (var i = 0; i < sec.Length; i++)
        {
            c.DxMap.Prefetch(sec[i]);
        }

        c.ProcMap.Prefetch(input.PrincipalProc);
        for (var i = 0; i < oth.Length; i++)
        {
            c.ProcMap.Prefetch(oth[i]);
        }

        // One fixed-size stack block for the four code lists and one for both bitsets: constant-size
        // stackallocs without zeroing ([SkipLocalsInit]); only the bitsets need clearing.
        var codes = sec.Length + oth.Length;
        var lists = codes <= StackCodes / 2 ? stackalloc int[StackCodes] : new int[2 * codes];
        var words = c.TestWords + c.Lists.Length;
        var bitsets = words <= StackWords ? stackalloc ulong[StackWords] : new ulong[words];
        bitsets = bitsets[..words];
        bitsets.Clear();
        var cs = new Case
        {
            Pdx = input.PrincipalDx,
            Sec = sec,
            Oth = oth,
            Weight = input.BirthWeightGrams,
            AgeDays = input.AgeYears == 0 ? input.AgeDays : int.MaxValue,
            SecIds = lists[..sec.Length],
            SecPos = lists.Slice(sec.Length, sec.Length),
            OthIds = lists.Slice(2 * sec.Length, oth.Length),
            OthPos = lists.Slice((2 * sec.Length) + oth.Length, oth.Length),
            Bits = bitsets[..c.TestWords],
            Candidates = bitsets[c.TestWords..],
        };
        cs.PdxId = c.DxMap.Find(cs.Pdx);
        for (var i = 0; i < sec.Length; i++)
        {
            var code = sec[i];
            if (code.IsEmpty)
            {
                continue;
            }

            if (code == cs.Pdx)
            {
                result.Normalisation |= RecordWarnings.PdxRepeated;
                if (TTrace.Enabled)
                {
                    trace.Add($"normalise: secondary {code} repeats the principal → dropped (PDX_REPEATED)");
                }
                continue;
            }

            // A catalog code repeats an earlier one exactly when its slot is among the kept ones
            // (int compares); codes outside the catalog compare by value.
            var id = c.DxMap.Find(code);
            if (id >= 0 ? ContainsId(cs.SecIds[..cs.SecCount], id) : IndexOf(sec[..i], code) >= 0)
            {
                result.Normalisation |= RecordWarnings.DuplicateCode;
                if (TTrace.Enabled)
                {
                    trace.Add($"normalise: secondary {code} repeated → first kept (DUPLICATE_CODE)");
                }
                continue;
            }

            cs.SecPos[cs.SecCount] = i;
            cs.SecIds[cs.SecCount++] = id;
        }

        var othStart = 0;
        var promoted = false;
        cs.Pproc = input.PrincipalProc;
        if (cs.Pproc.IsEmpty)
        {
            while (othStart < oth.Length && oth[othStart].IsEmpty)
            {
                othStart++;
            }

            if (othStart < oth.Length)
            {
                cs.Pproc = oth[othStart++];
                promoted = true;
                result.Normalisation |= RecordWarnings.ProcPromoted;
                if (TTrace.Enabled)
                {
                    trace.Add($"normalise: no principal procedure → first other procedure {cs.Pproc} promoted (PROC_PROMOTED)");
                }
            }
        }

        for (var i = othStart; i < oth.Length; i++)
        {
            var code = oth[i];
            if (code.IsEmpty)
            {
                continue;
            }

            // As for secondaries; the earlier codes also include the promoted principal procedure.
            var id = c.ProcMap.Find(code);
            if (id >= 0 ? (promoted && code == cs.Pproc) || ContainsId(cs.OthIds[..cs.OthCount], id) : IndexOf(oth[..i], code) >= 0)
            {
                result.Normalisation |= RecordWarnings.DuplicateCode;
                if (TTrace.Enabled)
                {
                    trace.Add($"normalise: other procedure {code} repeated → first kept (DUPLICATE_CODE)");
                }
                continue;
            }

            cs.OthPos[cs.OthCount] = i;
            cs.OthIds[cs.OthCount++] = id;
        }

        cs.PprocId = c.ProcMap.Find(cs.Pproc);
        if (TTrace.Enabled)
        {
            TraceUniverse(ref cs, trace);
        }

        // ---- test bits of the case, and with them the candidate ADRGs
        Mark(ref cs, c, cs.PprocId >= 0 ? DrgCatalog.TestHasProc : DrgCatalog.TestNoProc);
        if (cs.PdxId >= 0)
        {
            ref readonly var d = ref c.DxMap[cs.PdxId];
            if (d.HasSingleTest)
            {
                if (d.PdxCount != 0)
                {
                    Mark(ref cs, c, d.SingleTest);
                }
            }
            else
            {
                MarkAll(ref cs, c, d.PdxStart, d.PdxCount);
            }
        }

        // One pass over the secondaries also notes their MDCZ sites and the first MDCY code (steps 4–5).
        var secSites = 0u;
        var anyDxSec = -1;
        for (var k = 0; k < cs.SecCount; k++)
        {
            var id = cs.SecIds[k];
            if (id >= 0)
            {
                ref readonly var d = ref c.DxMap[id];
                if (d.HasSingleTest)
                {
                    if (d.SdxCount != 0)
                    {
                        Mark(ref cs, c, d.SingleTest);
                    }
                }
                else
                {
                    MarkAll(ref cs, c, d.SdxStart, d.SdxCount);
                }

                if (d.Site >= 0)
                {
                    secSites |= 1u << d.Site;
                }

                if (d.AnyDxMdc && anyDxSec < 0)
                {
                    anyDxSec = k;
                }
            }
        }

        if (cs.PprocId >= 0)
        {
            ref readonly var p = ref c.ProcMap[cs.PprocId];
            MarkAll(ref cs, c, p.PStart, p.PCount);
        }

        for (var k = 0; k < cs.OthCount; k++)
        {
            var id = cs.OthIds[k];
            if (id >= 0)
            {
                ref readonly var p = ref c.ProcMap[id];
                MarkAll(ref cs, c, p.OStart, p.OCount);
            }
        }

        // ---- step 1: MDCA
        if (c.PreAdrgMdc >= 0)
        {
            var m = c.Mdcs[c.PreAdrgMdc];
            if (TTrace.Enabled)
            {
                trace.Add($"step 1: pre-MDC {m.Code}");
            }
            if (TryList(m.ProcList, ref cs, ref result, trace, false) || TryList(m.MedicalList, ref cs, ref result, trace, false))
            {
                return;
            }
        }

        // ---- steps 2–3: MDCP
        if (input.AgeYears == 0 && c.NewbornMdc >= 0)
        {
            if (input.AgeDays < 0)
            {
                Ungroupable(ref result, DrgReason.UngroupableNewbornData, -1);
                if (TTrace.Enabled)
                {
                    trace.Add("step 2: age_years 0 without age_days → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableNewbornData) + ")");
                }
                return;
            }

            if (input.AgeDays <= c.NeonateMaxAgeDays)
            {
                if (TTrace.Enabled)
                {
                    trace.Add($"step 2: neonate (age {input.AgeDays} d ≤ {c.NeonateMaxAgeDays}) → {c.Mdcs[c.NewbornMdc].Code}");
                }
                RunMdc(c.NewbornMdc, ref cs, ref result, trace);
                return;
            }

            if (input.AgeDays <= c.InfantMaxAgeDays)
            {
                var m = c.Mdcs[c.NewbornMdc];
                if (TTrace.Enabled)
                {
                    trace.Add($"step 3: infant (age {input.AgeDays} d) → try {m.Code} ADRGs with an age band");
                }
                if (TryList(m.ProcList, ref cs, ref result, trace, true) || TryList(m.MedicalList, ref cs, ref result, trace, true))
                {
                    return;
                }
            }
        }
        else
        {
            if (TTrace.Enabled)
            {
                trace.Add("steps 2–3: not a newborn or infant");
            }
        }

        // ---- step 4: MDCY
        if (c.AnyDxMdc >= 0)
        {
            var hit = cs.PdxId >= 0 && c.DxMap[cs.PdxId].AnyDxMdc ? cs.Pdx : anyDxSec >= 0 ? cs.Sec[cs.SecPos[anyDxSec]] : Code.Empty;

            if (!hit.IsEmpty)
            {
                if (TTrace.Enabled)
                {
                    trace.Add($"step 4: {hit} in the {c.Mdcs[c.AnyDxMdc].Code} list → {c.Mdcs[c.AnyDxMdc].Code}");
                }
                RunMdc(c.AnyDxMdc, ref cs, ref result, trace);
                return;
            }

            if (TTrace.Enabled)
            {
                trace.Add($"step 4: no diagnosis in the {c.Mdcs[c.AnyDxMdc].Code} list");
            }
        }

        // ---- step 5: MDCZ
        if (c.MultiTraumaMdc >= 0)
        {
            var pdxSite = cs.PdxId >= 0 ? c.DxMap[cs.PdxId].Site : -1;
            if (pdxSite >= 0)
            {
                var sites = secSites | (1u << pdxSite);

                if (BitOperations.PopCount(sites) >= 2)
                {
                    if (TTrace.Enabled)
                    {
                        trace.Add($"step 5: principal in site {c.SiteNames[pdxSite]}, {BitOperations.PopCount(sites)} sites → {c.Mdcs[c.MultiTraumaMdc].Code}");
                    }
                    RunMdc(c.MultiTraumaMdc, ref cs, ref result, trace);
                    return;
                }

                if (TTrace.Enabled)
                {
                    trace.Add($"step 5: principal in site {c.SiteNames[pdxSite]} but only one site → not {c.Mdcs[c.MultiTraumaMdc].Code}");
                }
            }
            else
            {
                if (TTrace.Enabled)
                {
                    trace.Add("step 5: principal not in an MDCZ site list");
                }
            }
        }

        // ---- step 6: MDC by principal diagnosis
        if (cs.PdxId < 0 || c.DxMap[cs.PdxId].MdcCount == 0)
        {
            Ungroupable(ref result, DrgReason.UngroupableUnknownPrincipalDx, -1);
            if (TTrace.Enabled)
            {
                trace.Add($"step 6: principal {cs.Pdx} in no MDC table → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableUnknownPrincipalDx) + ")");
            }
            return;
        }

        ref readonly var dx = ref c.DxMap[cs.PdxId];
        var mdc = dx.Mdc(0);
        if (input.Sex is Sex.Male or Sex.Female)
        {
            var found = -1;
            for (var j = 0; j < dx.MdcCount; j++)
            {
                var option = dx.Mdc(j);
                var ms = c.Mdcs[option].Sex;
                if (ms == 0 || ms == (byte)input.Sex)
                {
                    found = option;
                    break;
                }
            }

            if (found < 0)
            {
                var m = c.Mdcs[mdc];
                if (m.SexConflictReason == DrgReason.QySexConflict)
                {
                    result.Mdc = m.SexConflictMdc;
                    result.Drg = m.SexConflictDrg;
                    result.Reason = DrgReason.QySexConflict;
                    result.DecidingCode = cs.Pdx;
                    result.DecidedBy = DrgDecidedBy.PrincipalDiagnosis;
                    if (TTrace.Enabled)
                    {
                        trace.Add($"step 6: principal {cs.Pdx} is in {m.Code} only (sex {(m.Sex == 1 ? "male" : "female")}), patient is {input.Sex} → {Catalog.DrgCode(result.Drg)} (QY_SEX_CONFLICT)");
                    }
                }
                else
                {
                    Ungroupable(ref result, DrgReason.UngroupableSexConflict, -1);
                    if (TTrace.Enabled)
                    {
                        trace.Add($"step 6: principal {cs.Pdx} is in {m.Code}, patient is {input.Sex} → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableSexConflict) + ")");
                    }
                }

                return;
            }

            mdc = found;
        }

        if (TTrace.Enabled)
        {
            trace.Add($"step 6: principal {cs.Pdx} → {c.Mdcs[mdc].Code} (mdc_dx.csv)");
        }
        RunMdc(mdc, ref cs, ref result, trace);
    }

    /// <summary>Steps 7–9 inside one MDC.</summary>
    private void RunMdc<TTrace>(int mdc, ref Case cs, ref DrgResult result, TTrace trace)
        where TTrace : struct, ITraceSink
    {
        var m = _c.Mdcs[mdc];
        result.Mdc = (short)mdc;
        if (TryList(m.ProcList, ref cs, ref result, trace, false))
        {
            return;
        }

        if (result.Reason != DrgReason.Ok)
        {
            return; // weight needed but missing
        }

        if (cs.PprocId >= 0)
        {
            result.Drg = m.QyDrg;
            result.Reason = DrgReason.Qy;
            result.DecidingCode = cs.Pproc;
            result.DecidedBy = DrgDecidedBy.PrincipalProcedure;
            if (TTrace.Enabled)
            {
                trace.Add($"step 8: no procedure ADRG held, principal procedure {cs.Pproc} is in U → {Catalog.DrgCode(m.QyDrg)} (QY)");
            }
            return;
        }

        if (TryList(m.MedicalList, ref cs, ref result, trace, false))
        {
            return;
        }

        if (result.Reason != DrgReason.Ok)
        {
            return;
        }

        if (m.NoAdrgQy)
        {
            result.Drg = m.QyDrg;
            result.Reason = DrgReason.Qy;
            if (TTrace.Enabled)
            {
                trace.Add($"step 9: no ADRG of {m.Code} held → {Catalog.DrgCode(m.QyDrg)} (QY)");
            }
        }
        else
        {
            Ungroupable(ref result, DrgReason.UngroupableNoAdrg, mdc);
            if (TTrace.Enabled)
            {
                trace.Add($"step 9: no ADRG of {m.Code} held → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableNoAdrg) + ")");
            }
        }
    }

    /// <summary>Tries ADRGs in order; true when one was assigned or the case became ungroupable (newborn data).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryList<TTrace>(int listId, ref Case cs, ref DrgResult result, TTrace trace, bool requireAgeBand)
        where TTrace : struct, ITraceSink =>
        (TTrace.Enabled || cs.Candidates[listId] != 0) && TryListCore(listId, ref cs, ref result, trace, requireAgeBand);

    private bool TryListCore<TTrace>(int listId, ref Case cs, ref DrgResult result, TTrace trace, bool requireAgeBand)
        where TTrace : struct, ITraceSink
    {
        var adrgs = _c.Adrgs;
        var list = _c.Lists[listId];

        // Only ADRGs with an anchor set can hold; the trace path evaluates every one to say why not.
        var todo = TTrace.Enabled ? (list.Length == 64 ? ulong.MaxValue : (1UL << list.Length) - 1) : cs.Candidates[listId];
        while (todo != 0)
        {
            var pos = BitOperations.TrailingZeroCount(todo);
            todo &= todo - 1;
            var ai = list[pos];
            var a = adrgs[ai];
            if (a.HasAgeBand ? (cs.AgeDays < a.AgeDaysMin || cs.AgeDays > a.AgeDaysMax) : requireAgeBand)
            {
                if (TTrace.Enabled && a.HasAgeBand)
                {
                    trace.Add($"  {a.Code}: age band {a.AgeDaysMin}–{a.AgeDaysMax} d not met");
                }

                continue;
            }

            var clause = Holds(a, cs.Bits);
            if (clause < 0)
            {
                if (TTrace.Enabled)
                {
                    trace.Add($"  {a.Code} [{a.Logic}]: fails ({FailingTokens(a, cs.Bits)})");
                }

                continue;
            }

            if (a.HasWeightBand)
            {
                if (cs.Weight < 0)
                {
                    Ungroupable(ref result, DrgReason.UngroupableNewbornData, a.Mdc);
                    if (TTrace.Enabled)
                    {
                        trace.Add($"  {a.Code}: logic holds but birth weight is missing → 0000" + " (" + DrgReasons.Name(DrgReason.UngroupableNewbornData) + ")");
                    }
                    return true;
                }

                if (cs.Weight < a.WeightMin || cs.Weight > a.WeightMax)
                {
                    if (TTrace.Enabled)
                    {
                        trace.Add($"  {a.Code}: logic holds, weight {cs.Weight} g outside {Band(a.WeightMin, a.WeightMax)} g");
                    }

                    continue;
                }
            }

            Assign(ai, a.Clauses[clause], ref cs, ref result, trace);
            return true;
        }

        return false;
    }

    private void Assign<TTrace>(int adrgIndex, int[] clause, ref Case cs, ref DrgResult result, TTrace trace)
        where TTrace : struct, ITraceSink
    {
        var c = _c;
        var a = c.Adrgs[adrgIndex];
        result.Adrg = (short)adrgIndex;
        result.Mdc = (short)a.Mdc;
        result.Reason = DrgReason.Ok;
        Decide(clause, ref cs, ref result);
        if (TTrace.Enabled)
        {
            trace.Add($"  {a.Code} [{a.Logic}]: holds ({a.Kind}; decided by {result.DecidedBy} {result.DecidingCode})");
        }

        // ---- step 10: CC/MCC with exclusions
        var pTable = cs.PdxId >= 0 ? c.DxMap[cs.PdxId].PrincipalTable : (short)-1;
        var level = CcLevel.None;
        for (var k = 0; k < cs.SecCount; k++)
        {
            var id = cs.SecIds[k];
            if (id < 0)
            {
                continue;
            }

            ref readonly var d = ref c.DxMap[id];
            if (d.Level == CcLevel.None)
            {
                continue;
            }

            var code = cs.Sec[cs.SecPos[k]];
            if (d.CcTable == pTable)
            {
                if (result.ExcludedCount == 0)
                {
                    result.FirstExcludedCode = code;
                    result.FirstExcludedTable = d.CcTable;
                }

                if (result.ExcludedCount < byte.MaxValue)
                {
                    result.ExcludedCount++;
                }

                if (TTrace.Enabled)
                {
                    trace.Add($"step 10: {code} {DrgReasons.Name(d.Level)} table {Catalog.ExclusionTableName(d.CcTable)}: excluded (principal {cs.Pdx} is in that table)");
                }
                continue;
            }

            if (TTrace.Enabled)
            {
                trace.Add($"step 10: {code} {DrgReasons.Name(d.Level)} table {Catalog.ExclusionTableName(d.CcTable)}: counts");
            }
            if (d.Level > level)
            {
                level = d.Level;
                result.LevelCode = code;
            }
        }

        result.Level = level;
        var drg = a.DrgByLevel[(int)level];
        result.Drg = drg;
        result.RelativeWeight4 = c.DrgWeight4[drg];
        if (TTrace.Enabled)
        {
            var noLevel = a.DrgByLevel[0];
            var split = a.DrgByLevel[0] == a.DrgByLevel[2] ? "unsplit" : "split by level";
            trace.Add($"step 11: level {(level == CcLevel.None ? "none" : DrgReasons.Name(level))}, {a.Code} {split} (none→{Catalog.DrgCode(noLevel)}, CC→{Catalog.DrgCode(a.DrgByLevel[1])}, MCC→{Catalog.DrgCode(a.DrgByLevel[2])}) → {Catalog.DrgCode(drg)}");
        }
    }

    /// <summary>Which code decided the ADRG: procedure tests first (principal, then others), then diagnoses.</summary>
    private void Decide(int[] clause, ref Case cs, ref DrgResult result)
    {
        var c = _c;
        var tests = c.Tests;
        var pool = c.TestPool;

        // principal procedure
        for (var i = 0; i < clause.Length; i++)
        {
            var mode = tests[clause[i]].Mode;
            if (mode is TestMode.PrincipalProc or TestMode.HasProc)
            {
                result.DecidingCode = cs.Pproc;
                result.DecidedBy = DrgDecidedBy.PrincipalProcedure;
                return;
            }
        }

        for (var i = 0; i < clause.Length; i++)
        {
            var t = clause[i];
            if (tests[t].Mode != TestMode.AnyProc)
            {
                continue;
            }

            if (cs.PprocId >= 0 && Contains(pool, c.ProcMap[cs.PprocId].PStart, c.ProcMap[cs.PprocId].PCount, t))
            {
                result.DecidingCode = cs.Pproc;
                result.DecidedBy = DrgDecidedBy.PrincipalProcedure;
                return;
            }

            for (var k = 0; k < cs.OthCount; k++)
            {
                var id = cs.OthIds[k];
                if (id >= 0 && Contains(pool, c.ProcMap[id].OStart, c.ProcMap[id].OCount, t))
                {
                    result.DecidingCode = cs.Oth[cs.OthPos[k]];
                    result.DecidedBy = DrgDecidedBy.OtherProcedure;
                    return;
                }
            }
        }

        for (var i = 0; i < clause.Length; i++)
        {
            var t = clause[i];
            var mode = tests[t].Mode;
            if (mode is TestMode.PrincipalDx or TestMode.NoProc
                || (mode == TestMode.AnyDx && cs.PdxId >= 0 && Contains(pool, c.DxMap[cs.PdxId].PdxStart, c.DxMap[cs.PdxId].PdxCount, t)))
            {
                result.DecidingCode = cs.Pdx;
                result.DecidedBy = DrgDecidedBy.PrincipalDiagnosis;
                return;
            }
        }

        for (var i = 0; i < clause.Length; i++)
        {
            var t = clause[i];
            for (var k = 0; k < cs.SecCount; k++)
            {
                var id = cs.SecIds[k];
                if (id >= 0 && Contains(pool, c.DxMap[id].SdxStart, c.DxMap[id].SdxCount, t))
                {
                    result.DecidingCode = cs.Sec[cs.SecPos[k]];
                    result.DecidedBy = DrgDecidedBy.SecondaryDiagnosis;
                    return;
                }
            }
        }

        result.DecidingCode = cs.Pdx;
        result.DecidedBy = DrgDecidedBy.PrincipalDiagnosis;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Holds(AdrgInfo a, Span<ulong> bits)
    {
        var clauses = a.Clauses;
        for (var i = 0; i < clauses.Length; i++)
        {
            var clause = clauses[i];
            var ok = true;
            for (var j = 0; j < clause.Length; j++)
            {
                var t = clause[j];
                if ((bits[t >> 6] & (1UL << t)) == 0)
                {
                    ok = false;
                    break;
                }
            }

            if (ok)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Sets test <paramref name="t"/> of the case and, the first time, makes the ADRGs anchored on it
    /// candidates of their evaluation lists (an ADRG can hold only if one of its anchors is set).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mark(ref Case cs, CompiledCatalog c, int t)
    {
        ref var word = ref cs.Bits[t >> 6];
        var bit = 1UL << t;
        if ((word & bit) != 0)
        {
            return;
        }

        word |= bit;
        var end = c.AnchorStart[t] + c.AnchorCount[t];
        for (var k = c.AnchorStart[t]; k < end; k++)
        {
            cs.Candidates[c.AnchorList[k]] |= c.AnchorBit[k];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MarkAll(ref Case cs, CompiledCatalog c, int start, int count)
    {
        var pool = c.TestPool;
        for (var i = start; i < start + count; i++)
        {
            Mark(ref cs, c, pool[i]);
        }
    }

    private static bool Contains(ushort[] pool, int start, int count, int t)
    {
        for (var i = start; i < start + count; i++)
        {
            if (pool[i] == t)
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ContainsId(Span<int> ids, int id)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] == id)
            {
                return true;
            }
        }

        return false;
    }

    private static int IndexOf(ReadOnlySpan<Code> codes, Code code)
    {
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] == code)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Ungroupable(ref DrgResult result, DrgReason reason, int mdc)
    {
        result.Mdc = (short)mdc;
        result.Adrg = -1;
        result.Drg = 0;
        result.Reason = reason;
    }

    private string FailingTokens(AdrgInfo a, Span<ulong> bits)
    {
        var parts = new List<string>();
        foreach (var clause in a.Clauses)
        {
            foreach (var t in clause)
            {
                if ((bits[t >> 6] & (1UL << t)) == 0)
                {
                    parts.Add(_c.Tests[t].Text);
                    break;
                }
            }
        }

        return "missing " + string.Join(" | ", parts);
    }

    private void TraceUniverse<TTrace>(ref Case cs, TTrace trace)
        where TTrace : struct, ITraceSink
    {
        if (!cs.Pproc.IsEmpty && cs.PprocId < 0)
        {
            trace.Add($"normalise: principal procedure {cs.Pproc} is outside U → ignored by every rule");
        }

        for (var k = 0; k < cs.OthCount; k++)
        {
            if (cs.OthIds[k] < 0)
            {
                trace.Add($"normalise: other procedure {cs.Oth[cs.OthPos[k]]} is outside U → ignored");
            }
        }

        if (cs.PdxId < 0)
        {
            trace.Add($"normalise: principal diagnosis {cs.Pdx} is not in the catalog");
        }
    }

    private static string Band(int min, int max) =>
        min == int.MinValue ? $"< {max + 1}" : max == int.MaxValue ? $"≥ {min}" : $"{min}–{max}";
}
