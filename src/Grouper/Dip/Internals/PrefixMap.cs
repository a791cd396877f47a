using Grouper.Core;

namespace Grouper.Dip.Internals;

/// <summary>Longest-prefix lookup: entries of a few distinct lengths, probed longest first.</summary>
internal sealed class PrefixMap
{
    private readonly CodeMap _map;
    private readonly int[] _lengths;

    public PrefixMap(IEnumerable<KeyValuePair<Code, int>> entries)
    {
        _map = new CodeMap();
        var lengths = new SortedSet<int>();
        foreach (var (k, v) in entries)
        {
            _map.Set(k.Value, v);
            lengths.Add(k.Length);
        }

        _lengths = new int[lengths.Count];
        var i = lengths.Count;
        foreach (var l in lengths)
        {
            _lengths[--i] = l;
        }
    }

    public bool IsEmpty => _lengths.Length == 0;

    public bool TryGet(Code code, out int value)
    {
        var lengths = _lengths;
        for (var i = 0; i < lengths.Length; i++)
        {
            if (_map.TryGet(code.Prefix(lengths[i]).Value, out value))
            {
                return true;
            }
        }

        value = 0;
        return false;
    }
}

/// <summary>
/// <see cref="DipDefinitions"/> compiled for the per-case path: arrays and hash maps instead of
/// records and lists. Shared by the matcher and the builder so both key cases identically.
/// </summary>
internal sealed class CompiledRules
{
    public const int MaxProcs = 48;

    private readonly ProcedureKind[] _chapters;
    private readonly PrefixMap _overrides;
    private readonly PrefixMap _cci;
    private readonly int[] _cciThresholds;
    private readonly int[] _ageMin;
    private readonly int[] _ageMax;
    private readonly CodeRange[] _malignant;
    private readonly CodeRange[] _metastasis;
    private readonly CodeRange[] _radio;
    private readonly CodeRange[] _chemo;
    private readonly byte[] _tumourLevel;
    private readonly TumourFlags[] _tumourRequires;
    private readonly int[] _dischargeSlot;
    private readonly HospitalKind[] _pdKind;
    private readonly CodeRange[] _pdDx;
    private readonly bool[] _pdHasDx;
    private readonly int[] _pdMinLos;

    public CompiledRules(DipDefinitions d)
    {
        Definitions = d;
        _dxMask = Mask(d.DiagnosisKeyLength);
        _catMask = Mask(d.CategoryLength);
        _procMask = Mask(d.ProcedureKeyLength);
        DxKeyLength = d.DiagnosisKeyLength;
        CategoryLength = d.CategoryLength;
        ProcKeyLength = d.ProcedureKeyLength;
        _chapters = [.. d.ChapterDefaults];
        var ov = new List<KeyValuePair<Code, int>>();
        foreach (var (k, v) in d.ProcedureOverrides)
        {
            ov.Add(new(k, (int)v));
        }

        _overrides = new PrefixMap(ov);
        _cci = new PrefixMap(d.CciWeights);
        _cciThresholds = [.. d.CciThresholds];
        _ageMin = new int[d.AgeBands.Count];
        _ageMax = new int[d.AgeBands.Count];
        for (var i = 0; i < d.AgeBands.Count; i++)
        {
            _ageMin[i] = d.AgeBands[i].MinAgeKey;
            _ageMax[i] = d.AgeBands[i].MaxAgeKey;
        }

        _malignant = [.. d.MalignantPrincipal];
        _metastasis = [.. d.MetastasisSecondary];
        _radio = [.. d.RadiotherapyProcedures];
        _chemo = [.. d.ChemotherapyProcedures];
        _tumourLevel = new byte[d.TumourLevels.Count];
        _tumourRequires = new TumourFlags[d.TumourLevels.Count];
        for (var i = 0; i < d.TumourLevels.Count; i++)
        {
            _tumourLevel[i] = d.TumourLevels[i].Level;
            _tumourRequires[i] = d.TumourLevels[i].Requires;
        }

        SlotCount = d.SlotCount;
        AgeSlot0 = 4;
        TumourSlot0 = 4 + d.AgeBands.Count;
        _dischargeSlot = new int[10];
        Array.Fill(_dischargeSlot, -1);
        foreach (var m in d.DischargeModes)
        {
            _dischargeSlot[(int)m] = d.Slot(AuxItem.DischargeMode, (int)m);
        }

        var n = d.PerDiemCategories.Count;
        _pdKind = new HospitalKind[n];
        _pdDx = new CodeRange[n];
        _pdHasDx = new bool[n];
        _pdMinLos = new int[n];
        for (var i = 0; i < n; i++)
        {
            var p = d.PerDiemCategories[i];
            _pdKind[i] = p.HospitalKind ?? 0;
            _pdHasDx[i] = p.PrincipalDx is not null;
            _pdDx[i] = p.PrincipalDx ?? default;
            _pdMinLos[i] = p.MinLosExclusive;
        }
    }

    private readonly UInt128 _dxMask;
    private readonly UInt128 _catMask;
    private readonly UInt128 _procMask;

    public DipDefinitions Definitions { get; }

    private static UInt128 Mask(int length) => length >= Code.MaxPackedLength ? ~UInt128.Zero : ~UInt128.Zero << (126 - (7 * length));

    /// <summary><see cref="Code.Prefix"/> with a precomputed mask (the per-case path cuts three key lengths).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Code Cut(Code code, UInt128 mask, int length) => code.IsOverflow ? code.Prefix(length) : new Code(code.Value & mask);

    public Code DxKey(Code dx) => Cut(dx, _dxMask, DxKeyLength);

    public Code Category(Code dx) => Cut(dx, _catMask, CategoryLength);

