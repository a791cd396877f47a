using System.Text;
using Grouper.Generation;

namespace Grouper.Tests.Generation;

/// <summary>Regression: a warning line built on a 40-code list must stay a warning line.</summary>
public sealed class WarningLineLimitTests
{
    [Fact]
    public void Pdx_repeated_on_a_full_secondary_list_is_not_too_many_codes()
    {
        // The property test's counterexample: line 62 got 40 secondaries plus the repeated principal.
        using var d = new MemoryStream();
        using var h = new MemoryStream();
        using var r = new MemoryStream();
        using var w = new MemoryStream();
        DischargeGenerator.Write(
            new GeneratorOptions { Count = 124, Seed = 129221, BadFraction = 0.28115974416946427, HospitalCount = 26, CrLf = true, ExtraColumn = true },
            new BuiltInCodeSource(), d, h, r, w);
        var line62 = Encoding.UTF8.GetString(d.ToArray()).Split("\r\n")[61];
        var fields = CsvOracle.Parse("x\n" + line62 + "\n")[1].Fields;
        var secondary = fields[Array.IndexOf(CsvOracle.Columns, "secondary_dx")].Split(';');
        Assert.Equal(40, secondary.Length);
        Assert.Contains(fields[Array.IndexOf(CsvOracle.Columns, "principal_dx")], secondary);
        Assert.Contains("62,S0000000061,PDX_REPEATED", Encoding.UTF8.GetString(w.ToArray()), StringComparison.Ordinal);
    }
}
