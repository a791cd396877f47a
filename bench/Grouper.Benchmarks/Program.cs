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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
