using Grouper.Clearing;
using static Grouper.Tests.Clearing.ClearingTestData;

namespace Grouper.Tests.Clearing;

public class WorkedExampleTests
{
    [Fact]
    public void ThreeHospitalExampleOfClearingMd()
    {
        var shard = Shard(2024, ExampleHospitals, ExampleCases());
        var inputs = ExampleInputs().Find(Region, 2024)!;
        var r = AnnualClearing.Run(shard, inputs);

        // Steps 1–2: region 110.00 per point; 3A 120.00 → 1.0909; 3B (B + C) 100.00 → 0.9091.
        Assert.Equal(["3A", "3B"], r.LevelGroups.Select(g => g.LevelGroup));
        Assert.Equal(1.0909m, r.LevelGroups[0].Coefficient);
        Assert.Equal(0.9091m, r.LevelGroups[1].Coefficient);
        Assert.Equal(Pts("500000"), r.LevelGroups[1].Points);
        Assert.Equal(Fen("50000000"), r.LevelGroups[1].CostFen);

        var (a, b, c) = (r.Hospitals[0], r.Hospitals[1], r.Hospitals[2]);
        Assert.Equal(("A", "B", "C"), (a.HospitalId, b.HospitalId, c.HospitalId));
        Assert.Equal("3B", c.LevelGroup);

        // Step 3: P_A = 500,000 × 1.0909 × 0.98; P_B = (300,000 × 0.9091 + 20,000) × 1.03; P_C = 200,000 × 0.9091.
        Assert.Equal(Pts("534541.0000"), a.FinalPoints);
        Assert.Equal(Pts("301511.9000"), b.FinalPoints);
        Assert.Equal(Pts("181820.0000"), c.FinalPoints);
        Assert.Equal(Pts("1017872.9000"), r.TotalFinalPoints);
        Assert.Equal(5_000, a.Cases);
        Assert.Equal(4_500, b.Cases);
        Assert.Equal(100.0000m, a.AveragePointsPerCase);

        // Steps 4–5.
        Assert.Equal(Fen("5000000.00"), r.ReserveFen);
        Assert.Equal(Fen("95000000.00"), r.FundFen);
        Assert.Equal(93.331888m, r.PointValue);
        Assert.False(r.PointValueClamped);
        Assert.Equal(r.FundFen, r.AllocatedFen);

        // Step 6: cut 49,889,721.00 / 28,140,675.02 / 16,969,603.96, 2 fen left → B (.9269), A (.5441).
        Assert.Equal(Fen("49889721.01"), a.SettlementFen);
        Assert.Equal(Fen("28140675.03"), b.SettlementFen);
        Assert.Equal(Fen("16969603.96"), c.SettlementFen);

        // Step 7: A surplus 3.8% kept; B overrun 0.5 × min(3,359,324.97, 2,814,067.50); C −(3,469,603.96 − 2,545,440.59).
        Assert.Equal(0, a.AdjustmentFen);
        Assert.Equal(Fen("1407033.75"), b.AdjustmentFen);
        Assert.Equal(Fen("-924163.37"), c.AdjustmentFen);
        Assert.Equal(Fen("482870.38"), r.AdjustmentTotalFen);
        Assert.False(r.AdjustmentsCut);

        // Steps 8–9.
        Assert.Equal([Fen("1496691.63"), Fen("844220.25"), Fen("509088.12")], r.Hospitals.Select(h => h.WithholdFen));
        Assert.Equal([Fen("45000000"), Fen("25000000"), Fen("15500000")], r.Hospitals.Select(h => h.AdvancePaidFen));
        Assert.Equal([Fen("3393029.38"), Fen("3703488.53"), Fen("36352.47")], r.Hospitals.Select(h => h.BalanceFen));

        // Money check: 95,000,000.00 + 482,870.38 + 4,517,129.62 = 100,000,000.00.
        Assert.Equal(Fen("4517129.62"), r.ReserveLeftFen);
        Assert.Equal(Fen("100000000.00"), r.Hospitals.Sum(h => h.SettlementFen) + r.AdjustmentTotalFen + r.ReserveLeftFen);
        Assert.True(r.AllChecksPassed, string.Join("; ", r.Checks.Where(x => !x.Passed).Select(x => x.Name + ": " + x.Detail)));
        Assert.Equal(7, r.Checks.Count);

        // Case-level final points (reported only): A's 100-point case → 100 × 1.0909 × 0.98 = 106.9082;
        // B's 75-point case → 75 × 0.9091 × 1.03 = 70.227975 → 70.2280.
        Assert.Equal(Pts("106.9082"), AnnualClearing.CaseFinalPoints(Pts("100"), r.LevelCoefficientOf("3A"), inputs.CoefficientsOf("A")));
        Assert.Equal(Pts("70.2280"), AnnualClearing.CaseFinalPoints(Pts("75"), r.LevelCoefficientOf("3B"), inputs.CoefficientsOf("B")));
        Assert.Equal(1m, r.LevelCoefficientOf("2A"));
    }

