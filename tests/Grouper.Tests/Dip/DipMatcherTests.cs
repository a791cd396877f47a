using Grouper.Core;
using Grouper.Dip;
using static Grouper.Tests.Dip.DipTestCatalogs;

namespace Grouper.Tests.Dip;

public class DipMatcherTests
{
    private static DipResult Run(DipCatalog catalog, in DipInput input, DipScoringParameters? p = null)
    {
        var m = new DipMatcher(catalog, p ?? new DipScoringParameters());
        m.Match(in input, out var r);
        return r;
    }

    private static string Group(DipCatalog c, in DipInput input) => c.GroupCode(Run(c, in input).GroupIndex);

    // ---- dip.md "Matching a case" examples

    [Fact]
    public void Example1_TwoProceduresBeatOne()
    {
        var c = Example();
        var r = Run(c, Case("K35.800x001", "47.0901", ["54.5901"]));
        Assert.Equal("K35.8:47.0901+54.5901", c.GroupCode(r.GroupIndex));
        Assert.Equal(DipGroupKind.Core, r.GroupKind);
        Assert.Equal(112.4500m, r.Score);
    }

    [Fact]
    public void Example2_DiagnosticKeyInSetButSubsetGroupWins()
    {
        var c = Example();
        Assert.Equal("K35.8:47.0901", Group(c, Case("K35.800x001", "47.0901", ["88.0400"])));
    }

    [Fact]
    public void Example3_TieOnCountGoesToHigherScore()
    {
        var c = Example(withCombined: false);
        Assert.Equal("K35.8:54.5901", Group(c, Case("K35.800x001", "47.0901", ["54.5901"])));
    }

    [Fact]
    public void Example4_NoCoreGroupFallsToComprehensive()
    {
        var c = Example();
        var r = Run(c, Case("K35.800x001", "47.0100"));
        Assert.Equal("K35:S", c.GroupCode(r.GroupIndex));
        Assert.Equal(DipGroupKind.Comprehensive, r.GroupKind);
        Assert.Equal(90.0000m, r.Score);
    }

    [Fact]
    public void TieOnCountAndScoreGoesToLowerCode()
    {
        var c = Example(withCombined: false, extra: [CoreGroup("K35.8", 95.3000m, 975_000, "47.0100")]);

        // 47.0100 and 54.5901 both score 95.3000; "K35.8:47.0100" < "K35.8:54.5901".
        Assert.Equal("K35.8:47.0100", Group(c, Case("K35.800x001", "54.5901", ["47.0100"])));
    }

    [Fact]
    public void ConservativeGroupOnlyForEmptySet()
    {
        var c = Example(extra: [CoreGroup("K35.8", 60.0000m, 610_000), CompGroup("K35", TreatmentKind.Conservative, 55.0000m, 560_000)]);
        Assert.Equal("K35.8:-", Group(c, Case("K35.800x001", null)));

        // Laboratory chapters 90–91 are ignored: the set stays empty.
        Assert.Equal("K35.8:-", Group(c, Case("K35.800x001", "90.5900")));

        // A surgical procedure matching no core group must not fall into K35.8:-.
        Assert.Equal("K35:S", Group(c, Case("K35.800x001", "47.0100")));

        // Another subcategory of K35 with no procedure: comprehensive conservative group.
        Assert.Equal("K35:C", Group(c, Case("K35.300", null)));
    }

    [Fact]
    public void UnmatchedWhenNoComprehensiveGroup()
    {
        var c = Example();
        var r = Run(c, Case("J18.900", "96.0400", costFen: 511_500));
        Assert.Equal(-1, r.GroupIndex);
        Assert.Equal(DipGroupKind.Unmatched, r.GroupKind);
        Assert.Equal(DipReason.NoGroup, r.Reason);
        Assert.Equal("DIP_NO_GROUP", DipReasons.Name(r.Reason));
        Assert.Equal("UNMATCHED", c.GroupCode(r.GroupIndex));

        // Paid by items, never zero points (*Assumption*): 5,115.00 ÷ 10,230.00 × 100.
        Assert.Equal(50.0000m, r.Points);
        Assert.Equal(0m, Run(c, Case("J18.900", null), new DipScoringParameters { UnmatchedCostPoints = false }).Points);
    }

