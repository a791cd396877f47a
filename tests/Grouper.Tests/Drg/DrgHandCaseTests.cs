using Grouper.Core;
using Grouper.Drg;

namespace Grouper.Tests.Drg;

/// <summary>
/// Cases derived by hand from the real tables (reference-data/chs-drg-2.0): each comment names the
/// table rows that decide it. Covers every MDC, each kind of ADRG and logic form, each split, the
/// exclusion paths, QY, 0000, newborns, multiple trauma and input edge cases.
/// </summary>
public sealed class DrgHandCaseTests
{
    private static DrgGrouper G => RealDrg.Grouper;

    private static DrgCatalog C => RealDrg.Catalog;

    private static void AssertDrg(string expected, TestCase tc, string? reason = null)
    {
        var trace = new List<string>();
        var r = tc.Group(G, trace);
        Assert.True(expected == C.DrgCode(r.Drg), $"{tc}: expected {expected}, got {C.DrgCode(r.Drg)} ({DrgReasons.Name(r.Reason)})\n" + string.Join("\n", trace));
        if (reason is not null)
        {
            Assert.Equal(reason, DrgReasons.Name(r.Reason));
        }
    }

    // ---- one medical ADRG per regular MDC: principal in the first medical ADRG's PDX list, no CC
    [Theory]
    [InlineData("G91.000x002", "BR15")] // MDCB BR1 {1,3,5}
    [InlineData("C43.100x001", "CR19")] // MDCC CR1 {9}
    [InlineData("C00.000", "DR19")]
    [InlineData("C33.x00", "ER15")] // ER1 {1,5}
    [InlineData("I21.000x005", "FR15")]
    [InlineData("C15.000", "GR15")]
    [InlineData("C22.000", "HR19")]
    [InlineData("M84.000x052", "IR19")]
    [InlineData("C43.501", "JR19")]
    [InlineData("C48.000x002", "KR19")]
    [InlineData("I12.000x001", "LR15")] // LR1 {3,5}
    [InlineData("C60.000", "MR15")]
    [InlineData("C46.700x001", "NR15", Sex.Female)]
    [InlineData("O15.201", "OS19", Sex.Female)]
    [InlineData("T86.000", "QR19")]
    [InlineData("C91.000", "RR15")]
    [InlineData("A01.003", "SR15")]
    [InlineData("F20.000", "TR19")]
    [InlineData("F10.000", "UR19")]
    [InlineData("S00.102", "VR19")] // S00.102 is in no MDCZ site
    [InlineData("T20.000", "WR29")] // WR2 = PDX, the residual of MDCW
    [InlineData("R41.000", "XR19")]
    public void Each_regular_mdc_reaches_its_medical_adrg(string pdx, string drg, Sex sex = Sex.Male) =>
        AssertDrg(drg, new TestCase(pdx, Sex: sex), "OK");

    // ---- splits
    [Fact]
    public void Split_3_5_gives_3_for_mcc() => AssertDrg("LR13", new("I12.000x001", ["I50.900"])); // I50.900 MCC 表6-3-90; I12.000x001 in 表6-3-87

    [Fact]
    public void Split_1_5_gives_5_for_cc_only() => AssertDrg("ER15", new("C33.x00", ["E87.600"])); // E87.600 CC 表6-3-48

    [Fact]
    public void Split_1_5_gives_1_for_mcc() => AssertDrg("ER11", new("C33.x00", ["E87.600", "I50.900"]));

    [Fact]
    public void Split_9_ignores_mcc() => AssertDrg("CR19", new("C43.100x001", ["I50.900"]));

    [Fact]
    public void Split_1_3_5_all_three_levels()
    {
        AssertDrg("ES35", new("J18.900"));
        AssertDrg("ES33", new("J18.900", ["E87.600"]));
        AssertDrg("ES31", new("J18.900", ["E87.600", "I50.900"]));
    }

    // ---- exclusion paths
    [Fact]
    public void Only_cc_excluded_falls_to_no_level()
    {
        var r = new TestCase("J18.900", ["J12.100"]).Group(G); // J12.100 MCC, 表6-3-96 holds J18.900
        Assert.Equal("ES35", C.DrgCode(r.Drg));
        Assert.Equal(1, r.ExcludedCount);
        Assert.Equal(CcLevel.None, r.Level);
        Assert.True(r.LevelCode.IsEmpty);
    }