    public Code ProcKey(Code proc) => Cut(proc, _procMask, ProcKeyLength);

    public int DxKeyLength { get; }

    public int CategoryLength { get; }

    public int ProcKeyLength { get; }

    public int SlotCount { get; }

    public int AgeSlot0 { get; }

    public int TumourSlot0 { get; }

    public ProcedureKind KindOf(Code procKey)
    {
        if (!_overrides.IsEmpty && _overrides.TryGet(procKey, out var k))
        {
            return (ProcedureKind)k;
        }

        var a = procKey.CharAt(0) - '0';
        var b = procKey.CharAt(1) - '0';
        return (uint)a <= 9 && (uint)b <= 9 ? _chapters[(a * 10) + b] : ProcedureKind.Ignored;
    }

    /// <summary>
    /// The case's procedure set (sorted distinct keys of non-ignored procedures) into
    /// <paramref name="set"/>; returns its size and the highest treatment kind present.
    /// </summary>
    public int ProcedureSet(Code principal, ReadOnlySpan<Code> others, Span<Code> set, out TreatmentKind treatment)
    {
        var n = 0;
        var max = ProcedureKind.Ignored;
        if (!principal.IsEmpty)
        {
            n = Insert(principal, set, n, ref max);
        }

        for (var i = 0; i < others.Length && n < set.Length; i++)
        {
            n = Insert(others[i], set, n, ref max);
        }

        treatment = (TreatmentKind)max;
        return n;
    }

    private int Insert(Code proc, Span<Code> set, int n, ref ProcedureKind max)
    {
        var key = ProcKey(proc);
        var kind = KindOf(key);
        if (kind == ProcedureKind.Ignored)
        {
            return n;
        }

        if (kind > max)
        {
            max = kind;
        }

        // Insertion into a sorted small array; duplicates (two codes with one key) are kept once.
        var i = n;
        while (i > 0 && set[i - 1].Value > key.Value)
        {
            i--;
        }

        if (i > 0 && set[i - 1].Value == key.Value)
        {
            return n;
        }

        for (var j = n; j > i; j--)
        {
            set[j] = set[j - 1];
        }

        set[i] = key;
        return n + 1;
    }

    /// <summary>CCI level 0–4 from the sum of the secondary diagnoses' weights.</summary>
    public int CciLevel(ReadOnlySpan<Code> secondary)
    {
        if (_cci.IsEmpty)
        {
            return 0;
        }

        var sum = 0;
        for (var i = 0; i < secondary.Length; i++)
        {
            if (_cci.TryGet(secondary[i], out var w))
            {
                sum += w;
            }
        }

        var level = 0;
        var th = _cciThresholds;
        for (var i = 0; i < th.Length; i++)
        {
            if (sum >= th[i])
            {
                level = i + 1;
            }
        }

        return level;
    }

    public int AgeBandCount => _ageMin.Length;

    public bool InAgeBand(int band, int ageKey) => ageKey >= _ageMin[band] && ageKey < _ageMax[band];

    /// <summary>Tumour level (0 = none) of a case.</summary>
    public int TumourLevel(Code principalDx, ReadOnlySpan<Code> secondary, Code principalProc, ReadOnlySpan<Code> others)
    {
        if (!AnyContains(_malignant, principalDx))
        {
            return 0;
        }

        var flags = TumourFlags.None;
        for (var i = 0; i < secondary.Length; i++)
        {
            if (AnyContains(_metastasis, secondary[i]))
            {
                flags |= TumourFlags.Metastasis;
                break;
            }
        }

        if (!principalProc.IsEmpty)
        {
            flags |= ProcFlags(principalProc);
        }

        for (var i = 0; i < others.Length; i++)
        {
            flags |= ProcFlags(others[i]);
        }

        var level = 0;
        for (var i = 0; i < _tumourLevel.Length; i++)
        {
            if ((flags & _tumourRequires[i]) == _tumourRequires[i] && _tumourLevel[i] > level)
            {
                level = _tumourLevel[i];
            }
        }

        return level;
    }

    private TumourFlags ProcFlags(Code proc)
    {
        var f = TumourFlags.None;
        if (AnyContains(_radio, proc))
        {
            f |= TumourFlags.Radiotherapy;
        }

        if (AnyContains(_chemo, proc))
        {
            f |= TumourFlags.Chemotherapy;
        }

        return f;
    }

    private static bool AnyContains(CodeRange[] ranges, Code code)
    {
        for (var i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Contains(code))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Aux slot of a discharge mode, or −1.</summary>
    public int DischargeSlot(DischargeMode mode) => (uint)mode < 10 ? _dischargeSlot[(int)mode] : -1;

    /// <summary>First per-diem category the case falls in, or −1.</summary>
    public int PerDiemCategory(HospitalKind kind, Code principalDx, int los)
    {
        for (var i = 0; i < _pdMinLos.Length; i++)
        {
            if (los > _pdMinLos[i]
                && (_pdKind[i] == 0 || _pdKind[i] == kind)
                && (!_pdHasDx[i] || _pdDx[i].Contains(principalDx)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Grade-group index (clearing.md step 1): 3A 3B 3C 2A 2B 2C 1 0, unrated tier 2/3 as B.</summary>
    public static int GradeIndex(HospitalLevel level) => level.Tier switch
    {
        3 => level.Grade switch { 'A' => 0, 'C' => 2, _ => 1 },
        2 => level.Grade switch { 'A' => 3, 'C' => 5, _ => 4 },
        1 => 6,
        _ => 7,
    };

    public static readonly string[] GradeNames = ["3A", "3B", "3C", "2A", "2B", "2C", "1", "0"];

    public const int GradeCount = 8;
}