    [Fact]
    public void ProcedureKeysCutToSevenCharacters()
    {
        var c = Example();
        Assert.Equal("K35.8:47.0901+54.5901", Group(c, Case("K35.800x001", "47.0901x001", ["54.5901x002", "47.0901x005"])));
    }

    // ---- auxiliary catalog

    [Fact]
    public void AuxExample_SingleLargestFactor()
    {
        // dip.md: score 86.0215, CCI level 2 (1.1800) and age ≥ 80 (1.0500) → 86.0215 × 1.18 = 101.5054.
        var c = Example(aux: [("K35.8:47.0901", AuxItem.Cci, 2, 1.1800m), ("K35.8:47.0901", AuxItem.Age, 4, 1.0500m)]);

        // E11 (1) + I50 (2) = 3 → level 2 (thresholds 1, 3, 5, 7).
        var r = Run(c, Case("K35.800x001", "47.0901", secondary: ["E11.900", "I50.000"], ageYears: 85));
        Assert.Equal(1.1800m, r.AuxFactor);
        Assert.Equal(AuxItem.Cci, r.AuxItem);
        Assert.Equal(2, r.AuxLevel);
        Assert.Equal(101.5054m, r.Points);
        Assert.Equal(CaseKind.Normal, r.CaseKind);
    }

    [Fact]
    public void AuxLongestPrefixWeightAndNoFactorGivesOne()
    {
        var c = Example(aux: [("K35.8:47.0901", AuxItem.Cci, 2, 1.1800m), ("K35.8:47.0901", AuxItem.Age, 4, 1.0500m)]);

        // I50.9 weighs 3 (longest prefix), not 2 → level 2 alone.
        var r = Run(c, Case("K35.800x001", "47.0901", secondary: ["I50.900"]));
        Assert.Equal(AuxItem.Cci, r.AuxItem);

        // Age 70 is in ge65 (band 3) for which the group has no factor; CCI level 1 has none either.
        r = Run(c, Case("K35.800x001", "47.0901", secondary: ["E11.900"], ageYears: 70));
        Assert.Equal(1m, r.AuxFactor);
        Assert.Equal(AuxItem.None, r.AuxItem);
        Assert.Equal(86.0215m, r.Points);
    }

    [Fact]
    public void AuxDischargeFactorBelowOneAppliesWhenAlone()
    {
        var c = Example(aux: [("K35.8:47.0901", AuxItem.DischargeMode, 5, 0.8000m), ("K35.8:47.0901", AuxItem.Cci, 1, 1.1000m)]);
        var r = Run(c, Case("K35.800x001", "47.0901", mode: DischargeMode.Died));
        Assert.Equal(0.8000m, r.AuxFactor);
        Assert.Equal(AuxItem.DischargeMode, r.AuxItem);
        Assert.Equal(68.8172m, r.Points); // 86.0215 × 0.8 = 68.8172

        r = Run(c, Case("K35.800x001", "47.0901", secondary: ["E11.9"], mode: DischargeMode.Died));
        Assert.Equal(1.1000m, r.AuxFactor);
    }

