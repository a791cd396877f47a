using Grouper.Core;
using Grouper.Dip.Internals;

namespace Grouper.Tests.Dip;

public class DipFixedPointTests
{
    [Fact]
    public void IntegerHalfUpEqualsRoundingPlaces4()
    {
        var rnd = new Random(42);
        for (var i = 0; i < 200_000; i++)
        {
            long cost = rnd.Next(0, 4) switch
            {
                0 => rnd.Next(1, 1000),
                1 => rnd.NextInt64(1, 10_000_000_000),
                _ => rnd.Next(1, 5_000_000),
            };
            long reference = rnd.Next(0, 3) == 0 ? rnd.Next(1, 100) * 16 : rnd.Next(1, 5_000_000);
            var want = Rounding.Places4((decimal)cost / reference);
            Assert.Equal(want, FixedPoint.ToDecimal(FixedPoint.DivHalfUp(cost * FixedPoint.One, reference)));

            long score = rnd.Next(1, 5_000_000), aux = rnd.Next(5_000, 20_000);
            Assert.Equal(Rounding.Places4(FixedPoint.ToDecimal(score) * FixedPoint.ToDecimal(aux)), FixedPoint.ToDecimal(FixedPoint.DivHalfUp(score * aux, FixedPoint.One)));
        }

        // Exact halves round up: 1 ÷ 20000 = 0.00005 → 0.0001; 86.0215 × 0.5 = 43.01075 → 43.0108.
        Assert.Equal(1, FixedPoint.DivHalfUp(1 * FixedPoint.One, 20_000));
        Assert.Equal(430_108, FixedPoint.DivHalfUp(860_215L * 5_000, FixedPoint.One));
        Assert.Equal(43.0108m, FixedPoint.ToDecimal(430_108));
        Assert.Equal("43.0108", FixedPoint.ToDecimal(430_108).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Throws<ArgumentException>(() => FixedPoint.ToE4(1.00001m, "x"));
    }
}