    [Fact]
    public void HospitalWithAdvancesButNoCasesRepaysThem()
    {
        var yaml = File.ReadAllText(Path.Combine(TestPaths.SampleData, "clearing", "example-3-hospitals.yaml"))
            .Replace("      C: 15500000.00", "      C: 15500000.00\n      D: 1234.56", StringComparison.Ordinal);
        var r = AnnualClearing.Run(Shard(2024, ExampleHospitals, ExampleCases()), ParseInputs(yaml).Find(Region, 2024)!);
        Assert.Equal(["A", "B", "C", "D"], r.Hospitals.Select(h => h.HospitalId));
        var d = r.Hospitals[3];
        Assert.Equal((AnnualClearing.NoCasesGroup, 0L, 0L, 0L), (d.LevelGroup, d.Cases, d.FinalPoints, d.SettlementFen));
        Assert.Equal(Fen("-1234.56"), d.BalanceFen);
        Assert.Equal(["3A", "3B"], r.LevelGroups.Select(g => g.LevelGroup));
        Assert.Equal(Fen("3393029.38"), r.Hospitals[0].BalanceFen); // the others are unchanged
        Assert.True(r.AllChecksPassed);
    }

    [Theory]
    [InlineData("fund", "66.666667", "66666.67", "33333.33")]
    [InlineData("cost", "96.666667", "71666.67", "28333.33")]
    public void CostBasisPoolsWhatPatientsPaid(string basis, string pointValue, string sx, string sy)
    {
        // X: 10 × 100 points, N = 10 × 2,500 = 25,000; Y: 10 × 50 points, N = 10 × 2,000 = 20,000; one group → K = 1.
        // Fund basis: V = 100,000 ÷ 1,500 = 66.666667; S = 1,000/1,500 and 500/1,500 of 100,000 → 66,666.67 (.667 gets the fen), 33,333.33.
        // Cost basis: V_c = (100,000 + 45,000) ÷ 1,500 = 96.666667; gross 96,666.67 / 48,333.33; S = gross − N = 71,666.67 / 28,333.33.
        var yaml = $$"""
            name: t
            version: "1"
            clearings:
              - { region: "350900", year: 2024, basis: {{basis}}, budget: 100000.00, reserve_share: 0,
                  provisional_point_value: 90, surplus_retention: [ { retained: 1 } ], overrun_sharing: [ { fund_share: 0 } ] }
            """;
        var hospitals = new[] { Hospital("X", "3A"), Hospital("Y", "3A") };
        var r = AnnualClearing.Run(Shard(2024, hospitals, Cases(0, 10, 100m, 10_000m, 0m).Concat(Cases(1, 10, 50m, 8_000m, 0m))), ParseInputs(yaml).Clearings[0]);
        Assert.Equal(decimal.Parse(pointValue, System.Globalization.CultureInfo.InvariantCulture), r.PointValue);
        Assert.Equal([Fen(sx), Fen(sy)], r.Hospitals.Select(h => h.SettlementFen));
        Assert.Equal([Fen("25000"), Fen("20000")], r.Hospitals.Select(h => h.OtherPaidFen));
        Assert.Equal([0L, 0L], r.Hospitals.Select(h => h.AdjustmentFen)); // surplus fully retained (open tier at 100%)
        Assert.True(r.AllChecksPassed);
    }

    [Fact]
    public void HalfUpOfEachShareWouldOverpayByOneFen()
    {
        // clearing.md: half-up of each exact share gives 95,000,000.01; the remainder rule gives F exactly.
        var shares = Grouper.Clearing.Internals.Apportion.LargestRemainder(Fen("95000000"), [Pts("534541"), Pts("301511.9"), Pts("181820")]);
        Assert.Equal(Fen("95000000"), shares.Sum());
        var halfUp = Grouper.Core.Rounding.ToFen(49_889_721.0054m) + Grouper.Core.Rounding.ToFen(28_140_675.0293m) + Grouper.Core.Rounding.ToFen(16_969_603.9653m);
        Assert.Equal(Fen("95000000.01"), halfUp);
    }

