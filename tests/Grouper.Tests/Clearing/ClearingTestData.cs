using Grouper.Clearing;
using Grouper.Core;

namespace Grouper.Tests.Clearing;

/// <summary>Hospitals, cases and inputs of the clearing worked examples.</summary>
internal static class ClearingTestData
{
    public const string Region = "350900";

    public static Hospital Hospital(string id, string level) =>
        new(id, "Hospital " + id, "350902", Parse(level), HospitalKind.General, HospitalLocation.City, false, PaymentMethod.Dip, false);

    public static HospitalLevel Parse(string level) =>
        HospitalLevel.TryParse(level, out var l) ? l : throw new ArgumentException(level);

    /// <summary><paramref name="count"/> equal cases, spread over the 12 months.</summary>
    public static IEnumerable<ClearingCase> Cases(int hospital, int count, decimal points, decimal cost, decimal itemFund,
        ClearingClass cls = ClearingClass.Level, CasePayment payment = CasePayment.Dip)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new ClearingCase
            {
                Hospital = hospital,
                Month = (byte)((i % 12) + 1),
                Payment = payment,
                Class = cls,
                Points = (long)(points * 10_000m),
                CostFen = Money.ToFenExact(cost),
                OtherPaidFen = Money.ToFenExact(cost) / 4,
                ItemFundFen = Money.ToFenExact(itemFund),
            };
        }
    }

    public static ClearingShard Shard(int year, IReadOnlyList<Hospital> hospitals, IEnumerable<ClearingCase> cases)
    {
        var b = new ClearingShardBuilder(year, hospitals);
        foreach (var c in cases)
        {
            b.Add(c);
        }

        return b.ToShard();
    }

    public static Hospital[] ExampleHospitals { get; } = [Hospital("A", "3A"), Hospital("B", "3B"), Hospital("C", "3")];

    /// <summary>The cases of clearing.md's worked example; I_h spread evenly over each hospital's cases.</summary>
    public static IEnumerable<ClearingCase> ExampleCases()
    {
        // A: 5,000 × 100 points, cost 12,000.00 each = 60,000,000; I 48,000,000 = 9,600.00 each.
        foreach (var c in Cases(0, 5000, 100m, 12_000m, 9_600m))
        {
            yield return c;
        }

        // B: 4,000 × 75 points, 7,125.00 each = 28,500,000; grassroots 500 × 40 points, 3,000.00 each;
        // I 31,500,000 over 4,500 cases = 7,000.00 each.
        foreach (var c in Cases(1, 4000, 75m, 7_125m, 7_000m))
        {
            yield return c;
        }

        foreach (var c in Cases(1, 500, 40m, 3_000m, 7_000m, ClearingClass.Grassroots))
        {
            yield return c;
        }

        // C (tier 3 unrated → 3B): 2,500 × 80 points, 8,600.00 each = 21,500,000; I 13,500,000 = 5,400.00 each.
        foreach (var c in Cases(2, 2500, 80m, 8_600m, 5_400m))
        {
            yield return c;
        }
    }

    public static ClearingInputs ExampleInputs() =>
        ClearingInputs.Load(Path.Combine(TestPaths.SampleData, "clearing", "example-3-hospitals.yaml"));

    public static ClearingInputs ParseInputs(string yaml) => ClearingInputs.Parse(new StringReader(yaml), "test.yaml");

    public static long Fen(string yuan) => Money.ToFenExact(decimal.Parse(yuan, System.Globalization.CultureInfo.InvariantCulture));

    public static long Pts(string points) => (long)(decimal.Parse(points, System.Globalization.CultureInfo.InvariantCulture) * 10_000m);
}
