using BenchmarkDotNet.Running;
using Grouper.Ingest;

namespace Grouper.Benchmarks;

public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "ingest")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- ingest DIR
            var dir = args[1];
            var discharges = CsvFiles.Find(dir, "discharges") ?? throw new FileNotFoundException("discharges.csv not found in " + dir);
            var hospitals = HospitalTable.Load(CsvFiles.Find(dir, "hospitals") ?? throw new FileNotFoundException("hospitals.csv not found in " + dir));
            var ids = hospitals.Hospitals.Select(h => h.HospitalId).ToHashSet(StringComparer.Ordinal);
            var ours = await IngestThroughput.MeasureGrouperAsync(discharges, hospitals).ConfigureAwait(false);
            var parallel = await IngestThroughput.MeasureParallelAsync(discharges, hospitals, Environment.ProcessorCount).ConfigureAwait(false);
            var baseline = IngestThroughput.MeasureCsvHelperBaseline(discharges, ids);
            Console.WriteLine(IngestThroughput.Table([baseline, ours, parallel], baseline));
            return;
        }

        if (args.Length >= 1 && args[0] == "parquet-columns")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- parquet-columns: encode time and size per cases.parquet column
            var stage = new StageBenchmarks();
            stage.Setup();
            stage.ProfileColumns();
            return;
        }

        if (args.Length >= 1 && args[0] == "write-columns")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- write-columns: WritePathBenchmarks' per-column encode and per-set fill times
            var write = new WritePathBenchmarks();
            write.Setup();
            write.ProfileColumns();
            write.Cleanup();
            return;
        }

        if (args.Length >= 1 && args[0] == "write-cpu")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- write-cpu [ROUNDS]: fill and encode of one row group, thread CPU time
            var write = new WritePathBenchmarks();
            write.Setup();
            write.CpuRounds(args.Length >= 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15);
            write.Cleanup();
            return;
        }

        if (args.Length >= 1 && args[0] == "write-loop")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- write-loop [SECONDS]: fill + encode in a loop, for dotnet-trace
            var write = new WritePathBenchmarks();
            write.Setup();
            write.Loop(args.Length >= 2 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
            write.Cleanup();
            return;
        }

        if (args.Length >= 1 && args[0] == "e2e")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- e2e [--records N] [--workers 1,2] [--baseline true|false] [--work DIR]
            Environment.ExitCode = await EndToEnd.RunAsync(args).ConfigureAwait(false);
            return;
        }

        if (args.Length >= 7 && args[0] == "e2e-baseline")
        {
            Environment.ExitCode = await EndToEnd.BaselineAsync(args).ConfigureAwait(false);
            return;
        }

        if (args.Length >= 1 && args[0] == "fuzz")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- fuzz [--minutes M] [--seed S] [--findings DIR] [--sample DIR]
            string Arg(string name, string fallback)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
            }

            var minutes = double.Parse(Arg("--minutes", "1"), System.Globalization.CultureInfo.InvariantCulture);
            var seed = ulong.Parse(Arg("--seed", "1"), System.Globalization.CultureInfo.InvariantCulture);
            Environment.ExitCode = MutationFuzzer.Run(Arg("--sample", "sample-data"), TimeSpan.FromMinutes(minutes), seed, Arg("--findings", "fuzz-findings"));
            return;
        }

        if (args.Length >= 1 && args[0] == "parse-ab")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- parse-ab [ROUNDS]: reference vs current parser, alternating, thread CPU time
            ParseBenchmarks.Loop(args.Length >= 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7);
            return;
        }

        if (args.Length >= 1 && args[0] == "parse-loop")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- parse-loop [SECONDS]: the current parser in a loop, for a sampling profiler (perf)
            var parse = new ParseBenchmarks { Vectors = true };
            parse.Setup();
            var until = DateTime.UtcNow.AddSeconds(args.Length >= 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
            var rounds = 0;
            while (DateTime.UtcNow < until)
            {
                parse.Current();
                rounds++;
            }

            Console.WriteLine($"{rounds} rounds");
            return;
        }

        if (args.Length >= 1 && args[0] == "drg-loop")
        {
            // dotnet run -c Release --project bench/Grouper.Benchmarks -- drg-loop [ROUNDS] [engine]
            // Engine and naive baseline alternating in one process, timed by thread CPU time: a quick ratio on a shared machine.
            DrgBenchmarks.Loop(args.Length >= 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7, args.Length >= 3 && args[2] == "engine");
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
