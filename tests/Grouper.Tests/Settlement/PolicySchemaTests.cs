using Grouper.Core;
using Grouper.Settlement;

namespace Grouper.Tests.Settlement;

/// <summary>Each kind of bad policy file gives the exact error (file, line, key path, message).</summary>
public class PolicySchemaTests
{
    // Line numbers below refer to this text (line 1 = "name: t").
    private const string Valid = """
        name: t
        version: "1"
        region: "350900"
        deductibles:
          resident:
            - from: null
              to: 2023-07-09
              out_of_city: 1000
              city: 800
              county: 500
              township: 100
            - from: 2023-07-10
              to: null
              out_of_city: 600
              city: 500
              county: 400
              township: 50
        general_ratios:
          resident:
            - from: null
              to: null
              out_of_city: 0.55
              city: 0.65
              county: 0.80
              township: 0.90
        """;

    private static InputException Load(string text, string file = "bad.yaml")
    {
        var dir = TestPaths.NewTempDir("policy-schema");
        File.WriteAllText(Path.Combine(dir, file), text);
        return Assert.Throws<InputException>(() => PolicyStore.Load(dir));
    }

    private static void AssertError(InputException ex, long line, string? field, string detail)
    {
        Assert.Equal("bad.yaml", ex.File);
        Assert.Equal(line, ex.LineNumber);
        Assert.Equal(field, ex.Field);
        Assert.Equal(detail, ex.Detail);
    }

    [Fact]
    public void Valid_file_loads()
    {
        var dir = TestPaths.NewTempDir("policy-schema");
        File.WriteAllText(Path.Combine(dir, "ok.yaml"), Valid);
        var store = PolicyStore.Load(dir);
        Assert.True(store.TryResolve("350900", new DateOnly(2023, 7, 10), InsuranceType.Resident, out var p));
        Assert.Equal(600m, p.Benefits[(int)InsuranceType.Resident]!.Deductible[0]);
        Assert.False(store.TryResolve("350900", new DateOnly(2023, 7, 10), InsuranceType.Employee, out _));
    }

    [Fact]
    public void Unknown_top_level_key()
    {
        var ex = Load(Valid + "\ndeductable: 5\n");
        AssertError(ex, 26, "deductable", "unknown key");
        Assert.Equal("bad.yaml, line 26, field 'deductable': unknown key", ex.Message);
    }

    [Fact]
    public void Unknown_row_key()
    {
        var ex = Load(Valid.Replace("      city: 800", "      cty: 800", StringComparison.Ordinal));
        AssertError(ex, 9, "deductibles.resident[0].cty", "unknown key");
    }

    [Fact]
    public void Missing_required_value()
    {
        var ex = Load(Valid.Replace("      county: 400\n", string.Empty, StringComparison.Ordinal));
        AssertError(ex, 12, "deductibles.resident[1].county", "missing required value");
        ex = Load(Valid.Replace("      county: 400\n", "      county:\n", StringComparison.Ordinal));
        AssertError(ex, 16, "deductibles.resident[1].county", "missing required value");
        ex = Load(Valid.Replace("name: t\n", string.Empty, StringComparison.Ordinal));
        AssertError(ex, 1, "name", "missing required value");
    }

    [Fact]
    public void Missing_from_or_to()
    {
        var ex = Load(Valid.Replace("    - from: 2023-07-10\n      to: null\n", "    - from: 2023-07-10\n", StringComparison.Ordinal));
        AssertError(ex, 12, "deductibles.resident[1].to", "missing required value (use null for an open end)");
    }

    [Fact]
    public void Wrong_types()
    {
        var ex = Load(Valid.Replace("city: 500", "city: five hundred", StringComparison.Ordinal));
        AssertError(ex, 15, "deductibles.resident[1].city", "expected a number, got 'five hundred'");
        ex = Load(Valid.Replace("city: 500", "city: \"500\"", StringComparison.Ordinal));
        AssertError(ex, 15, "deductibles.resident[1].city", "expected a number, got '500'");
        ex = Load(Valid.Replace("to: 2023-07-09", "to: 2023-02-30", StringComparison.Ordinal));
        AssertError(ex, 7, "deductibles.resident[0].to", "expected a date yyyy-MM-dd, got '2023-02-30'");
        ex = Load(Valid.Replace("city: 500", "city: [500]", StringComparison.Ordinal));
        AssertError(ex, 15, "deductibles.resident[1].city", "expected a number, got a list");
        ex = Load(Valid.Replace("city: 500", "city: 500.005", StringComparison.Ordinal));
        AssertError(ex, 15, "deductibles.resident[1].city", "amount 500.005 must be yuan ≥ 0 with at most 2 decimals");
        ex = Load(Valid.Replace("city: 500", "city: -500", StringComparison.Ordinal));
        AssertError(ex, 15, "deductibles.resident[1].city", "amount -500 must be yuan ≥ 0 with at most 2 decimals");
        ex = Load(Valid.Replace("region: \"350900\"", "region: \"3509\"", StringComparison.Ordinal));
        AssertError(ex, 3, "region", "expected a 6-digit pooling region code, got '3509'");
    }

    [Fact]
    public void Ratio_outside_unit_interval()
    {
        var ex = Load(Valid.Replace("city: 0.65", "city: 65", StringComparison.Ordinal));
        AssertError(ex, 23, "general_ratios.resident[0].city", "ratio 65 outside [0, 1]");
        ex = Load(Valid.Replace("city: 0.65", "city: -0.05", StringComparison.Ordinal));
        AssertError(ex, 23, "general_ratios.resident[0].city", "ratio -0.05 outside [0, 1]");
        ex = Load(Valid.Replace("city: 0.65", "city: 0.65001", StringComparison.Ordinal));
        AssertError(ex, 23, "general_ratios.resident[0].city", "ratio 0.65001 has more than 4 decimals");
    }

