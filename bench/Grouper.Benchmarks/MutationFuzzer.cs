using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grouper.Core;
using Grouper.Ingest;

namespace Grouper.Benchmarks;

/// <summary>
/// A mutation fuzzer for manual runs (issue 10): mutates real sample lines, policy files and catalog
/// files (bit flips, byte insertions and deletions, splices, quotes, long runs, truncation) and
/// feeds them to the discharge reader and the policy and catalog loaders. Anything but a reject or an
/// <see cref="InputException"/> — a crash, a hang, or a record neither accepted nor rejected — is
/// saved under the findings directory with the seed that reproduces it.
/// <c>dotnet run -c Release --project bench/Grouper.Benchmarks -- fuzz --minutes 30 --seed 1 --findings DIR</c>
/// </summary>
public static class MutationFuzzer
{
    private static readonly string[] Dictionary =
    [
        ",", "\"", "\"\"", "\n", "\r\n", ";", " ", "\t", "\0", "\u00ff", "-1", "0", "99999999999", "2024-02-30", "1e9",
        "J18.900", "A01.002+G01*", "47.0900x001", "310", "390", "local", "registered", "tekun", "3A", ":", "- ", "{", "}", "[", "]",
        "from: 2024-01-01", "to: null", "&a", "*a", "!!str", "0.9999", "1.00001", "表6-3-1", "\uFEFF",
    ];

    public static int Run(string sampleDir, TimeSpan duration, ulong seed, string findings)
    {
        Directory.CreateDirectory(findings);
        var rng = new Random((int)(seed & 0x7FFFFFFF));
        var discharges = File.ReadAllBytes(Path.Combine(sampleDir, "discharges.csv"));
        var lines = SplitLines(discharges);
        var header = lines[0];
        var hospitals = HospitalTable.Load(Path.Combine(sampleDir, "hospitals.csv"));
        var policyFiles = Directory.GetFiles(Path.Combine(sampleDir, "policies"), "*.yaml").Order(StringComparer.Ordinal).ToArray();
        var drgDir = Path.Combine(sampleDir, "catalogs", "drg-demo");
        var dipDir = Path.Combine(sampleDir, "catalogs", "dip-demo");
        var scratch = Path.Combine(Path.GetTempPath(), "grouper-fuzz-" + seed.ToString(CultureInfo.InvariantCulture));
        var clock = Stopwatch.StartNew();
        long inputs = 0, parserInputs = 0, loaderInputs = 0, records = 0, rejects = 0, inputErrors = 0, found = 0;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        while (clock.Elapsed < duration)
        {
            inputs++;
            var kind = rng.Next(10);
            byte[] data;
            string target;
            if (kind < 7)
            {
                // Discharge parser: a few real lines, mutated, behind a (sometimes mutated) header.
                var sb = new List<byte>(header.Length + 4096);
                sb.AddRange(rng.Next(20) == 0 ? Mutate(header, rng) : header);
                sb.Add((byte)'\n');
                var n = rng.Next(1, 12);
                for (var i = 0; i < n; i++)
                {
                    var line = lines[1 + rng.Next(lines.Count - 1)];
                    sb.AddRange(rng.Next(3) == 0 ? line : Mutate(line, rng));
                    sb.AddRange(rng.Next(4) == 0 ? "\r\n"u8.ToArray() : "\n"u8.ToArray());
                }

                data = [.. sb];
                target = "discharges";
                parserInputs++;
                try
                {
                    var (read, accepted, rejected) = ReadAll(data, hospitals, reasons);
                    records += read;
                    rejects += rejected;
                    if (read != accepted + rejected)
                    {
                        found++;
                        Save(findings, target, seed, inputs, data, $"records_read {read} != accepted {accepted} + rejected {rejected}");
                    }
                }
                catch (InputException)
                {
                    inputErrors++;
                }
                catch (Exception ex)
                {
                    found++;
                    Save(findings, target, seed, inputs, data, ex.ToString());
                }

                continue;
            }

            // Loaders: one file of a policy or catalog directory mutated in a scratch copy.
            loaderInputs++;
            Directory.CreateDirectory(scratch);
            foreach (var f in Directory.GetFiles(scratch))
            {
                File.Delete(f);
            }

            string source;
            Action load;
            if (kind == 7)
            {
                source = policyFiles[rng.Next(policyFiles.Length)];
                target = "policy:" + Path.GetFileName(source);
                File.Copy(source, Path.Combine(scratch, Path.GetFileName(source)));
                load = () => Grouper.Settlement.PolicyStore.Load(scratch);
            }
            else if (kind == 8)
            {
                foreach (var f in Directory.GetFiles(drgDir))
                {
                    File.Copy(f, Path.Combine(scratch, Path.GetFileName(f)));
                }

                var files = Directory.GetFiles(scratch).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
                source = files[rng.Next(files.Length)];
                target = "drg:" + Path.GetFileName(source);
                load = () => Grouper.Drg.DrgCatalog.Load(scratch);
            }
            else
            {
                foreach (var f in Directory.GetFiles(dipDir))
                {
                    File.Copy(f, Path.Combine(scratch, Path.GetFileName(f)));
                }

                var files = Directory.GetFiles(scratch).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
                source = files[rng.Next(files.Length)];
                target = "dip:" + Path.GetFileName(source);
                load = () => Grouper.Dip.DipCatalog.Load(scratch);
            }

            var path = Path.Combine(scratch, Path.GetFileName(source));
            data = MutateFile(File.ReadAllBytes(path), rng);
            File.WriteAllBytes(path, data);
            try
            {
                load();
            }
            catch (InputException)
            {
                inputErrors++;
            }
            catch (Exception ex)
            {
                found++;
                Save(findings, target.Replace(':', '-'), seed, inputs, data, ex.ToString());
            }
        }

        Directory.Delete(scratch, true);
        var summary = new StringBuilder();
        summary.AppendLine(CultureInfo.InvariantCulture, $"fuzz seed {seed}: {inputs:N0} inputs in {clock.Elapsed.TotalMinutes:N1} min ({parserInputs:N0} discharge files with {records:N0} records, {rejects:N0} rejected; {loaderInputs:N0} policy/catalog files; {inputErrors:N0} clear input errors); findings: {found}");
        foreach (var (k, v) in reasons)
        {
            summary.AppendLine(CultureInfo.InvariantCulture, $"  {k}: {v:N0}");
        }

        File.WriteAllText(Path.Combine(findings, "summary.txt"), summary.ToString());
        Console.Write(summary);
        return found == 0 ? 0 : 1;
    }

