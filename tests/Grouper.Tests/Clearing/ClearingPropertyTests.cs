using System.Numerics;
using CsCheck;
using Grouper.Clearing;
using Grouper.Core;
using static Grouper.Tests.Clearing.ClearingTestData;

namespace Grouper.Tests.Clearing;

public class ClearingPropertyTests
{
    /// <summary>
    /// Runs <paramref name="assert"/> on <paramref name="iter"/> samples drawn from one fixed PCG stream, so
    /// every run sees the same years (independent of CsCheck's own seeding). A failure names the
    /// iteration and the sample.
    /// </summary>
    private static void Seeded<T>(Gen<T> gen, int iter, Action<T> assert)
    {
        var pcg = new PCG(7, 20240101);
        for (var i = 0; i < iter; i++)
        {
            var sample = gen.Generate(pcg, null!, out _);
            try
            {
                assert(sample);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"iteration {i}: {sample}: {ex.Message}", ex);
            }
        }
    }

    private static readonly string[] Levels = ["3A", "3B", "3C", "3", "2A", "2B", "2", "1A", "1", "0"];

    internal sealed record Year(
        Hospital[] Hospitals,
        ClearingCase[] Cases,
        int[] Part,
        int MergeOrder,
        ClearingRegionInputs Inputs)
    {
        public override string ToString() =>
            $"{Hospitals.Length} hospitals, {Cases.Length} cases, budget {Inputs.BudgetFen}, r {Inputs.ReserveShare}, V0 {Inputs.ProvisionalPointValue} ± {Inputs.PointValueBand}, basis {Inputs.Basis}";
    }

    private static Gen<ClearingCase> CaseGen(int hospitals) =>
        from h in Gen.Int[0, hospitals - 1]
        from month in Gen.Int[1, 12]
        from kind in Gen.Int[0, 9]
        from points in Gen.Long[0, 3_000_000]          // 0 – 300.0000 points
        from cost in Gen.Long[10_000, 5_000_000]       // 100.00 – 50,000.00
        from itemShare in Gen.Int[30, 130]             // I as % of cost
        from nShare in Gen.Int[0, 60]                  // N as % of cost
        from outlier in Gen.Int[0, 7]
        select new ClearingCase
        {
            Hospital = h,
            Month = (byte)month,
            Payment = kind switch { 0 => CasePayment.Drg, 1 => CasePayment.Ffs, 2 => CasePayment.PerDiem, _ => CasePayment.Dip },
            Class = kind == 3 ? ClearingClass.Grassroots : ClearingClass.Level,
            Outlier = outlier < 4 ? (CaseOutlier)outlier : CaseOutlier.None,
            Points = kind < 2 ? 0 : points,
            CostFen = cost,
            ItemFundFen = cost * itemShare / 100,
            OtherPaidFen = cost * nShare / 100,
        };

    private static readonly Gen<SharingTier[]> SurplusGen =
        from two in Gen.Bool
        from up in Gen.Int[1, 30]
        from share in Gen.Int[0, 10000]
        select two ? new[] { new SharingTier(up / 100m, 1m), new SharingTier(null, share / 10000m) } : [new SharingTier(up / 100m, 1m)];

    private static readonly Gen<SharingTier[]> OverrunGen =
        from two in Gen.Bool
        from up in Gen.Int[1, 20]
        from share in Gen.Int[0, 10000]
        select two ? new[] { new SharingTier(up / 100m, share / 10000m), new SharingTier((up + 10) / 100m, 0.25m) } : [new SharingTier(up / 100m, share / 10000m)];

    private static readonly Gen<Year> YearGen =
        from n in Gen.Int[1, 7]
        from levels in Gen.Int[0, Levels.Length - 1].Array[n]
        from bonus in Gen.Int[10000, 10800].Array[n]
        from deduction in Gen.Int[9000, 10000].Array[n]
        from advances in Gen.Long[0, 50_000_000_00].Array[n]
        from cases in CaseGen(n).Array[0, 150]
        from parts in Gen.Int[0, 3].Array[cases.Length]
        from order in Gen.Int[0, 1000]
        from budgetFactor in Gen.Int[70, 130]          // budget ≈ points × V0 × factor, so V lands inside and outside the band
        from reserve in Gen.Int[0, 800]
        from v0 in Gen.Long[20_000_000, 200_000_000]
        from band in Gen.Int[-1, 1500]
        from withhold in Gen.Int[0, 500]
        from cost in Gen.Bool
        from surplus in SurplusGen
        from overrun in OverrunGen
        from overrideK in Gen.Int[-3000, 15000]
        let hospitals = Enumerable.Range(0, n).Select(i => Hospital($"H{i:00}", Levels[levels[i]])).ToArray()
        let points = cases.Sum(c => c.Points)
        let budget = Math.Max(1_00, Rounding.ToFen(points / 10_000m * (v0 / 1_000_000m) * budgetFactor / 100m))
        select new Year(hospitals, cases, parts, order, new ClearingRegionInputs
        {
            Region = Region,
            Year = 2024,
            Basis = cost ? PointValueBasis.Cost : PointValueBasis.Fund,
            BudgetFen = budget,
            ReserveShare = reserve / 10000m,
            ProvisionalPointValue = v0 / 1_000_000m,
            PointValueBand = band < 0 ? null : band / 10000m,
            WithholdRate = withhold / 10000m,
            SurplusRetention = surplus,
            OverrunSharing = overrun,
            LevelCoefficientOverrides = overrideK > 0 ? new Dictionary<string, decimal> { ["3A"] = overrideK / 10000m } : new Dictionary<string, decimal>(),
            HospitalCoefficients = hospitals.Select((h, i) => (h.HospitalId, c: new HospitalCoefficients(bonus[i] / 10000m, deduction[i] / 10000m)))
                .ToDictionary(x => x.HospitalId, x => x.c),
            AdvancesPaid = hospitals.Select((h, i) => (h.HospitalId, a: new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, advances[i] }))
                .ToDictionary(x => x.HospitalId, x => x.a),
        });

    [Fact]
    public void InvariantsHoldOnRandomYears()
    {
        int clampedUp = 0, clampedDown = 0, cut = 0, capped = 0, costBasis = 0, empty = 0;
        Seeded(YearGen, 300, y =>
        {
            var shard = Shard(2024, y.Hospitals, y.Cases);
            var r = AnnualClearing.Run(shard, y.Inputs);
            clampedUp += r.PointValueClamped && r.PointValue > r.PointValueUnclamped ? 1 : 0;
            clampedDown += r.PointValueClamped && r.PointValue < r.PointValueUnclamped ? 1 : 0;
            cut += r.AdjustmentsCut ? 1 : 0;
            capped += r.ClampCappedByReserve ? 1 : 0;
            costBasis += r.Basis == PointValueBasis.Cost ? 1 : 0;
            empty += r.TotalFinalPoints == 0 ? 1 : 0;
            var failed = r.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail).ToArray();
            Assert.True(failed.Length == 0, string.Join("; ", failed));

            // Σ S_h = F' and money = budget, restated here from the rows.
            Assert.Equal(r.AllocatedFen, r.Hospitals.Sum(h => h.SettlementFen));
            Assert.Equal(r.BudgetFen, r.Hospitals.Sum(h => h.SettlementFen) + r.Hospitals.Sum(h => h.AdjustmentFen) + r.ReserveLeftFen + r.UnallocatedFen);
            Assert.True(r.ReserveLeftFen >= 0);

            // Each S_h (gross of N_h on the cost basis) is within one fen of its exact share.
            var pool = y.Inputs.Basis == PointValueBasis.Cost ? r.AllocatedFen + r.OtherPaidFen : r.AllocatedFen;
            foreach (var h in r.Hospitals)
            {
                if (r.TotalFinalPoints == 0)
                {
                    Assert.Equal(0, h.SettlementFen + (y.Inputs.Basis == PointValueBasis.Cost ? h.OtherPaidFen : 0));
                    continue;
                }

                var gross = h.SettlementFen + (y.Inputs.Basis == PointValueBasis.Cost ? h.OtherPaidFen : 0);
                var diff = (BigInteger)gross * r.TotalFinalPoints - (BigInteger)h.FinalPoints * pool;
                Assert.True(diff > -r.TotalFinalPoints && diff < r.TotalFinalPoints, $"{h.HospitalId} off by more than a fen");
            }

            // Point value inside the band whenever a band is set and there are points.
            if (y.Inputs.PointValueBand is { } b && r.TotalFinalPoints > 0 && !r.ClampCappedByReserve)
            {
                Assert.InRange(r.PointValue, Rounding.Places6(y.Inputs.ProvisionalPointValue * (1 - b)), Rounding.Places6(y.Inputs.ProvisionalPointValue * (1 + b)));
            }

            // Adjustments: surplus never increases the payment, overrun never decreases it, and the cut never raises one.
            foreach (var h in r.Hospitals)
            {
                Assert.True(h.ItemFundFen >= h.SettlementFen || h.AdjustmentFen <= 0);
                Assert.True(h.ItemFundFen <= h.SettlementFen || h.AdjustmentFen >= 0);
                Assert.True(h.AdjustmentFen <= Math.Max(0, h.AdjustmentBeforeCutFen) || h.AdjustmentFen == h.AdjustmentBeforeCutFen);
            }
        });

        // The generator must reach every branch, or the property proves little.
        Assert.True(clampedUp > 5 && clampedDown > 5 && cut > 5 && capped > 0 && costBasis > 50 && empty > 0,
            $"coverage: up {clampedUp}, down {clampedDown}, cut {cut}, capped {capped}, cost {costBasis}, empty {empty}");
    }

    [Fact]
    public void ShardsMergedInAnyOrderClearByteForByteLikeOnePass()
    {
        var dir = TestPaths.NewTempDir("clearing-shards");
        try
        {
            Seeded(YearGen, 40, y =>
            {
                var one = Path.Combine(dir, "one.parquet");
                var onePass = AnnualClearing.Run(Shard(2024, y.Hospitals, y.Cases), y.Inputs);
                ClearingParquetWriter.Write(one, [onePass]);

                // Map: 4 parts, each its own builder, written to and read back from a shard file.
                var files = new List<string>();
                for (var part = 0; part < 4; part++)
                {
                    var cases = y.Cases.Where((_, i) => y.Part[i] == part);
                    var file = Path.Combine(dir, $"part{part}.csv");
                    Shard(2024, y.Hospitals, cases).Write(file);
                    files.Add(file);
                }

                // Reduce in a data-chosen order.
                var rotated = files.Skip(y.MergeOrder % 4).Concat(files.Take(y.MergeOrder % 4));
                var ordered = y.MergeOrder % 2 == 0 ? rotated.ToList() : rotated.Reverse().ToList();
                var merged = ClearingShard.MergeAll(2024, ordered.Select(ClearingShard.Read));
                var split = Path.Combine(dir, "split.parquet");
                var splitResult = AnnualClearing.Run(merged, y.Inputs);
                ClearingParquetWriter.Write(split, [splitResult]);

                Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(split));
                Assert.Equal(ClearingHtmlReport.Render([onePass]), ClearingHtmlReport.Render([splitResult]));

                // The merged shard itself serialises identically to the one-pass shard.
                using var a = new StringWriter();
                using var b = new StringWriter();
                Shard(2024, y.Hospitals, y.Cases).Write(a);
                merged.Write(b);
                Assert.Equal(a.ToString(), b.ToString());
            });
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
