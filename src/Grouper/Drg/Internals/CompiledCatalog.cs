using Grouper.Core;

namespace Grouper.Drg.Internals;

/// <summary>
/// Per-diagnosis facts, stored beside the key in <see cref="CompiledCatalog.DxMap"/>. Packed into
/// 16 bytes so a map slot (key + facts) is 32 bytes: two per cache line.
/// </summary>
internal struct DxInfo
{
    /// <summary>Test ids the code sets as principal diagnosis, then those it sets as secondary (pool slice).</summary>
    public int TestStart;
    public byte PdxCount;
    public byte SdxCount;

    /// <summary>Candidate MDCs (principal-diagnosis tables), −1 none; two only for MDCM/MDCN codes.</summary>
    public sbyte Mdc1;
    public sbyte Mdc2;

    /// <summary>MDCZ site index, −1 none.</summary>
    public sbyte Site;

    /// <summary>Bits 0–1 CC level as secondary; bit 2 in the any-position MDC list (MDCY).</summary>
    public byte Flags;

    /// <summary>Exclusion table of the code as CC/MCC, −1 none.</summary>
    public short CcTable;

    /// <summary>Exclusion table the code belongs to as a principal diagnosis, −1 none.</summary>
    public short PrincipalTable;

    /// <summary>
    /// The only test when the code sets exactly one (PdxCount + SdxCount = 1, most codes): read from
    /// the slot itself instead of the pool, saving a dependent cache miss. Fills the padding.
    /// </summary>
    public ushort SingleTest;

    public readonly bool HasSingleTest => PdxCount + SdxCount == 1;

    public readonly int PdxStart => TestStart;

    public readonly int SdxStart => TestStart + PdxCount;

    public readonly int MdcCount => Mdc1 < 0 ? 0 : Mdc2 < 0 ? 1 : 2;

    public readonly bool AnyDxMdc => (Flags & 4) != 0;

    public readonly CcLevel Level => (CcLevel)(Flags & 3);

    public readonly int Mdc(int j) => j == 0 ? Mdc1 : Mdc2;
}

/// <summary>Per-procedure facts; every procedure in the map is in the universe U.</summary>
internal struct ProcInfo
{
    public int PStart;
    public ushort PCount;
    public int OStart;
    public ushort OCount;
}

internal sealed class TestInfo
{
    public required TestMode Mode { get; init; }

    public required string Text { get; init; }

    public required string Adrg { get; init; }
}

internal sealed class MdcInfo
{
    public required string Code { get; init; }

    public required MdcKind Kind { get; init; }

    /// <summary>0 no sex rule, else (byte)Sex.Male / Sex.Female.</summary>
    public required byte Sex { get; init; }

    /// <summary>DRG index given on a sex conflict (0 = 0000).</summary>
    public required short SexConflictDrg { get; init; }

    public required DrgReason SexConflictReason { get; init; }

    /// <summary>MDC of the sex-conflict QY group, −1 for 0000.</summary>
    public required short SexConflictMdc { get; init; }

    /// <summary>Nothing matches → the MDC's QY (MDCP) instead of 0000.</summary>
    public required bool NoAdrgQy { get; init; }

    public required short QyDrg { get; init; }

    /// <summary>Surgical then non-OR ADRGs, each by catalog order.</summary>
    public required int[] ProcAdrgs { get; init; }

    /// <summary>Medical ADRGs by catalog order.</summary>
    public required int[] MedicalAdrgs { get; init; }

    /// <summary>Id of <see cref="ProcAdrgs"/> in <see cref="CompiledCatalog.Lists"/> (2 × MDC index).</summary>
    public required int ProcList { get; init; }

    /// <summary>Id of <see cref="MedicalAdrgs"/> in <see cref="CompiledCatalog.Lists"/> (2 × MDC index + 1).</summary>
    public required int MedicalList { get; init; }
}

internal sealed class AdrgInfo
{
    public required string Code { get; init; }

    public required int Mdc { get; init; }

    public required AdrgKind Kind { get; init; }

    public required int Order { get; init; }

    public required string Logic { get; init; }

    /// <summary>DNF: the ADRG holds when every test of some clause holds.</summary>
    public required int[][] Clauses { get; init; }

    public required bool HasAgeBand { get; init; }

    public required int AgeDaysMin { get; init; }

    public required int AgeDaysMax { get; init; }

    public required bool HasWeightBand { get; init; }

    public required int WeightMin { get; init; }

    public required int WeightMax { get; init; }

    /// <summary>DRG index per <see cref="CcLevel"/> (None, CC, MCC).</summary>
    public required short[] DrgByLevel { get; init; }
}

/// <summary>The catalog compiled for the grouper: dense ids, frozen maps, test bit lists.</summary>
internal sealed class CompiledCatalog
{
    /// <summary>Every diagnosis of the catalog → its facts.</summary>
    public required CodeMap<DxInfo> DxMap { get; init; }

    /// <summary>The procedure universe U → each code's test lists.</summary>
    public required CodeMap<ProcInfo> ProcMap { get; init; }

    public required ushort[] TestPool { get; init; }

    public required TestInfo[] Tests { get; init; }

    /// <summary>ulong words of a case's test bitset.</summary>
    public required int TestWords { get; init; }

    public required MdcInfo[] Mdcs { get; init; }

    public required AdrgInfo[] Adrgs { get; init; }

    public required int PreAdrgMdc { get; init; }

    public required int NewbornMdc { get; init; }

    public required int AnyDxMdc { get; init; }

    public required int MultiTraumaMdc { get; init; }

    public required int NeonateMaxAgeDays { get; init; }

    public required int InfantMaxAgeDays { get; init; }

    public required int[] DrgWeight4 { get; init; }

    /// <summary>
    /// Per test: the ADRGs having a clause anchored on it (<see cref="AnchorPool"/> slice). An ADRG
    /// can hold only if one of its anchors is set, so a case collects its candidate ADRGs from its
    /// few set tests instead of evaluating every ADRG of an MDC.
    /// </summary>
    public required int[] AnchorStart { get; init; }

    public required int[] AnchorCount { get; init; }

    public required short[] AnchorPool { get; init; }

    /// <summary>
    /// Per <see cref="AnchorPool"/> entry: the evaluation list of its ADRG and the ADRG's bit there
    /// (1 &lt;&lt; position). A case's candidates are one word per list, so trying a list visits only
    /// its candidates, in evaluation order, by their set bits.
    /// </summary>
    public required short[] AnchorList { get; init; }

    public required ulong[] AnchorBit { get; init; }

    /// <summary>Evaluation lists (ADRG indexes in order, at most 64): MDC i has lists 2i (procedure ADRGs) and 2i + 1 (medical).</summary>
    public required int[][] Lists { get; init; }

    public required string[] SiteNames { get; init; }
}
