using Grouper.Clearing;
using Grouper.Core;
using static Grouper.Tests.Clearing.ClearingTestData;

namespace Grouper.Tests.Clearing;

public class ClearingInputsTests
{
    [Fact]
    public void SampleInputsLoad()
    {
        var inputs = ExampleInputs();
        Assert.Equal("clearing-example-3-hospitals", inputs.Name);
        Assert.True(inputs.Demo);
        var c = inputs.Find("350900", 2024)!;
        Assert.Null(inputs.Find("350900", 2023));
        Assert.Equal(Fen("100000000.00"), c.BudgetFen);
        Assert.Equal(0.05m, c.ReserveShare);
        Assert.Equal(new HospitalCoefficients(1m, 0.98m), c.CoefficientsOf("A"));
        Assert.Equal(new HospitalCoefficients(1.03m, 1m), c.CoefficientsOf("B"));
        Assert.Equal(HospitalCoefficients.None, c.CoefficientsOf("C"));
        Assert.Equal([new SharingTier(0.15m, 1m)], c.SurplusRetention);
        Assert.Equal([new SharingTier(0.10m, 0.5m)], c.OverrunSharing);
        Assert.Equal(Fen("25000000"), c.AdvancePaidFen("B"));
        Assert.Equal(Fen("21000000"), c.AdvancePaidFen("B", 3));
        Assert.Equal(0, c.AdvancePaidFen("Z"));
        Assert.True(c.TryGetApprovedReview("C-000017", out var r1));
        Assert.Equal(Pts("312.5"), r1.Points);
        Assert.Null(r1.CostFen);
        Assert.True(c.TryGetApprovedReview("C-000042", out var r2));
        Assert.Equal(Fen("86000"), r2.CostFen);
        Assert.False(c.TryGetApprovedReview("C-1", out _));
    }

    private const string Minimal = """
        name: t
        version: "1"
        clearings:
          - region: "350900"
            year: 2024
            budget: 1000.00
            reserve_share: 0.05
            provisional_point_value: 92.000000
            surplus_retention: [ { up_to: 0.15, retained: 1 } ]
            overrun_sharing: [ { up_to: 0.10, fund_share: 0.5 } ]
        """;

    [Fact]
    public void MinimalInputsGetDefaults()
    {
        var c = ParseInputs(Minimal).Clearings[0];
        Assert.Equal(PointValueBasis.Fund, c.Basis);
        Assert.Null(c.PointValueBand);
        Assert.Equal(0m, c.WithholdRate);
        Assert.True(c.CutAdjustmentsToReserve);
    }

    [Theory]
    [InlineData("    budget: 1000.00", "    budget: 1000.001", 6, "clearings[0].budget")]
    [InlineData("    reserve_share: 0.05", "    reserve_share: 1.5", 7, "clearings[0].reserve_share")]
    [InlineData("    year: 2024", "    yeer: 2024", 5, "clearings[0].yeer")]
    [InlineData("    year: 2024\n", "", 4, "clearings[0].year")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    basis: items", 7, "clearings[0].basis")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    hospitals: { A: { bonus: 0.9 } }", 7, "clearings[0].hospitals.A.bonus")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    hospitals: { A: { deduction: 1.2 } }", 7, "clearings[0].hospitals.A.deduction")]
    [InlineData("[ { up_to: 0.15, retained: 1 } ]", "[ { retained: 1 }, { up_to: 0.2, retained: 1 } ]", 9, "clearings[0].surplus_retention[0]")]
    [InlineData("[ { up_to: 0.10, fund_share: 0.5 } ]", "[ { up_to: 0.10, fund_share: 0.5 }, { up_to: 0.05, fund_share: 0.2 } ]", 10, "clearings[0].overrun_sharing[1].up_to")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    advances_paid: { A: { 13: 5.00 } }", 7, "clearings[0].advances_paid.A.13")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    approved_reviews: [ { case_id: X, points: 1, cost: 2 } ]", 7, "clearings[0].approved_reviews[0]")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    approved_reviews: [ { case_id: X, points: 1 }, { case_id: X, cost: 2 } ]", 7, "clearings[0].approved_reviews[1].case_id")]
    [InlineData("    budget: 1000.00", "    budget: 1000.00\n    budget: 2000.00", 7, null)]
    public void BadInputsNameFileLineAndKey(string from, string to, long line, string? key)
    {
        var yaml = Minimal.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Minimal, yaml);
        var ex = Assert.Throws<InputException>(() => ParseInputs(yaml));
        Assert.Equal("test.yaml", ex.File);
        Assert.Equal(line, ex.LineNumber);
        if (key is not null)
        {
            Assert.Equal(key, ex.Field);
        }
    }

    [Fact]
    public void DuplicateRegionYearIsRejected()
    {
        var twice = Minimal + "\n" + Minimal[Minimal.IndexOf("  - region", StringComparison.Ordinal)..];
        var ex = Assert.Throws<InputException>(() => ParseInputs(twice));
        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsInputError()
    {
        var ex = Assert.Throws<InputException>(() => ClearingInputs.Load("/nonexistent/clearing.yaml"));
        Assert.Equal("/nonexistent/clearing.yaml", ex.File);
    }
}