    [Fact]
    public void MonthlyAdvanceExample()
    {
        // 41,000 points × 1.08 × 92.000000 × 0.90 = 3,666,384.00.
        Assert.Equal(Fen("3666384.00"), AnnualClearing.MonthlyAdvanceFen(Pts("41000"), 1.08m, 92.000000m, 0.90m));

        // Through the inputs: K_prev of 3A is 1.08, V0 92, a 0.90.
        var inputs = ExampleInputs().Find(Region, 2024)!;
        Assert.Equal(Fen("3666384.00"), inputs.MonthlyAdvanceFen(Pts("41000"), "3A"));

        // A group without a prior coefficient advances at K = 1: 41,000 × 92 × 0.9 = 3,394,800.00.
        Assert.Equal(Fen("3394800.00"), inputs.MonthlyAdvanceFen(Pts("41000"), "1"));
    }

    internal const string FiveHospitalYaml = """
        name: five-hospitals
        version: "1"
        demo: true
        clearings:
          - region: "350900"
            year: 2025
            budget: 80000000.00
            reserve_share: 0.05
            provisional_point_value: 100.123457
            point_value_band: 0.05
            level_coefficient_overrides: { "0": 0.7000 }
            hospitals:
              H2: { bonus: 1.0500 }
              H4: { deduction: 0.9500 }
            surplus_retention: [ { up_to: 0.15, retained: 1 } ]
            overrun_sharing: [ { up_to: 0.10, fund_share: 0.5 } ]
            withhold_rate: 0.02
            advances_paid: { H1: 40000000.00, H2: 15000000.00, H3: 8000000.00, H4: 3000000.00, H5: 3500000.00 }
        """;

    internal static Grouper.Core.Hospital[] FiveHospitals { get; } =
        [Hospital("H1", "3A"), Hospital("H2", "2A"), Hospital("H3", "2"), Hospital("H4", "1A"), Hospital("H5", "0")];

    internal static IEnumerable<ClearingCase> FiveHospitalCases() =>
        Cases(0, 4000, 100m, 13_000m, 13_750m)                                  // H1 3A: 400,000 pts, cost 52,000,000, I 55,000,000
            .Concat(Cases(0, 3, 0m, 9_000m, 0m, payment: CasePayment.Drg))      // DRG cases: counted only
            .Concat(Cases(1, 2500, 80m, 7_200m, 7_120m))                        // H2 2A: 200,000 pts, 18,000,000, I 17,800,000
            .Concat(Cases(2, 1250, 80m, 6_400m, 4_800m))                        // H3 2 → 2B: 100,000 pts, 8,000,000
            .Concat(Cases(2, 250, 40m, 2_000m, 2_000m, ClearingClass.Grassroots)) // H3 grassroots 10,000 pts; I total 6,500,000
            .Concat(Cases(3, 1000, 50m, 3_500m, 2_900m))                        // H4 1A → 1: 50,000 pts, 3,500,000
            .Concat(Cases(3, 20, 250m, 20_000m, 10_000m, payment: CasePayment.PerDiem)) // H4 per diem 5,000 pts; I total 3,100,000
            .Concat(Cases(4, 1000, 50m, 3_500m, 4_000m))                        // H5 0: 50,000 pts, 3,500,000, I 4,000,000
            .Concat(Cases(4, 2, 0m, 1_000m, 0m, payment: CasePayment.Ffs));     // FFS cases: counted only