    [Fact]
    public void Secondary_whose_table_holds_the_principal_is_excluded()
    {
        // I50.900x007 (MCC, 表6-3-90) with principal I50.900 (member of 表6-3-90)
        var r = new TestCase("I50.900", ["I50.900x007"]).Group(G);
        Assert.Equal(1, r.ExcludedCount);
        Assert.Equal("表6-3-90", C.ExclusionTableName(r.FirstExcludedTable));
        Assert.Equal(CcLevel.None, r.Level);
    }

    [Fact]
    public void Principal_in_no_exclusion_table_excludes_nothing()
    {
        // T31.300 is in no exclusion table; as principal (MDCW? no: it has no MDC) it is unknown → test with W principal T20.000 (表6-3-200)
        // and secondary T31.300 (MCC, table 表6-3-202): counts → WR1 {9}
        var r = new TestCase("T20.000", ["T31.300"]).Group(G);
        Assert.Equal("WR19", C.DrgCode(r.Drg)); // WR1 = SDX (T31.3–T31.9), tried before WR2
        Assert.Equal(CcLevel.Mcc, r.Level);
        Assert.Equal(0, r.ExcludedCount);
    }

    [Fact]
    public void Two_excluded_and_one_counting_secondary()
    {
        var r = new TestCase("J18.900", ["J12.100", "E87.600", "J12.100", "J18.900"]).Group(G);
        Assert.Equal("ES33", C.DrgCode(r.Drg));
        Assert.Equal(1, r.ExcludedCount); // the duplicate J12.100 is dropped first
        Assert.Equal(RecordWarnings.DuplicateCode | RecordWarnings.PdxRepeated, r.Normalisation);
    }

    // ---- procedure ADRGs, logic forms
    [Fact]
    public void Pdx_and_pproc_surgical() => AssertDrg("GE19", new("K35.200", Pproc: "47.0100"));

    [Fact]
    public void Pproc_only_surgical() => AssertDrg("GE29", new("K35.800x001", Pproc: "47.0901"));

    [Fact]
    public void Id1_is_tried_before_ib3()
    {
        // 77.6900x039 is in ID1 PPROC and IB3 PPROC (not IB1/IB2); C41.201 is in ID1 PDX
        AssertDrg("ID19", new("C41.201", Pproc: "77.6900x039"));
    }

    [Fact]
    public void Ib3_when_id1_principal_diagnosis_does_not_match() => AssertDrg("IB35", new("M84.000x052", Pproc: "77.6900x039"));

    [Fact]
    public void Ib1_alternatives()
    {
        AssertDrg("IB19", new("M84.000x052", Pproc: "03.0900x007")); // PPROC2 alone
        AssertDrg("IB19", new("M84.000x052", Pproc: "87.3400x001", Oproc: ["81.6300", "81.0200x001"])); // PROC3 & PROC4 in other positions
    }

    [Fact]
    public void Proc1_and_proc2_any_position_in_mdca() => AssertDrg("AC19", new("J18.900", Pproc: "55.6100", Oproc: ["52.8000"]));

    [Fact]
    public void Mdca_ah2_by_secondary_diagnosis() => AssertDrg("AH29", new("J18.900", ["Z93.000"], Pproc: "96.7201"));

    [Fact]
    public void Mdca_wins_for_a_newborn_on_ecmo() => AssertDrg("AH19", new("P07.300", Pproc: "39.6500", AgeYears: 0, AgeDays: 3, Weight: 1200));

    [Fact]
    public void Anyproc_in_two_lists_cb2() => AssertDrg("CB29", new("H25.900", Pproc: "12.8703", Oproc: ["13.0100"]));

    [Fact]
    public void Ja1_three_procedure_groups() => AssertDrg("JA19", new("C50.000", Pproc: "85.5300x001", Oproc: ["85.4300x003"], Sex: Sex.Female));

    [Fact]
    public void Of1_second_alternative_needs_secondary() =>
        AssertDrg("OF19", new("O02.100", ["O26.900x109"], Pproc: "68.0x00x007", Sex: Sex.Female));

    [Fact]
    public void Burns_wb3_and_wj1()
    {
        AssertDrg("WB39", new("T20.000x010", Pproc: "08.2000x003")); // PDX in WB3 list
        AssertDrg("WJ19", new("T20.000", Pproc: "08.2000x003")); // T20.000 not in WB3 PDX → WJ1 = PPROC_IN(WB1,WB2,WB3)
    }

    [Fact]
    public void Has_proc_surgical_adrgs()
    {
        AssertDrg("SB15", new("A01.003", Pproc: "47.0901"));
        AssertDrg("TB19", new("F20.000", Pproc: "47.0901"));
        AssertDrg("XJ15", new("R41.000", Pproc: "47.0901"));
    }