    [Fact]
    public void TumourLevelsFromMarkers()
    {
        var c = Example(
            extra: [CompGroup("C34", TreatmentKind.Therapeutic, 120.0000m, 1_227_600)],
            aux: [("C34:T", AuxItem.Tumour, 1, 1.1000m), ("C34:T", AuxItem.Tumour, 3, 1.4000m)]);

        // Chemotherapy only → level 1.
        var r = Run(c, Case("C34.900", "99.2501", costFen: 1_227_600));
        Assert.Equal((AuxItem.Tumour, 1, 1.1000m), (r.AuxItem, (int)r.AuxLevel, r.AuxFactor));

        // Metastasis + chemotherapy → level 3.
        r = Run(c, Case("C34.900", "99.2501", secondary: ["C78.000"], costFen: 1_227_600));
        Assert.Equal((AuxItem.Tumour, 3, 1.4000m), (r.AuxItem, (int)r.AuxLevel, r.AuxFactor));
        Assert.Equal(168.0000m, r.Points);

        // Not malignant principal → no tumour level.
        r = Run(c, Case("K35.800", "99.2501", secondary: ["C78.000"]));
        Assert.Equal(AuxItem.None, r.AuxItem);
    }

    // ---- outliers (dip.md examples, score 86.0215, reference 8,800.00, AuxFactor 1)