    [Fact]
    public void FiveHospitalExampleWithClampAndReserveCut()
    {
        var r = AnnualClearing.Run(Shard(2025, FiveHospitals, FiveHospitalCases()), ParseInputs(FiveHospitalYaml).Clearings[0]);

        // Region level class: 800,000 points, 85,000,000.00 → 106.25 per point.
        // 3A 130 ÷ 106.25 = 1.22353 → 1.2235; 2A 90 ÷ 106.25 = 0.84706 → 0.8471; 2B 80 ÷ 106.25 = 0.75294 → 0.7529;
        // 1: 70 ÷ 106.25 = 0.65882 → 0.6588; 0: computed 0.6588 but negotiated 0.7000 wins.
        Assert.Equal(["0", "1", "2A", "2B", "3A"], r.LevelGroups.Select(g => g.LevelGroup));
        Assert.Equal([0.7000m, 0.6588m, 0.8471m, 0.7529m, 1.2235m], r.LevelGroups.Select(g => g.Coefficient));
        Assert.Equal(0.6588m, r.LevelGroups[0].Computed);
        Assert.Equal(0.7000m, r.LevelGroups[0].Override);

        // P_1 = 400,000 × 1.2235 = 489,400; P_2 = 200,000 × 0.8471 × 1.05 = 177,891;
        // P_3 = 100,000 × 0.7529 + 10,000 = 85,290; P_4 = (50,000 × 0.6588 + 5,000) × 0.95 = 36,043;
        // P_5 = 50,000 × 0.7000 = 35,000; Σ = 823,624.
        Assert.Equal([Pts("489400"), Pts("177891"), Pts("85290"), Pts("36043"), Pts("35000")], r.Hospitals.Select(h => h.FinalPoints));
        Assert.Equal(Pts("823624"), r.TotalFinalPoints);

        // F = 80,000,000 − 4,000,000 = 76,000,000; V = 76,000,000 ÷ 823,624 = 92.275116 below the band
        // [round6(100.123457 × 0.95) = 95.117284, 105.129630] → clamped to 95.117284;
        // F' = round(823,624 × 95.117284) = 78,340,877.92, 2,340,877.92 drawn from the reserve → 1,659,122.08 left.
        Assert.Equal(92.275116m, r.PointValueUnclamped);
        Assert.Equal(95.117284m, r.PointValue);
        Assert.True(r.PointValueClamped);
        Assert.Equal(Fen("78340877.92"), r.AllocatedFen);
        Assert.Equal(Fen("1659122.08"), r.ReserveAfterClampFen);

        // S_h = P_h × F' ÷ ΣP: cuts .79/.76/.15/.26/.94, fractions .1254 .8645 .2648 .7338 .0118 → 2 fen to H2, H4.
        Assert.Equal([Fen("46550398.79"), Fen("16920508.77"), Fen("8112553.15"), Fen("3428312.27"), Fen("3329104.94")],
            r.Hospitals.Select(h => h.SettlementFen));

        // Step 7 before the cut: H1 overrun → 0.5 × round(0.10 × S) = 0.5 × 4,655,039.88 = 2,327,519.94;
        // H2 overrun 879,491.23 < 10% → 439,745.615 → 439,745.62; H3 surplus 1,612,553.15 − 1,216,882.97 → −395,670.18;
        // H4 surplus 9.6% → 0; H5 overrun → 0.5 × 332,910.49 = 166,455.245 → 166,455.25.
        Assert.Equal([Fen("2327519.94"), Fen("439745.62"), Fen("-395670.18"), 0, Fen("166455.25")], r.Hospitals.Select(h => h.AdjustmentBeforeCutFen));

        // Positive 2,933,720.81 > available 1,659,122.08 + 395,670.18 = 2,054,792.26 → cut pro rata:
        // H1 1,630,206.2355, H2 307,999.9614, H5 116,586.0531; 1 fen left → H1.
        Assert.True(r.AdjustmentsCut);
        Assert.Equal([Fen("1630206.24"), Fen("307999.96"), Fen("-395670.18"), 0, Fen("116586.06")], r.Hospitals.Select(h => h.AdjustmentFen));
        Assert.Equal(0, r.ReserveLeftFen);

        // W = round(0.02 × S); balance = S + adj − W − advances.
        Assert.Equal([Fen("931007.98"), Fen("338410.18"), Fen("162251.06"), Fen("68566.25"), Fen("66582.10")], r.Hospitals.Select(h => h.WithholdFen));
        Assert.Equal([Fen("7249597.05"), Fen("1890098.55"), Fen("-445368.09"), Fen("359746.02"), Fen("-120891.10")], r.Hospitals.Select(h => h.BalanceFen));

        // Money: 78,340,877.92 + 1,659,122.08 + 0 = 80,000,000.00.
        Assert.Equal(Fen("80000000"), r.Hospitals.Sum(h => h.SettlementFen) + r.AdjustmentTotalFen + r.ReserveLeftFen);
        Assert.Equal([4000L, 2500, 1500, 1020, 1000], r.Hospitals.Select(h => h.Cases));
        Assert.Equal(3, r.Hospitals[0].DrgCases);
        Assert.Equal(2, r.Hospitals[4].FfsCases);
        Assert.True(r.AllChecksPassed, string.Join("; ", r.Checks.Where(x => !x.Passed).Select(x => x.Name + ": " + x.Detail)));
    }
}
