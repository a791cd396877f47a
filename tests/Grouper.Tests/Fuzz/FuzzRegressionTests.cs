using Grouper.Core;

namespace Grouper.Tests.Fuzz;

/// <summary>
/// Inputs the mutation fuzzer (bench/Grouper.Benchmarks fuzz) found crashing a loader with a raw
/// exception; each must now be a clear <see cref="InputException"/> naming the file. Named after the failure.
/// </summary>
public class FuzzRegressionTests
{
    private static string Regression(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "Grouper.Tests", "Fuzz", "Regressions", name);

    private static string Scratch(string regression, string fileName, string? copyDirectory = null)
    {
        var dir = TestPaths.NewTempDir("grouper-fuzz-regression");
        if (copyDirectory is not null)
        {
            foreach (var f in Directory.GetFiles(copyDirectory))
            {
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            }
        }

        File.Copy(Regression(regression), Path.Combine(dir, fileName), overwrite: true);
        return dir;
    }

    [Fact]
    public void PolicyYamlScannerInvalidOperationIsAnInputError()
    {
        var dir = Scratch("policy-yaml-scanner-invalid-operation.yaml", "350900-ningde.yaml");
        var ex = Assert.Throws<InputException>(() => Grouper.Settlement.PolicyStore.Load(dir));
        Assert.Contains("350900-ningde.yaml", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void PolicyYamlUnsupportedEventIsAnInputError()
    {
        var dir = Scratch("policy-yaml-unsupported-event.yaml", "330200-ningbo.yaml");
        var ex = Assert.Throws<InputException>(() => Grouper.Settlement.PolicyStore.Load(dir));
        Assert.Contains("330200-ningbo.yaml", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ClearingInputsWithTheSameYamlFailureAreAnInputError()
    {
        var text = File.ReadAllText(Regression("policy-yaml-unsupported-event.yaml"));
        var ex = Assert.Throws<InputException>(() => Grouper.Clearing.ClearingInputs.Parse(new StringReader(text), "inputs.yaml"));
        Assert.Contains("inputs.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrgCatalogManifestDuplicateKeyIsAnInputError()
    {
        var dir = Scratch("drg-catalog-duplicate-key.json", "catalog.json", Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo"));
        var ex = Assert.Throws<InputException>(() => Grouper.Drg.DrgCatalog.Load(dir));
        Assert.Contains("catalog.json", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DipManifestInvalidUtf8IsAnInputError()
    {
        var dir = Scratch("dip-manifest-invalid-utf8.json", "manifest.json", Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo"));
        var ex = Assert.Throws<InputException>(() => Grouper.Dip.DipCatalog.Load(dir));
        Assert.Contains("manifest.json", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DipGroupsAmountOverflowIsAnInputError()
    {
        var dir = Scratch("dip-groups-amount-overflow.csv", "groups.csv", Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo"));
        var ex = Assert.Throws<InputException>(() => Grouper.Dip.DipCatalog.Load(dir));
        Assert.Contains("groups.csv", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DipDefinitionsStringWhereAnObjectBelongsIsAnInputError()
    {
        var dir = Scratch("dip-definitions-string-where-object.json", "definitions.json", Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo"));
        var ex = Assert.Throws<InputException>(() => Grouper.Dip.DipCatalog.Load(dir));
        Assert.Contains("definitions.json", ex.Message, StringComparison.Ordinal);
        Directory.Delete(dir, true);
    }
}
