using System.Globalization;
using Grouper.Core;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Ingest;
using Grouper.Pipeline;

namespace Grouper.Batch;

/// <summary><c>catalog import</c> and <c>dip build-catalog</c>.</summary>
internal static class CatalogCommands
{
    public const string ImportHelp = """
        grouper catalog import — convert the public CHS-DRG 2.0 tables into Grouper's DRG catalog format

        Usage: grouper catalog import --reference DIR --out DIR [--name N] [--version V] [--from yyyy-MM-dd] [--to yyyy-MM-dd]

          --reference DIR   the tables (mdc.csv, adrg.csv, drg.csv, cc_mcc.csv, ... as in reference-data/chs-drg-2.0)
          --out DIR         where to write the catalog (catalog.json + CSV files; format in docs/drg.md)
          --name, --version catalog name and version (default chs-drg, 2.0)
          --from, --to      effective-date range (default 2024-01-01, open end)

        Example:
          grouper catalog import --reference ../shared/reference-data/chs-drg-2.0 --out catalogs/chs-drg-2.0
        """;

    public const string BuildHelp = """
        grouper dip build-catalog — build a region's DIP catalog from its own history (dip.md)

        Usage: grouper dip build-catalog --history DIR[,DIR...] --params FILE --out DIR [--report FILE]

          --history DIRS    directories with discharges.csv[.gz] + hospitals.csv of past years (comma-separated);
                            each case counts for the year of its discharge date
          --params FILE     build parameters (JSON: year weights, core threshold, score scale, trimming, grassroots list)
          --out DIR         where to write the catalog (same input -> byte-identical files)
          --report FILE     coverage report (default OUT/build-report.json)

        Example:
          grouper dip build-catalog --history hist/2021,hist/2022,hist/2023 --params sample-data/catalogs/dip-build-params.json --out catalogs/dip-2024
        """;

    public static Task<int> ImportAsync(Settings settings, TextWriter stdout)
    {
        var cl = settings.CommandLine;
        var reference = settings.ExistingDirectory("--reference") ?? throw new UsageException("catalog import needs --reference DIR");
        var output = settings.Get("--out") ?? throw new UsageException("catalog import needs --out DIR");
        var name = cl.GetOr("--name", "chs-drg");
        var version = cl.GetOr("--version", "2.0");
        var from = Date(cl.Get("--from"), "--from") ?? new DateOnly(2024, 1, 1);
        var to = Date(cl.Get("--to"), "--to");
        cl.RejectUnknown();
        var catalog = DrgCatalogImporter.Import(reference, output, name, version, from, to);
        stdout.WriteLine($"wrote DRG catalog {catalog.Name} {catalog.Version}: {catalog.MdcCount} MDC, {catalog.AdrgCount} ADRG, {catalog.DrgCount} DRG to {Path.GetFullPath(output)}");
        return Task.FromResult(ExitCodes.Success);
    }

    public static async Task<int> BuildAsync(Settings settings, TextWriter stdout, CancellationToken ct)
    {
        var cl = settings.CommandLine;
        var history = (settings.Get("--history") ?? throw new UsageException("dip build-catalog needs --history DIR[,DIR...]"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var paramsPath = settings.Get("--params") ?? throw new UsageException("dip build-catalog needs --params FILE");
        var output = settings.Get("--out") ?? throw new UsageException("dip build-catalog needs --out DIR");
        var reportPath = settings.GetOr("--report", Path.Combine(output, "build-report.json"));
        cl.RejectUnknown();
        if (!File.Exists(paramsPath))
        {
            throw new InputException(paramsPath, "DIP build parameters file not found (--params)");
        }

        var builder = new DipCatalogBuilder(DipBuildParameters.Load(paramsPath));
        long cases = 0;
        foreach (var dir in history)
        {
            if (!Directory.Exists(dir))
            {
                throw new UsageException($"--history: directory '{dir}' not found");
            }

            var discharges = CsvFiles.Find(dir, "discharges") ?? throw new InputException(Path.Combine(dir, "discharges.csv"), "discharges file not found");
            var hospitals = HospitalTable.Load(CsvFiles.Find(dir, "hospitals") ?? throw new InputException(Path.Combine(dir, "hospitals.csv"), "hospitals file not found"));
            await using var reader = await DischargeReader.OpenAsync(discharges, null, ct).ConfigureAwait(false);
            await new IngestPipeline(Environment.ProcessorCount).RunAsync(
                reader,
                () => new DischargeRecordParser(reader.Header, hospitals),
                size => new DischargeBatch(size),
                null,
                b =>
                {
                    for (var i = 0; i < b.Count; i++)
                    {
                        ref readonly var r = ref b.Records[i];
                        var h = hospitals[r.HospitalIndex];
                        builder.Add(b, i, r.DischargeDate.Year, h.Level, h.Kind);
                    }

                    cases += b.Count;
                    return ValueTask.CompletedTask;
                },
                ct).ConfigureAwait(false);
        }

        var (catalog, report) = builder.Build();
        catalog.Save(output);
        report.Save(reportPath);
        await stdout.WriteLineAsync($"built DIP catalog {catalog.Name} {catalog.Version} from {cases:N0} historical cases: {catalog.Groups.Count} groups; written to {Path.GetFullPath(output)}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static DateOnly? Date(string? value, string flag) =>
        value is null ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new UsageException($"{flag} expects a date yyyy-MM-dd, got '{value}'");
}
