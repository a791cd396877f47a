using Grouper.Core;
using Grouper.Dip;
using static Grouper.Tests.Dip.DipTestCatalogs;

namespace Grouper.Tests.Dip;

public class DipFilesTests
{
    private static string Data => Path.Combine(TestPaths.RepoRoot, "tests", "Grouper.Tests", "Dip", "Data");

    [Fact]
    public void BuildParametersLoad()
    {
        var p = DipBuildParameters.Load(Path.Combine(Data, "build-params.json"));
        Assert.Equal(("Demo DIP catalog", "demo-2024.1", true, 15, 100m), (p.Name, p.Version, p.IsDemo, p.CoreThreshold, p.ScoreScale));
        Assert.Equal([2021, 2022, 2023], p.YearWeights.Select(w => w.Year));
        Assert.Equal([1m, 2m, 7m], p.YearWeights.Select(w => w.Weight));
        Assert.Equal(["K35.8:47.0901"], p.Grassroots);
        var d = p.Definitions;
        Assert.Equal(3, d.CciWeights[Code.Parse("I50.9")]);
        Assert.Equal(ProcedureKind.Ignored, d.ProcedureOverrides[Code.Parse("88.7201")]);
        Assert.Equal(ProcedureKind.Surgery, d.ChapterDefaults[86]);
        Assert.Equal(ProcedureKind.Ignored, d.ChapterDefaults[91]);
        Assert.Equal(2.5m, d.PerDiemCategories[0].DailyPoints);
        Assert.Equal(HospitalKind.Psychiatric, d.PerDiemCategories[0].HospitalKind);
        Assert.Equal(5, d.AgeBands.Count);
        Assert.Equal(80 * 400, d.AgeBands[4].MinAgeKey);
        Assert.Equal(5, d.TumourLevels.Count);
    }

    [Fact]
    public void ScoringParametersLoad()
    {
        var p = DipScoringParameters.Load(Path.Combine(Data, "scoring.json"));
        Assert.Equal((0.5m, 2.0m, 1m, 5m, 60), (p.LowThreshold, p.HighThreshold, p.ExcessFactor, p.ReviewCostRatio, p.ReviewMinLos));
        Assert.Equal(new DipTierThresholds(2, 0.4m, 2.5m), Assert.Single(p.TierThresholds));
    }