    [Fact]
    public void Non_or_procedure_adrg() => AssertDrg("EK19", new("J18.900", Pproc: "96.7101"));

    [Fact]
    public void Secondary_only_medical_adrg_or1() => AssertDrg("OR19", new("O80.000", ["Z37.000x001"], Sex: Sex.Female));

    [Fact]
    public void Oz1_without_delivery_outcome() => AssertDrg("OZ19", new("O80.000", Sex: Sex.Female));

    // ---- QY and 0000
    [Fact]
    public void Another_mdcs_procedure_as_principal_is_qy()
    {
        AssertDrg("EQY", new("J18.900", Pproc: "42.3303"), "QY"); // GK1 PPROC, in U, in no MDCE/MDCA list
        var r = new TestCase("J18.900", Pproc: "42.3303").Group(G);
        Assert.Equal("42.3303", r.DecidingCode.ToString());
        Assert.Equal("MDCE", C.MdcCode(r.Mdc));
        Assert.Equal(-1, r.Adrg);
        Assert.Equal(0, r.RelativeWeight4);
    }

    [Fact]
    public void Principal_outside_u_with_matching_other_procedure_is_medical() =>
        AssertDrg("GZ19", new("K35.800x001", Pproc: "87.3400x001", Oproc: ["47.0901"]), "OK");

    [Fact]
    public void No_adrg_holds_is_0000() => AssertDrg("0000", new("O84.000", Sex: Sex.Female), "UNGROUPABLE_NO_ADRG");

    [Fact]
    public void Unknown_principal_is_0000()
    {
        AssertDrg("0000", new("A00.000"), "UNGROUPABLE_UNKNOWN_PRINCIPAL_DX"); // in icd10.csv with N
        AssertDrg("0000", new("Z99.999x999"), "UNGROUPABLE_UNKNOWN_PRINCIPAL_DX");
    }

    [Fact]
    public void No_principal_is_0000() => AssertDrg("0000", new(string.Empty, ["I50.900"]), "UNGROUPABLE_NO_PRINCIPAL_DX");

    [Fact]
    public void Sex_not_stated_is_0000_unless_switched_off()
    {
        AssertDrg("0000", new("J18.900", Sex: Sex.NotStated), "UNGROUPABLE_SEX_UNKNOWN");
        var lenient = new DrgGrouper(C, new DrgGrouperOptions { RequireKnownSex = false });
        Assert.Equal("ES35", new TestCase("J18.900", Sex: Sex.NotStated).Drg(lenient));
        Assert.Equal("MR15", new TestCase("C49.503", Sex: Sex.NotStated).Drg(lenient)); // first MDC of the code
        Assert.Equal("OZ19", new TestCase("O80.000", Sex: Sex.NotStated).Drg(lenient)); // no sex → no conflict
    }

    // ---- sex rules
    [Fact]
    public void Code_in_mdcm_and_mdcn_goes_by_sex()
    {
        AssertDrg("MR15", new("C49.503", Sex: Sex.Male));
        AssertDrg("NR15", new("C49.503", Sex: Sex.Female));
        AssertDrg("MZ19", new("Q56.000", Sex: Sex.Male));
        AssertDrg("NZ19", new("Q56.000", Sex: Sex.Female));
    }

    [Fact]
    public void Sex_conflicts()
    {
        AssertDrg("MQY", new("C60.000", Sex: Sex.Female), "QY_SEX_CONFLICT"); // MDCM only, female
        AssertDrg("MQY", new("N90.000", Sex: Sex.Male), "QY_SEX_CONFLICT"); // MDCN only, male
        AssertDrg("0000", new("O08.900", Sex: Sex.Male), "UNGROUPABLE_SEX_CONFLICT");
        AssertDrg("OS29", new("O08.900", Sex: Sex.Female), "OK");
    }

    // ---- newborns
    [Theory]
    [InlineData(1499, "PS15")]
    [InlineData(1500, "PS29")]
    [InlineData(1999, "PS29")]
    [InlineData(2000, "PS39")]
    [InlineData(2499, "PS39")]
    [InlineData(2500, "PS45")]
    public void Preterm_weight_bands(int weight, string drg) =>
        AssertDrg(drg, new("P07.300", AgeYears: 0, AgeDays: 5, Weight: weight, Sex: Sex.Female));

    [Fact]
    public void Preterm_code_in_secondary_position_also_selects_the_band() =>
        AssertDrg("PS29", new("P59.900", ["P07.300"], AgeYears: 0, AgeDays: 5, Weight: 1700));

