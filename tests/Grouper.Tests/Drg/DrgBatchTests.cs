using Grouper.Core;
using Grouper.Drg;
using Grouper.Ingest;

namespace Grouper.Tests.Drg;

/// <summary><see cref="DrgGrouper.GroupBatch"/> equals case-by-case grouping, and results do not depend on threads.</summary>
public sealed class DrgBatchTests
{
    private static DischargeBatch MakeBatch()
    {
        var batch = new DischargeBatch(16);
        void Add(string pdx, string[] sdx, string pproc, string[] oth, Sex sex = Sex.Male, short ageYears = 40, short ageDays = -1, int weight = -1)
        {
            ref var r = ref batch.Records[batch.Count++];
            r.Sex = sex;
            r.AgeYears = ageYears;
            r.AgeDays = ageDays;
            r.BirthWeightGrams = weight;
            r.PrincipalDx = Code.Parse(pdx);
            r.PrincipalProc = pproc.Length == 0 ? Code.Empty : Code.Parse(pproc);
            r.SecondaryDxStart = batch.ReserveCodes(sdx.Length);
            r.SecondaryDxCount = (byte)sdx.Length;
            for (var i = 0; i < sdx.Length; i++)
            {
                batch.Codes[r.SecondaryDxStart + i] = Code.Parse(sdx[i]);
            }

            r.OtherProcsStart = batch.ReserveCodes(oth.Length);
            r.OtherProcsCount = (byte)oth.Length;
            for (var i = 0; i < oth.Length; i++)
            {
                batch.Codes[r.OtherProcsStart + i] = Code.Parse(oth[i]);
            }
        }

        Add("J18.900", ["J12.100", "E87.600"], string.Empty, []);
        Add("K35.800x001", [], "81.5100", ["47.0901"]);
        Add("P07.300", [], string.Empty, [], Sex.Female, 0, 5, 1800);
        Add("S27.000", ["S06.000"], "81.5100", []);
        Add("N90.000", [], string.Empty, []);
        return batch;
    }

    [Fact]
    public void Batch_groups_every_record()
    {
        var batch = MakeBatch();
        var results = new DrgResult[batch.Count];
        RealDrg.Grouper.GroupBatch(batch, results);
        Assert.Equal(["ES33", "GQY", "PS29", "ZC15", "MQY"], results.Select(r => RealDrg.Catalog.DrgCode(r.Drg)).ToArray());
    }

    [Fact]
    public void Parallel_grouping_equals_sequential()
    {
        var pools = new DrgPropertyTests.CasePools(TestPaths.ChsDrg20);
        var rnd = new Random(7);
        var cases = Enumerable.Range(0, 4000).Select(_ => pools.Next(rnd)).ToArray();
        var g = RealDrg.Grouper;
        var sequential = cases.Select(c => c.Group(g)).ToArray();
        var parallel = new DrgResult[cases.Length];
        Parallel.For(0, cases.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = cases[i].Group(g));
        Assert.Equal(sequential, parallel);
    }
}
