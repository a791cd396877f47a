using Grouper.Core;
using Grouper.Dip;
using Grouper.Ingest;
using static Grouper.Tests.Dip.DipTestCatalogs;

namespace Grouper.Tests.Dip;

public class DipAllocationTests
{
    [Fact]
    public void MatchAllocatesNothing()
    {
        var c = Example(aux: [("K35.8:47.0901", AuxItem.Cci, 2, 1.18m)]);
        var m = new DipMatcher(c, new DipScoringParameters { TierThresholds = [new DipTierThresholds(2, 0.4m, 2.5m)] });
        Code[] procs = [Code.Parse("47.0901"), Code.Parse("54.5901"), Code.Parse("88.0400")];
        Code[] secs = [Code.Parse("I50.900"), Code.Parse("C78.000")];
        Code[] dxs = [Code.Parse("K35.800x001"), Code.Parse("K35.300"), Code.Parse("J18.900"), Code.Parse("F20.000")];
        long[] costs = [100_000, 880_000, 2_200_000, 9_000_000];
        long sum = 0;

        // Warm up (JIT, tiering), then measure.
        for (var pass = 0; pass < 2; pass++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20_000; i++)
            {
                var input = new DipInput(dxs[i & 3], secs.AsSpan(0, i % 3), procs[i % 3], procs.AsSpan(0, i % 4), i % 90, -1, (DischargeMode)(1 + (i % 5)), 1 + (i % 80), costs[(i >> 2) & 3], i % 2 == 0 ? Level3A : Level2A, HospitalKind.General);
                m.Match(in input, out var r);
                sum += r.PointsE4;
            }

            if (pass == 1)
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        Assert.True(sum > 0);
    }

    [Fact]
    public void BuilderAddFromBatchEqualsAddFromInput()
    {
        var p = new DipBuildParameters { CoreThreshold = 2, Definitions = Definitions };
        var a = new DipCatalogBuilder(p);
        var b = new DipCatalogBuilder(p);
        var batch = new DischargeBatch(16);
        for (var i = 0; i < 12; i++)
        {
            var start = batch.ReserveCodes(2);
            batch.Codes[start] = Code.Parse(i % 2 == 0 ? "54.5901" : "88.0400");
            batch.Codes[start + 1] = Code.Parse("E11.900");
            batch.Records[batch.Count++] = new DischargeRecord
            {
                PrincipalDx = Code.Parse(i % 3 == 0 ? "K35.800x001" : "K35.300"),
                PrincipalProc = Code.Parse("47.0901"),
                OtherProcsStart = start,
                OtherProcsCount = 1,
                SecondaryDxStart = start + 1,
                SecondaryDxCount = 1,
                AgeYears = (short)(20 + i),
                AgeDays = -1,
                DischargeMode = DischargeMode.OnAdvice,
                LengthOfStay = 5,
                TotalCostFen = 500_000 + (i * 10_000),
            };
            var rec = batch.Records[i];
            a.Add(batch, i, 2021 + (i % 3), Level3A, HospitalKind.General);
            var input = new DipInput(rec.PrincipalDx, batch.SecondaryDx(in rec), rec.PrincipalProc, batch.OtherProcs(in rec), rec.AgeYears, rec.AgeDays, rec.DischargeMode, rec.LengthOfStay, rec.TotalCostFen, Level3A, HospitalKind.General);
            b.Add(in input, 2021 + (i % 3));
        }

        var ca = a.Build().Catalog;
        var cb = b.Build().Catalog;
        Assert.Equal(ca.Groups.Select(g => (g.Code, g.Score, g.ReferenceCostFen)), cb.Groups.Select(g => (g.Code, g.Score, g.ReferenceCostFen)));
        Assert.Contains(ca.Groups, g => g.Code == "K35.3:47.0901+54.5901");
    }
}