    [Fact]
    public void Neonate_without_weight()
    {
        AssertDrg("0000", new("P07.300", AgeYears: 0, AgeDays: 5), "UNGROUPABLE_NEWBORN_DATA"); // PS hit needs the weight
        AssertDrg("PU19", new("A04.000x001", AgeYears: 0, AgeDays: 5), "OK"); // no PS hit: weight not needed
        AssertDrg("PQY", new("J18.900", AgeYears: 0, AgeDays: 5), "QY");
    }

    [Fact]
    public void Neonate_infant_boundaries()
    {
        AssertDrg("PU19", new("A04.000x001", AgeYears: 0, AgeDays: 28, Weight: 3000)); // neonate
        AssertDrg("PV19", new("A04.000x001", AgeYears: 0, AgeDays: 29)); // infant
        AssertDrg("PV19", new("A04.000x001", AgeYears: 0, AgeDays: 365));
        AssertDrg("0000", new("A04.000x001", AgeYears: 1), "UNGROUPABLE_UNKNOWN_PRINCIPAL_DX"); // only in MDCP lists
        AssertDrg("ES35", new("J18.900", AgeYears: 0, AgeDays: 40)); // infant, not in PV1 → normal MDC
        AssertDrg("0000", new("J18.900", AgeYears: 0, AgeDays: -1), "UNGROUPABLE_NEWBORN_DATA");
    }

    [Fact]
    public void Neonate_procedures_and_pr1()
    {
        AssertDrg("PK15", new("P07.300", Pproc: "93.9000", AgeYears: 0, AgeDays: 2, Weight: 1000)); // PK1 before the PS bands
        AssertDrg("PD15", new("P07.300", Pproc: "47.0901", AgeYears: 0, AgeDays: 2, Weight: 1000)); // 47.0901 is in PD1's PPROC list
        AssertDrg("PQY", new("P07.300", Pproc: "81.5100", AgeYears: 0, AgeDays: 2, Weight: 1000), "QY"); // in U, in no P procedure list
        AssertDrg("PR15", new("P22.000", ["P07.300"], AgeYears: 0, AgeDays: 2, Weight: 1800)); // PR1 before PS2
    }

    // ---- MDCY, MDCZ
    [Fact]
    public void Hiv()
    {
        AssertDrg("YR15", new("B20.001"));
        AssertDrg("YC15", new("B20.001", Pproc: "47.0901"));
        AssertDrg("YR25", new("R75.x00x001"));
        AssertDrg("YR21", new("R75.x00x001", ["I50.900"]));
        AssertDrg("YR11", new("J18.900", ["B20.001"])); // secondary HIV, itself an MCC
    }

    [Fact]
    public void Hiv_with_only_an_other_procedure()
    {
        // drg.md: "B20.001 with only an other procedure 81.5100 → YR15" holds when the principal
        // procedure is present but outside U. With no principal procedure at all, normalisation
        // step 2 promotes 81.5100 (in U) and YC1 = HAS_PROC holds (see the report).
        AssertDrg("YR15", new("B20.001", Pproc: "87.3400x001", Oproc: ["81.5100"]));
        AssertDrg("YC15", new("B20.001", Oproc: ["81.5100"]));
    }

    [Fact]
    public void Multiple_trauma()
    {
        AssertDrg("ZC15", new("S27.000", ["S06.000"], Pproc: "81.5100"));
        AssertDrg("ZZ15", new("S27.000", ["S06.000"])); // NO_PROC
        AssertDrg("ZQY", new("S27.000", ["S06.000"], Pproc: "96.7101"), "QY"); // in U, no Z list
        AssertDrg("EU19", new("S27.000", ["S21.101"])); // two chest codes: one site → not MDCZ
        AssertDrg("ES33", new("J18.900", ["S06.000", "S27.000"])); // principal not a site code
    }

    // ---- input edge cases
    [Fact]
    public void Promotion_of_the_first_other_procedure()
    {
        var r = new TestCase("K35.800x001", Oproc: ["47.0901", "87.3400x001"]).Group(G);
        Assert.Equal("GE29", C.DrgCode(r.Drg));
        Assert.Equal(RecordWarnings.ProcPromoted, r.Normalisation);
        Assert.Equal(DrgDecidedBy.PrincipalProcedure, r.DecidedBy);
    }

