using System.Text;
using CsCheck;
using Grouper.Core;

namespace Grouper.Tests.Fuzz;

/// <summary>
/// Seeded property fuzzing of the policy, clearing-input and catalog loaders (a few seconds in CI; the
/// long run is <c>bench fuzz</c>): a mutated file is either loaded or refused with an
/// <see cref="InputException"/> naming it — never another exception.
/// </summary>
public class LoaderFuzzTests
{
    private static readonly Gen<(int Line, int Op, int Pos, byte Value, int Len)> Mutation =
        Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, 5], Gen.Int[0, 200], Gen.Byte, Gen.Int[1, 40]);

    private static byte[] Mutate(byte[] file, (int Line, int Op, int Pos, byte Value, int Len)[] mutations)
    {
        var lines = Encoding.UTF8.GetString(file).Split('\n').Select(Encoding.UTF8.GetBytes).Select(b => b.ToList()).ToList();
        foreach (var (lineNo, op, posRaw, value, len) in mutations)
        {
            var line = lines[lineNo % lines.Count];
            var pos = line.Count == 0 ? 0 : posRaw % line.Count;
            switch (op)
            {
                case 0 when line.Count > 0: line[pos] ^= (byte)(1 << (value % 8)); break;
                case 1: line.Insert(pos, value); break;
                case 2 when line.Count > 0: line.RemoveRange(pos, Math.Min(len, line.Count - pos)); break;
                case 3: line.InsertRange(pos, "\"{}[]:-,&*!#"u8.ToArray().Skip(value % 12).Take(1 + (len % 3))); break;
                case 4: line.InsertRange(pos, Enumerable.Repeat(value, len)); break;
                default: lines.Insert(lineNo % lines.Count, [.. line]); break;
            }
        }

        return [.. lines.SelectMany((l, i) => i == 0 ? l : l.Prepend((byte)'\n'))];
    }

    private static void LoadsOrRefuses(string directory, string file, Action<string> load, int iterations, string seed)
    {
        var original = File.ReadAllBytes(Path.Combine(directory, file));
        Mutation.Array[1, 4].Sample(m =>
        {
            var dir = TestPaths.NewTempDir("grouper-loader-fuzz");
            try
            {
                foreach (var f in Directory.GetFiles(directory))
                {
                    File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
                }

                File.WriteAllBytes(Path.Combine(dir, file), Mutate(original, m));
                try
                {
                    load(dir);
                }
                catch (InputException ex)
                {
                    Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }, iter: iterations, seed: seed);
    }

    [Fact]
    public void PolicyLoader() =>
        LoadsOrRefuses(Path.Combine(TestPaths.SampleData, "policies"), "350900-ningde.yaml", d => Grouper.Settlement.PolicyStore.Load(d), 300, "0N0XIzNsQ0O5");

    [Fact]
    public void DrgCatalogLoader()
    {
        var demo = Path.Combine(TestPaths.SampleData, "catalogs", "drg-demo");
        LoadsOrRefuses(demo, "catalog.json", d => Grouper.Drg.DrgCatalog.Load(d), 150, "0N0XIzNsQ0O6");
        LoadsOrRefuses(demo, "adrgs.csv", d => Grouper.Drg.DrgCatalog.Load(d), 150, "0N0XIzNsQ0O7");
    }

    [Fact]
    public void DipCatalogLoader()
    {
        var demo = Path.Combine(TestPaths.SampleData, "catalogs", "dip-demo");
        LoadsOrRefuses(demo, "manifest.json", d => Grouper.Dip.DipCatalog.Load(d), 150, "0N0XIzNsQ0O8");
        LoadsOrRefuses(demo, "groups.csv", d => Grouper.Dip.DipCatalog.Load(d), 100, "0N0XIzNsQ0O9");
    }

    [Fact]
    public void ClearingInputsLoader()
    {
        var original = File.ReadAllBytes(Path.Combine(TestPaths.SampleData, "clearing", "350900-2024-demo.yaml"));
        Mutation.Array[1, 4].Sample(m =>
        {
            try
            {
                Grouper.Clearing.ClearingInputs.Parse(new StringReader(Encoding.UTF8.GetString(Mutate(original, m))), "inputs.yaml");
            }
            catch (InputException ex)
            {
                Assert.Contains("inputs.yaml", ex.Message, StringComparison.Ordinal);
            }
        }, iter: 500, seed: "0N0XIzNsQ0OA");
    }
}