    [Fact]
    public void Overlapping_ranges()
    {
        var ex = Load(Valid.Replace("from: 2023-07-10", "from: 2023-07-01", StringComparison.Ordinal));
        AssertError(ex, 12, "deductibles.resident[1].from", "range 2023-07-01..open overlaps the previous row (to 2023-07-09)");
        ex = Load(Valid.Replace("to: 2023-07-09", "to: null", StringComparison.Ordinal));
        AssertError(ex, 12, "deductibles.resident[1].from", "range 2023-07-10..open overlaps the previous row (to open)");
    }

    [Fact]
    public void Gapped_ranges()
    {
        var ex = Load(Valid.Replace("from: 2023-07-10", "from: 2023-07-12", StringComparison.Ordinal));
        AssertError(ex, 12, "deductibles.resident[1].from", "gap after the previous row (to 2023-07-09): expected from 2023-07-10");
        ex = Load(Valid.Replace("- from: 2023-07-10", "- from: null", StringComparison.Ordinal));
        AssertError(ex, 12, "deductibles.resident[1].from", "range open..open overlaps the previous row (to 2023-07-09)");
    }

    [Fact]
    public void To_before_from()
    {
        var ex = Load(Valid.Replace("      to: null\n      out_of_city: 600", "      to: 2023-01-01\n      out_of_city: 600", StringComparison.Ordinal));
        AssertError(ex, 13, "deductibles.resident[1].to", "to 2023-01-01 is before from 2023-07-10");
    }

    [Fact]
    public void Unknown_assistance_class_and_enum_values()
    {
        var ex = Load(Valid + "\nmedical_assistance:\n  - from: null\n    to: null\n    classes:\n      dibo: {deductible: 0, ratio: 0.7, cap: 30000}\n");
        AssertError(ex, 30, "medical_assistance[0].classes.dibo", "unknown key");
        ex = Load(Valid + "\npayment:\n  - {from: null, to: null, default_method: PPS}\n");
        AssertError(ex, 27, "payment[0].default_method", "expected DIP, DRG or FFS, got 'PPS'");
    }

    [Fact]
    public void Core_tables_must_cover_the_validity()
    {
        var ex = Load(Valid.Replace("    - from: null\n      to: 2023-07-09", "    - from: 2023-01-01\n      to: 2023-07-09", StringComparison.Ordinal));
        AssertError(ex, 4, "deductibles.resident", "rows cover 2023-01-01..open, not the policy validity open..open");
        ex = Load(Valid + "\n  employee:\n    - {from: null, to: null, out_of_city: 1, city: 1, county: 1, township: 1}\n");
        AssertError(ex, 4, "deductibles.employee", "missing required value (deductibles and general_ratios go together)");
    }

    [Fact]
    public void Duplicate_key_and_empty_file()
    {
        var ex = Load(Valid.Replace("      city: 800\n", "      city: 800\n      city: 900\n", StringComparison.Ordinal));
        Assert.Equal("bad.yaml", ex.File);
        Assert.Equal(10, ex.LineNumber);
        Assert.StartsWith("not valid YAML", ex.Detail, StringComparison.Ordinal);
        ex = Load(string.Empty);
        AssertError(ex, 1, null, "expected exactly one YAML document");
    }

    [Fact]
    public void Not_yaml()
    {
        var ex = Load("name: t\n  version: [\n");
        Assert.Equal("bad.yaml", ex.File);
        Assert.StartsWith("not valid YAML", ex.Detail, StringComparison.Ordinal);
        Assert.True(ex.LineNumber >= 1);
    }

    [Fact]
    public void Two_files_of_one_region_must_not_overlap()
    {
        var dir = TestPaths.NewTempDir("policy-schema");
        File.WriteAllText(Path.Combine(dir, "a.yaml"), Valid);
        File.WriteAllText(Path.Combine(dir, "b.yaml"), Valid);
        var ex = Assert.Throws<InputException>(() => PolicyStore.Load(dir));
        Assert.Equal("b.yaml", ex.File);
        Assert.Equal("validity overlaps policy file a.yaml of region 350900", ex.Detail);
    }

    [Fact]
    public void Sample_policies_all_load()
    {
        var store = PolicyStore.Load(SettlementFixture.PolicyDir);
        Assert.Equal(4, store.Regions.Count);
    }

    [Fact]
    public void Sample_values_name_their_source()
    {
        // Every number outside a demo row carries a comment naming a seed (000–004) or an Assumption.
        var value = new System.Text.RegularExpressions.Regex(@"^\s+([a-z_0-9]+): (-?[0-9.]+|\[[0-9., ]+\]|\{.*\})\s*(#.*)?$");
        var checkedLines = 0;
        foreach (var file in Directory.GetFiles(SettlementFixture.PolicyDir, "*.yaml"))
        {
            var demo = false;
            var n = 0;
            foreach (var line in File.ReadLines(file))
            {
                n++;
                if (line.TrimStart().StartsWith("- from", StringComparison.Ordinal) || line.TrimStart().StartsWith("- {from", StringComparison.Ordinal))
                {
                    demo = false;
                }

                demo |= line.Contains("demo: true", StringComparison.Ordinal);
                var m = value.Match(line);
                if (!m.Success || m.Groups[1].Value is "from" or "to" || demo)
                {
                    continue;
                }

                var comment = m.Groups[3].Value;
                Assert.True(
                    new[] { "000", "001", "002", "003", "004", "Assumption" }.Any(k => comment.Contains(k, StringComparison.Ordinal)),
                    $"{Path.GetFileName(file)} line {n}: '{line.Trim()}' names no seed");
                checkedLines++;
            }
        }

        Assert.True(checkedLines > 60);
    }
}
