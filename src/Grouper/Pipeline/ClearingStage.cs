using Grouper.Clearing;
using Grouper.Dip;
using Grouper.Ingest;
using Grouper.Output;
using ClearingPayment = Grouper.Clearing.CasePayment;

namespace Grouper.Pipeline;

/// <summary>
/// The map step of the year-end clearing inside a run: every accepted case goes into a
/// (hospital × month) aggregate of its discharge year; the run writes one shard file per year,
/// and <c>clear</c> merges any number of shards and clears once (scale.md, clearing.md).
/// </summary>
internal sealed class ClearingStage(HospitalTable hospitals)
{
    private readonly SortedDictionary<int, ClearingShardBuilder> _builders = [];

    public void Add(CaseBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var r = ref batch.Records[i];
            ref readonly var dip = ref batch.Dip[i];
            ref readonly var pay = ref batch.Payment[i];
            var basicFund = batch.Settlement[i].Result.BasicFundFen;
            var c = new ClearingCase
            {
                Hospital = r.HospitalIndex,
                Month = (byte)r.DischargeDate.Month,
                CostFen = r.TotalCostFen,
                ItemFundFen = basicFund,
                OtherPaidFen = r.TotalCostFen - basicFund,
            };
            switch (pay.Method)
            {
                case Core.PaymentMethod.Dip when dip.GroupKind != DipGroupKind.Unmatched:
                    c.Payment = dip.GroupKind == DipGroupKind.PerDiem ? ClearingPayment.PerDiem : ClearingPayment.Dip;
                    c.Class = dip.GroupKind switch
                    {
                        DipGroupKind.Grassroots => ClearingClass.Grassroots,
                        DipGroupKind.PerDiem => ClearingClass.PerDiem,
                        _ => ClearingClass.Level,
                    };
                    c.Points = dip.PointsE4;
                    c.Outlier = dip.CaseKind switch
                    {
                        CaseKind.HighOutlier => CaseOutlier.High,
                        CaseKind.LowOutlier => CaseOutlier.Low,
                        CaseKind.IndividualReview => CaseOutlier.Review,
                        _ => CaseOutlier.None,
                    };
                    break;
                case Core.PaymentMethod.Drg:
                    c.Payment = ClearingPayment.Drg;
                    break;
                default:
                    c.Payment = ClearingPayment.Ffs; // FFS hospitals and unmatched DIP cases are paid by items
                    break;
            }

            if (!_builders.TryGetValue(r.DischargeDate.Year, out var builder))
            {
                _builders[r.DischargeDate.Year] = builder = new ClearingShardBuilder(r.DischargeDate.Year, hospitals.Hospitals);
            }

            builder.Add(in c);
        }
    }

    /// <summary>Writes <c>clearing-shard-YYYY.csv</c> per discharge year; returns the paths.</summary>
    public List<string> Write(string directory)
    {
        var paths = new List<string>();
        foreach (var (year, builder) in _builders)
        {
            var path = Path.Combine(directory, $"clearing-shard-{year}.csv");
            using (var file = new AtomicFile(path))
            {
                using (var w = new StreamWriter(file.Stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
                {
                    builder.ToShard().Write(w);
                }

                file.Commit();
            }

            paths.Add(path);
        }

        return paths;
    }
}
