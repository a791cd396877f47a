using Grouper.Core;
using Grouper.Drg;

namespace Grouper.Tests.Drg;

/// <summary>The 17 worked examples of drg.md (real tables), each with its exact DRG and reason.</summary>
public sealed class DrgWorkedExampleTests
{
    public static TheoryData<int, string, string> Examples => new()
    {
        { 1, "ES35", "OK" },
        { 2, "ES31", "OK" },
        { 3, "ES33", "OK" },
        { 4, "GE29", "OK" },
        { 5, "GE19", "OK" },
        { 6, "GQY", "QY" },
        { 7, "GQY", "QY" },
        { 8, "GZ19", "OK" },
        { 9, "AH29", "OK" },
        { 10, "PS29", "OK" },
        { 11, "PQY", "QY" },
        { 12, "PV19", "OK" },
        { 13, "ZC15", "OK" },
        { 14, "ES33", "OK" },
        { 15, "MQY", "QY_SEX_CONFLICT" },
        { 16, "0000", "UNGROUPABLE_SEX_CONFLICT" },
        { 17, "YR11", "OK" },
    };

    internal static TestCase Case(int n) => n switch
    {
        1 => new("J18.900"),
        2 => new("J18.900", ["I50.900"]),
        3 => new("J18.900", ["J12.100", "E87.600"]),
        4 => new("K35.800x001", Pproc: "47.0901"),
        5 => new("K35.200", Pproc: "47.0100"),
        6 => new("K35.800x001", Pproc: "81.5100"),
        7 => new("K35.800x001", Pproc: "81.5100", Oproc: ["47.0901"]),
        8 => new("K35.800x001", Pproc: "87.3400x001"),
        9 => new("J18.900", Pproc: "31.1x00x005", Oproc: ["96.7201"]),
        10 => new("P07.300", Sex: Sex.Female, AgeYears: 0, AgeDays: 5, Weight: 1800),
        11 => new("J18.900", Sex: Sex.Female, AgeYears: 0, AgeDays: 10, Weight: 3200),
        12 => new("A04.000x001", AgeYears: 0, AgeDays: 40),
        13 => new("S27.000", ["S06.000"], Pproc: "81.5100"),
        14 => new("J18.900", ["S06.000", "S27.000"]),
        15 => new("N90.000", Sex: Sex.Male),
        16 => new("O08.900", Sex: Sex.Male),
        17 => new("J18.900", ["B20.001"]),
        _ => throw new ArgumentOutOfRangeException(nameof(n)),
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Worked_example_groups_as_the_spec_says(int n, string drg, string reason)
    {
        var trace = new List<string>();
        var r = Case(n).Group(RealDrg.Grouper, trace);
        Assert.True(drg == RealDrg.Catalog.DrgCode(r.Drg), $"case {n}: expected {drg}, got {RealDrg.Catalog.DrgCode(r.Drg)}\n" + string.Join("\n", trace));
        Assert.Equal(reason, DrgReasons.Name(r.Reason));
    }

    [Fact]
    public void Example_2_and_3_report_level_code_and_exclusion()
    {
        var c = RealDrg.Catalog;
        var r2 = Case(2).Group(RealDrg.Grouper);
        Assert.Equal(CcLevel.Mcc, r2.Level);
        Assert.Equal("I50.900", r2.LevelCode.ToString());
        Assert.Equal(0, r2.ExcludedCount);

        var r3 = Case(3).Group(RealDrg.Grouper);
        Assert.Equal(CcLevel.Cc, r3.Level);
        Assert.Equal("E87.600", r3.LevelCode.ToString());
        Assert.Equal(1, r3.ExcludedCount);
        Assert.Equal("J12.100", r3.FirstExcludedCode.ToString());
        Assert.Equal("表6-3-96", c.ExclusionTableName(r3.FirstExcludedTable));
    }

    [Fact]
    public void Deciding_codes_of_examples()
    {
        var r4 = Case(4).Group(RealDrg.Grouper);
        Assert.Equal("47.0901", r4.DecidingCode.ToString());
        Assert.Equal(DrgDecidedBy.PrincipalProcedure, r4.DecidedBy);
        Assert.Equal("GE2", RealDrg.Catalog.AdrgCode(r4.Adrg));
        Assert.Equal("MDCG", RealDrg.Catalog.MdcCode(r4.Mdc));

        var r1 = Case(1).Group(RealDrg.Grouper);
        Assert.Equal("J18.900", r1.DecidingCode.ToString());
        Assert.Equal(DrgDecidedBy.PrincipalDiagnosis, r1.DecidedBy);

        var r9 = Case(9).Group(RealDrg.Grouper);
        Assert.Equal("MDCA", RealDrg.Catalog.MdcCode(r9.Mdc));
    }
}