    [Fact]
    public void DefinitionsSaveLoadRoundTrip()
    {
        var dir = TestPaths.NewTempDir("dip");
        try
        {
            Definitions.Save(dir);
            var back = DipDefinitions.Load(dir);
            Assert.Equal(Definitions.CciWeights.OrderBy(k => k.Key), back.CciWeights.OrderBy(k => k.Key));
            Assert.Equal(Definitions.ChapterDefaults, back.ChapterDefaults);
            Assert.Equal(Definitions.AgeBands, back.AgeBands);
            Assert.Equal(Definitions.TumourLevels, back.TumourLevels);
            Assert.Equal(Definitions.PerDiemCategories, back.PerDiemCategories);
            Assert.Equal(Definitions.MalignantPrincipal, back.MalignantPrincipal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static InputException LoadBroken(string file, Func<string, string> edit)
    {
        var dir = TestPaths.NewTempDir("dip");
        try
        {
            Example(aux: [("K35.8:47.0901", AuxItem.Cci, 2, 1.18m)]).Save(dir);
            var path = Path.Combine(dir, file);
            File.WriteAllText(path, edit(File.ReadAllText(path)));
            return Assert.Throws<InputException>(() => DipCatalog.Load(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SavedExampleLoadsAndMatchesTheSame()
    {
        var dir = TestPaths.NewTempDir("dip");
        try
        {
            var c = Example(aux: [("K35.8:47.0901", AuxItem.Cci, 2, 1.18m)]);
            c.Save(dir);
            var lines = File.ReadAllLines(Path.Combine(dir, DipCatalog.GroupsFile));
            Assert.Equal("code,kind,score,cases,ref_cost,ref_cost_3A,ref_cost_3B,ref_cost_3C,ref_cost_2A,ref_cost_2B,ref_cost_2C,ref_cost_1,ref_cost_0", lines[0]);
            Assert.Equal("K35.8:47.0901,core,86.0215,20,8800.00,,,,,,,,", lines[1]);
            var back = DipCatalog.Load(dir);
            var m = new DipMatcher(back, new DipScoringParameters());
            m.Match(Case("K35.800x001", "47.0901", secondary: ["E11.900", "I50.000"], ageYears: 85), out var r);
            Assert.Equal(101.5054m, r.Points);
            Assert.True(back.IsDemo);
            Assert.Equal(1_023_000, back.RegionalMeanCostFen);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void BadScoreNamesFileLineAndField()
    {
        var e = LoadBroken(DipCatalog.GroupsFile, s => s.Replace("86.0215", "86.02x", StringComparison.Ordinal));
        Assert.Equal((DipCatalog.GroupsFile, 2L, "score"), (e.File, e.LineNumber, e.Field));
    }

    [Fact]
    public void TooManyDecimalsInScore()
    {
        var e = LoadBroken(DipCatalog.GroupsFile, s => s.Replace("86.0215", "86.02151", StringComparison.Ordinal));
        Assert.Equal((DipCatalog.GroupsFile, 2L, "score"), (e.File, e.LineNumber, e.Field));
    }

    [Fact]
    public void UnsortedOrDuplicateGroupCodes()
    {
        var e = LoadBroken(DipCatalog.GroupsFile, s => s.Replace("K35.8:54.5901", "K35.8:47.0901", StringComparison.Ordinal));
        Assert.Equal("code", e.Field);
        Assert.Equal(4L, e.LineNumber);
    }

    [Fact]
    public void IgnoredProcedureInGroup()
    {
        var e = LoadBroken(DipCatalog.GroupsFile, s => s.Replace("K35.8:54.5901", "K35.8:90.5901", StringComparison.Ordinal).Replace("K35.8:47.0901+54.5901", "K35.8:47.0901+54.5900", StringComparison.Ordinal));
        Assert.Equal("code", e.Field);
        Assert.Contains("ignored", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuxUnknownGroupAndLevel()
    {
        var e = LoadBroken(DipCatalog.AuxFile, s => s.Replace("K35.8:47.0901,cci", "K35.9:47.0901,cci", StringComparison.Ordinal));
        Assert.Equal((DipCatalog.AuxFile, 2L, "group"), (e.File, e.LineNumber, e.Field));
        e = LoadBroken(DipCatalog.AuxFile, s => s.Replace("cci,2", "cci,7", StringComparison.Ordinal));
        Assert.Equal((DipCatalog.AuxFile, 2L, "level"), (e.File, e.LineNumber, e.Field));
    }

    [Fact]
    public void ManifestAndDefinitionsErrorsNameTheField()
    {
        var e = LoadBroken(DipCatalog.ManifestFile, s => s.Replace("\"effective_to\": \"2024-12-31\"", "\"effective_to\": \"2024-13-31\"", StringComparison.Ordinal));
        Assert.Equal((DipCatalog.ManifestFile, "$.effective_to"), (e.File, e.Field));
        e = LoadBroken(DipDefinitions.JsonFile, s => s.Replace("\"to\": \"86\"", "\"to\": \"85\"", StringComparison.Ordinal));
        Assert.Equal((DipDefinitions.JsonFile, "$.chapter_defaults"), (e.File, e.Field));
        e = LoadBroken(DipDefinitions.CciWeightsFile, s => s + "E11,x\n");
        Assert.Equal((DipDefinitions.CciWeightsFile, "weight"), (e.File, e.Field));
        e = LoadBroken(DipCatalog.GroupsFile, s => s.Replace("8800.00", "-8800.00", StringComparison.Ordinal));
        Assert.Equal("ref_cost", e.Field);
    }
}

public class DipSampleBuildTests
{
    [Fact]
    public void SampleParametersBuildALoadableCatalog()
    {
        var p = DipBuildParameters.Load(Path.Combine(TestPaths.RepoRoot, "tests", "Grouper.Tests", "Dip", "Data", "build-params.json"));
        var (c, r) = DipCatalogBuilderTests.BuildFrom(p, DipCatalogBuilderTests.RandomHistory(11, 4000)).Build();
        Assert.True(c.IsDemo);
        Assert.Equal("demo-2024.1", c.Version);
        Assert.True(r.CoreGroups > 0 && r.ComprehensiveGroups > 0);
        var dir = TestPaths.NewTempDir("dip");
        try
        {
            c.Save(dir);
            var back = DipCatalog.Load(dir);
            Assert.Equal(c.Groups.Select(g => (g.Code, g.Kind, g.Score, g.CaseCount, g.ReferenceCostFen)), back.Groups.Select(g => (g.Code, g.Kind, g.Score, g.CaseCount, g.ReferenceCostFen)));
            Assert.Equal(c.AuxFactors, back.AuxFactors);
            Assert.Equal(ProcedureKind.Ignored, back.Definitions.ProcedureOverrides[Grouper.Core.Code.Parse("88.7201")]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