    [Theory]
    [InlineData(350_000, "0.3977", "34.2108", CaseKind.LowOutlier)]
    [InlineData(2_200_000, "2.5000", "129.0323", CaseKind.HighOutlier)]
    [InlineData(1_500_000, "1.7045", "86.0215", CaseKind.Normal)]
    public void OutlierExamples(long costFen, string ratio, string points, CaseKind kind)
    {
        var r = Run(Example(), Case("K35.800x001", "47.0901", costFen: costFen));
        Assert.Equal(decimal.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), r.CostRatio);
        Assert.Equal(decimal.Parse(points, System.Globalization.CultureInfo.InvariantCulture), r.Points);
        Assert.Equal(kind, r.CaseKind);
        Assert.Equal(880_000, r.ReferenceCostFen);
    }

    [Theory]
    [InlineData(440_000, CaseKind.LowOutlier, "43.0108")]   // r = 0.5000 exactly → low: 86.0215 × 0.5 = 43.01075 → 43.0108
    [InlineData(440_044, CaseKind.LowOutlier, "43.0108")]   // 0.500050 → 0.5001? no: 4400.44/8800 = 0.50005 → 0.5001 half-up
    [InlineData(440_088, CaseKind.Normal, "86.0215")]       // 0.5001 → normal
    [InlineData(1_760_000, CaseKind.HighOutlier, "86.0215")] // r = 2.0000 exactly → high, × (2 − 2 + 1)
    [InlineData(1_759_956, CaseKind.HighOutlier, "86.0215")] // 1.999995 → rounds to 2.0000 → high
    [InlineData(1_759_912, CaseKind.Normal, "86.0215")]      // 1.99999 → 1.9999 → normal
    public void OutlierBoundaries(long costFen, CaseKind kind, string points)
    {
        var r = Run(Example(), Case("K35.800x001", "47.0901", costFen: costFen));
        if (costFen == 440_044)
        {
            // 4,400.44 ÷ 8,800.00 = 0.50005 → 0.5001 (half-up) → normal.
            Assert.Equal(0.5001m, r.CostRatio);
            Assert.Equal(CaseKind.Normal, r.CaseKind);
            return;
        }

        Assert.Equal(kind, r.CaseKind);
        Assert.Equal(decimal.Parse(points, System.Globalization.CultureInfo.InvariantCulture), r.Points);
    }

    [Fact]
    public void TierThresholdsExcessFactorAndSameLevelReference()
    {
        var p = new DipScoringParameters { TierThresholds = [new DipTierThresholds(2, 0.4m, 2.5m)] };
        var c = Example();

        // r = 2.2: high at tier 3 (2.0), normal at tier 2 (2.5).
        Assert.Equal(CaseKind.HighOutlier, Run(c, Case("K35.800x001", "47.0901", costFen: 1_936_000, level: Level3A), p).CaseKind);
        Assert.Equal(CaseKind.Normal, Run(c, Case("K35.800x001", "47.0901", costFen: 1_936_000, level: Level2A), p).CaseKind);

        // r = 0.45: normal at tier 2 (0.4), low at tier 1 (0.5).
        Assert.Equal(CaseKind.Normal, Run(c, Case("K35.800x001", "47.0901", costFen: 396_000, level: Level2A), p).CaseKind);
        Assert.Equal(CaseKind.LowOutlier, Run(c, Case("K35.800x001", "47.0901", costFen: 396_000, level: Level1), p).CaseKind);

        // Excess factor e = 0.8, r = 2.5: 86.0215 × (1 + 0.8 × 0.5) = 120.4301.
        var e = Run(c, Case("K35.800x001", "47.0901", costFen: 2_200_000), new DipScoringParameters { ExcessFactor = 0.8m });
        Assert.Equal(120.4301m, e.Points);

        // Same-level reference: 3A mean 11,000.00 → 22,000.00 is r = 2.0 at 3A, 2.5 at tier 1.
        var grades = NoGrades();
        grades[0] = 1_100_000;
        var g = CoreGroup("K35.8", 86.0215m, 880_000, "47.0901") with { ReferenceCostByGradeFen = grades };
        var c2 = new DipCatalog("x", "1", new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31), true, 100m, 1_023_000, Definitions, [g], []);
        var at3A = Run(c2, Case("K35.800x001", "47.0901", costFen: 2_200_000, level: Level3A));
        Assert.Equal((2.0000m, 1_100_000L, 86.0215m), (at3A.CostRatio, at3A.ReferenceCostFen, at3A.Points));
        var at1 = Run(c2, Case("K35.800x001", "47.0901", costFen: 2_200_000, level: Level1));
        Assert.Equal((2.5000m, 129.0323m), (at1.CostRatio, at1.Points));
        var off = Run(c2, Case("K35.800x001", "47.0901", costFen: 2_200_000, level: Level3A), new DipScoringParameters { UseSameLevelReference = false });
        Assert.Equal(2.5000m, off.CostRatio);
    }

    [Fact]
    public void HighOutlierAuxAndSwitches()
    {
        var c = Example(aux: [("K35.8:47.0901", AuxItem.Cci, 2, 1.1800m)]);

        // 86.0215 × 1.18 × 1.5 = 152.258055 → 152.2581 (reference not scaled by aux).
        var r = Run(c, Case("K35.800x001", "47.0901", secondary: ["I50.9"], costFen: 2_200_000));
        Assert.Equal(152.2581m, r.Points);

        // Low outlier ignores the factor by default: 86.0215 × 0.3977 = 34.2108.
        r = Run(c, Case("K35.800x001", "47.0901", secondary: ["I50.9"], costFen: 350_000));
        Assert.Equal(34.2108m, r.Points);
        r = Run(c, Case("K35.800x001", "47.0901", secondary: ["I50.9"], costFen: 350_000), new DipScoringParameters { LowOutlierAppliesAux = true });
        Assert.Equal(40.3687m, r.Points); // 86.0215 × 1.18 × 0.3977 = 40.36867…

        // Reference scaled by aux: 22,000 ÷ (8,800 × 1.18) = 2.1186 → × (1.1186) → 113.5455.
        r = Run(c, Case("K35.800x001", "47.0901", secondary: ["I50.9"], costFen: 2_200_000), new DipScoringParameters { HighReferenceScaledByAux = true });
        Assert.Equal(Rounding.Places4(86.0215m * 1.18m * 1.1186m), r.Points);
    }

    [Fact]
    public void MiddleBandLift()
    {
        var p = new DipScoringParameters { LowThreshold = 0.4m, MiddleBandLow = 0.4m, MiddleBandHigh = 0.8m, MiddleBandLift = 0.2m };

        // r = 0.6 → 86.0215 × 0.8 = 68.8172.
        var r = Run(Example(), Case("K35.800x001", "47.0901", costFen: 528_000), p);
        Assert.Equal((CaseKind.Normal, 68.8172m), (r.CaseKind, r.Points));
    }

    // ---- individual review and per diem

    [Fact]
    public void IndividualReviewCandidatesKeepFormulaPoints()
    {
        var c = Example();

        // r = 5.0 → candidate, points by the high formula 86.0215 × 4 = 344.0860.
        var r = Run(c, Case("K35.800x001", "47.0901", costFen: 4_400_000));
        Assert.Equal((CaseKind.IndividualReview, CaseKind.HighOutlier, DipReason.ReviewCostRatio, 344.0860m), (r.CaseKind, r.PointsFormula, r.Reason, r.Points));

        r = Run(c, Case("K35.800x001", "47.0901", los: 60));
        Assert.Equal((CaseKind.IndividualReview, CaseKind.Normal, DipReason.ReviewLongStay, 86.0215m), (r.CaseKind, r.PointsFormula, r.Reason, r.Points));

        r = Run(c, Case("K35.800x001", "47.0901", los: 59, costFen: 4_399_912));
        Assert.Equal(CaseKind.HighOutlier, r.CaseKind);
    }

    [Fact]
    public void PerDiemExample()
    {
        // dip.md: psychiatric stay 90 days × 2.5000 = 225.0000.
        var r = Run(Example(), Case("F32.900", null, los: 90, kind: HospitalKind.Psychiatric));
        Assert.Equal((DipGroupKind.PerDiem, CaseKind.PerDiem, DipReason.PerDiem, 225.0000m, (short)0), (r.GroupKind, r.CaseKind, r.Reason, r.Points, r.PerDiemCategory));

        // By principal-diagnosis range at a general hospital.
        r = Run(Example(), Case("F20.000", null, los: 61));
        Assert.Equal((CaseKind.PerDiem, 152.5000m, (short)1), (r.CaseKind, r.Points, r.PerDiemCategory));

        // LOS must exceed the threshold.
        r = Run(Example(), Case("F20.000", null, los: 60));
        Assert.NotEqual(CaseKind.PerDiem, r.CaseKind);
    }

    [Fact]
    public void MatchBatchEqualsMatch()
    {
        var c = Example();
        var m = new DipMatcher(c, new DipScoringParameters());
        var hospitals = new Grouper.Ingest.HospitalTable([
            new Hospital("H1", "A", "350902", Level3A, HospitalKind.General, HospitalLocation.City, false, PaymentMethod.Dip, false),
            new Hospital("H2", "B", "350902", Level1, HospitalKind.Psychiatric, HospitalLocation.County, false, PaymentMethod.Dip, false),
        ]);
        var batch = new Grouper.Ingest.DischargeBatch(8);
        AddRecord(batch, 0, "K35.800x001", "47.0901", ["54.5901"], 2_200_000, 7);
        AddRecord(batch, 1, "F32.900", null, [], 300_000, 90);
        var results = new DipResult[2];
        m.MatchBatch(batch, hospitals, results);
        Assert.Equal("K35.8:47.0901+54.5901", c.GroupCode(results[0].GroupIndex));
        Assert.Equal(225.0000m, results[1].Points);
    }

    private static void AddRecord(Grouper.Ingest.DischargeBatch b, int hospital, string dx, string? proc, string[] others, long cost, int los)
    {
        var start = b.ReserveCodes(others.Length);
        for (var i = 0; i < others.Length; i++)
        {
            b.Codes[start + i] = Code.Parse(others[i]);
        }

        b.Records[b.Count++] = new Grouper.Ingest.DischargeRecord
        {
            HospitalIndex = hospital,
            PrincipalDx = Code.Parse(dx),
            PrincipalProc = proc is null ? Code.Empty : Code.Parse(proc),
            OtherProcsStart = start,
            OtherProcsCount = (byte)others.Length,
            AgeYears = 30,
            AgeDays = -1,
            DischargeMode = DischargeMode.OnAdvice,
            LengthOfStay = los,
            TotalCostFen = cost,
        };
    }
}