    private static (long Read, long Accepted, long Rejected) ReadAll(byte[] data, HospitalTable hospitals, SortedDictionary<string, long> reasons)
    {
        long read = 0, accepted = 0, rejected = 0;
        var task = Task.Run(async () =>
        {
            await using var reader = await DischargeReader.OpenAsync(new MemoryStream(data), "fuzz.csv").ConfigureAwait(false);
            var parser = new DischargeRecordParser(reader.Header, hospitals);
            await reader.ReadAllAsync(parser, () => new DischargeBatch(8), b =>
            {
                read += b.RecordsRead;
                accepted += b.Count;
                rejected += b.Rejects.Count;
                foreach (var r in b.Rejects)
                {
                    var name = RejectReasons.Name(r.Reason);
                    reasons[name] = reasons.GetValueOrDefault(name) + 1;
                }

                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        });
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("the reader did not finish within 10 s (hang)");
        }

        task.GetAwaiter().GetResult(); // rethrows the reader's own exception, unwrapped
        return (read, accepted, rejected);
    }

    private static List<byte[]> SplitLines(byte[] data)
    {
        var list = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == (byte)'\n')
            {
                list.Add(data[start..i]);
                start = i + 1;
            }
        }

        return list;
    }

    private static byte[] Mutate(byte[] input, Random rng)
    {
        var b = new List<byte>(input);
        var ops = rng.Next(1, 6);
        for (var o = 0; o < ops; o++)
        {
            var pos = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (rng.Next(7))
            {
                case 0 when b.Count > 0:
                    b[pos] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    b.Insert(pos, (byte)rng.Next(256));
                    break;
                case 2 when b.Count > 0:
                    b.RemoveRange(pos, Math.Min(b.Count - pos, rng.Next(1, 8)));
                    break;
                case 3:
                    b.InsertRange(pos, Encoding.UTF8.GetBytes(Dictionary[rng.Next(Dictionary.Length)]));
                    break;
                case 4:
                    b.InsertRange(pos, Enumerable.Repeat((byte)"x,;\"9"[rng.Next(5)], rng.Next(1, 3) == 1 ? rng.Next(100, 70_000) : rng.Next(1, 50)));
                    break;
                case 5 when b.Count > 1:
                    var len = rng.Next(1, Math.Min(64, b.Count - pos) + 1);
                    b.InsertRange(rng.Next(b.Count), b.GetRange(pos, len));
                    break;
                default:
                    if (b.Count > 0)
                    {
                        b.RemoveRange(pos, b.Count - pos); // truncation
                    }

                    break;
            }
        }

        return [.. b];
    }

    private static byte[] MutateFile(byte[] input, Random rng)
    {
        // Mutate one line (or a few bytes) of a text file, keeping the rest valid so the loader gets deep.
        var text = input;
        var lines = SplitLines(text);
        if (lines.Count < 2 || rng.Next(5) == 0)
        {
            return Mutate(text, rng);
        }

        var i = rng.Next(lines.Count);
        lines[i] = Mutate(lines[i], rng);
        var list = new List<byte>(text.Length + 64);
        foreach (var l in lines)
        {
            list.AddRange(l);
            list.Add((byte)'\n');
        }

        return [.. list];
    }

    private static void Save(string dir, string target, ulong seed, long input, byte[] data, string what)
    {
        var name = $"{target}-seed{seed}-input{input}";
        File.WriteAllBytes(Path.Combine(dir, name + ".bin"), data);
        File.WriteAllText(Path.Combine(dir, name + ".txt"), what);
        Console.Error.WriteLine($"FOUND {name}: {what.Split('\n')[0]}");
    }
}