    [Fact]
    public void Zero_and_forty_secondaries()
    {
        AssertDrg("ES35", new("J18.900", []));
        var forty = Enumerable.Range(0, 39).Select(i => "Z99.9" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append("I50.900").ToArray();
        var r = new TestCase("J18.900", forty).Group(G);
        Assert.Equal("ES31", C.DrgCode(r.Drg));
        Assert.Equal("I50.900", r.LevelCode.ToString());
    }

    [Fact]
    public void More_codes_than_the_stack_buffer_use_the_heap_path()
    {
        // 120 secondaries + 20 other procedures (ingest caps each list at 40; the engine API does not).
        var sdx = Enumerable.Range(0, 118).Select(i => "Z99.9" + i.ToString("000", System.Globalization.CultureInfo.InvariantCulture)).Append("E87.600").Append("I50.900").ToArray();
        var oproc = Enumerable.Range(0, 20).Select(i => "99.99" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var r = new TestCase("J18.900", sdx, Oproc: oproc).Group(G);
        Assert.Equal("ES31", C.DrgCode(r.Drg));
        Assert.Equal("I50.900", r.LevelCode.ToString());
        var again = new TestCase("J18.900", sdx.Concat(sdx.Take(5)).ToArray(), Oproc: oproc).Group(G);
        Assert.Equal(r.Drg, again.Drg);
        Assert.Equal(RecordWarnings.ProcPromoted, r.Normalisation); // no principal procedure: the first other one is promoted
        Assert.Equal(RecordWarnings.ProcPromoted | RecordWarnings.DuplicateCode, again.Normalisation);
    }

    [Fact]
    public void Duplicates_and_repeated_principal_are_dropped()
    {
        var r = new TestCase("J18.900", ["J18.900", "E87.600", "E87.600"], Pproc: "96.7101", Oproc: ["96.7101", "87.3400x001", "87.3400x001"]).Group(G);
        Assert.Equal("EK19", C.DrgCode(r.Drg)); // EK1 is unsplit
        Assert.Equal(RecordWarnings.PdxRepeated | RecordWarnings.DuplicateCode, r.Normalisation);
    }

    [Theory]
    [InlineData("", "47.0901;47.0901", "ProcPromoted, DuplicateCode")] // the later copy repeats the promoted principal procedure
    [InlineData("47.0901", "47.0901", "None")] // other procedures are compared among themselves, not with the given principal
    [InlineData("47.0901", "99.9999;99.9999", "DuplicateCode")] // a procedure outside U, repeated
    [InlineData("47.0901", "87.3400x001;45.4201;87.3400x001;45.4201", "DuplicateCode")]
    public void Duplicate_procedures_inside_and_outside_the_catalog(string pproc, string oproc, string flags)
    {
        var r = new TestCase("K35.800x001", Pproc: pproc.Length == 0 ? null : pproc, Oproc: oproc.Split(';')).Group(G);
        Assert.Equal(Enum.Parse<RecordWarnings>(flags), r.Normalisation);
        Assert.Equal("GE29", C.DrgCode(r.Drg));
    }

    [Theory]
    [InlineData("Z99.901;Z99.901", "DuplicateCode")] // not a catalog code, repeated
    [InlineData("J18.900;E87.600;J18.900;Z99.901;E87.600", "PdxRepeated, DuplicateCode")]
    [InlineData("E87.600;Z99.901;I50.900", "None")]
    public void Duplicate_secondaries_inside_and_outside_the_catalog(string sdx, string flags)
    {
        var r = new TestCase("J18.900", sdx.Split(';')).Group(G);
        Assert.Equal(Enum.Parse<RecordWarnings>(flags), r.Normalisation);
    }

    [Fact]
    public void Level_code_is_the_first_secondary_at_the_top_level()
    {
        var r = new TestCase("J18.900", ["E87.600", "I50.900", "N18.500"]).Group(G);
        Assert.Equal(CcLevel.Mcc, r.Level);
        Assert.Equal("I50.900", r.LevelCode.ToString());
    }

    [Fact]
    public void Trace_lists_the_steps()
    {
        var trace = new List<string>();
        new TestCase("J18.900", ["J12.100", "E87.600", "E87.600"]).Group(G, trace);
        var text = string.Join("\n", trace);
        Assert.Contains("DUPLICATE_CODE", text);
        Assert.Contains("step 1: pre-MDC MDCA", text);
        Assert.Contains("AH2 [(SDX | PROC1) & PROC2]: fails", text);
        Assert.Contains("step 6: principal J18.900 → MDCE", text);
        Assert.Contains("ES3 [PDX]: holds", text);
        Assert.Contains("J12.100 MCC table 表6-3-96: excluded", text);
        Assert.Contains("E87.600 CC table 表6-3-48: counts", text);
        Assert.EndsWith("→ ES33", trace[^1]);
    }
}
