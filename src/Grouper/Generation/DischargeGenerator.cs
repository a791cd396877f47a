using System.Globalization;
using System.IO.Compression;
using System.Text;
using Grouper.Core;
using Grouper.Generation.Internals;

namespace Grouper.Generation;

/// <summary>What a generator run wrote.</summary>
/// <param name="Records">Data records in discharges.csv (bad lines included).</param>
/// <param name="PhysicalLines">Lines of discharges.csv including the header (quoted line breaks count).</param>
/// <param name="Hospitals">Rows of hospitals.csv.</param>
/// <param name="Rejects">Expected reject reason → count (expected-rejects.csv).</param>
/// <param name="Warnings">Intended warning → count (expected-warnings.csv).</param>
/// <param name="CodeSource">Name of the code source used.</param>
public sealed record GeneratorSummary(
    int Records,
    long PhysicalLines,
    int Hospitals,
    IReadOnlyDictionary<string, int> Rejects,
    IReadOnlyDictionary<string, int> Warnings,
    string CodeSource);

/// <summary>
/// Synthetic discharges.csv and hospitals.csv (records.md) for tests, samples and benchmarks:
/// realistic stays, costs, codes, newborns, deaths, transfers, assistance classes, out-of-region
/// care and repeat admissions, plus optional bad lines of every reject and warning kind with the
/// expected-rejects.csv / expected-warnings.csv that say what a validator must report.
/// Deterministic: the same options and code source give byte-identical files everywhere.
/// </summary>
public static class DischargeGenerator
{
    public const string DischargesFile = "discharges.csv";
    public const string HospitalsFile = "hospitals.csv";
    public const string ExpectedRejectsFile = "expected-rejects.csv";
    public const string ExpectedWarningsFile = "expected-warnings.csv";

    /// <summary>The discharges.csv header columns, in records.md order.</summary>
    public static IReadOnlyList<string> Columns => RecordWriter.Columns;

    /// <summary>
    /// Writes discharges.csv (or .csv.gz), hospitals.csv, expected-rejects.csv and
    /// expected-warnings.csv into <paramref name="directory"/> (created if missing).
    /// </summary>
    public static GeneratorSummary WriteFiles(string directory, GeneratorOptions options, IGeneratorCodeSource? codes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(directory);
        var dischargePath = Path.Combine(directory, DischargesFile + (options.Gzip ? ".gz" : string.Empty));
        using var discharges = new FileStream(dischargePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var hospitals = new FileStream(Path.Combine(directory, HospitalsFile), FileMode.Create, FileAccess.Write);
        using var rejects = new FileStream(Path.Combine(directory, ExpectedRejectsFile), FileMode.Create, FileAccess.Write);
        using var warnings = new FileStream(Path.Combine(directory, ExpectedWarningsFile), FileMode.Create, FileAccess.Write);
        if (options.Gzip)
        {
            // Fastest: a 1 M-record file compresses ~6× in about the time it takes to generate.
            using var gz = new GZipStream(discharges, CompressionLevel.Fastest, leaveOpen: true);
            return Write(options, codes ?? new BuiltInCodeSource(), gz, hospitals, rejects, warnings, cancellationToken);
        }

        return Write(options, codes ?? new BuiltInCodeSource(), discharges, hospitals, rejects, warnings, cancellationToken);
    }

    /// <summary>Writes the four files to streams (plain CSV; compress the first stream yourself if wanted).</summary>
    public static GeneratorSummary Write(GeneratorOptions options, IGeneratorCodeSource codes, Stream discharges, Stream hospitals, Stream expectedRejects, Stream expectedWarnings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(codes);
        options.Validate();
        var catalog = new CodeCatalog(codes);
        var builder = new HospitalBuilder(options);
        WriteHospitals(builder.Hospitals, hospitals, options.CrLf);
        return WriteDischarges(options, catalog, builder, discharges, expectedRejects, expectedWarnings, cancellationToken);
    }

    /// <summary>The hospitals a run with these options writes (they depend on the seed, not on <see cref="GeneratorOptions.Count"/>).</summary>
    public static IReadOnlyList<Hospital> BuildHospitals(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new HospitalBuilder(options).Hospitals;
    }

    private static void WriteHospitals(Hospital[] hospitals, Stream output, bool crlf)
    {
        var nl = crlf ? "\r\n" : "\n";
        var sb = new StringBuilder();
        sb.Append("hospital_id,name,region_code,level,kind,location,is_grassroots,payment_method,drg_charge").Append(nl);
        for (var i = 0; i < hospitals.Length; i++)
        {
            var h = hospitals[i];
            sb.Append(h.HospitalId).Append(',').Append(Quote(h.Name)).Append(',').Append(h.RegionCode).Append(',')
                .Append(h.Level.ToString()).Append(',').Append(CodeNames.Csv(h.Kind)).Append(',').Append(CodeNames.Csv(h.Location)).Append(',')
                .Append(h.IsGrassroots ? "1" : i % 3 == 0 ? string.Empty : "0").Append(',')
                .Append(h.PaymentMethod switch { PaymentMethod.Dip => "DIP", PaymentMethod.Drg => "DRG", PaymentMethod.Ffs => "FFS", _ => string.Empty }).Append(',')
                .Append(h.DrgCharge ? "1" : i % 2 == 0 ? string.Empty : "0").Append(nl);
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        output.Write(bytes);
    }

    private static string Quote(string s) =>
        s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) || s.Contains('\n', StringComparison.Ordinal)
            ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : s;

    private static GeneratorSummary WriteDischarges(GeneratorOptions options, CodeCatalog catalog, HospitalBuilder builder, Stream output, Stream rejectsOut, Stream warningsOut, CancellationToken cancellationToken)
    {
        var synth = new Synthesizer(options, catalog, builder);
        var writer = new RecordWriter(catalog, builder.Hospitals, options);
        var sink = new ByteSink(output);
        var rejects = new StringBuilder("line,case_id,reason\n");
        var warnings = new StringBuilder("line,case_id,warning\n");
        var rejectCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var warningCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var occurrences = new int[BadLines.KindCount + 1];
        var row = new CaseRow();
        var badRng = new Rng(options.Seed, 0x4241);

        if (options.Utf8Bom)
        {
            sink.Bytes([0xEF, 0xBB, 0xBF]);
        }

        writer.WriteHeader(sink);
        long n = options.Count;
        var bad = 0L;
        if (options.BadFraction > 0 && n >= 2)
        {
            bad = Math.Min((long)Math.Round(n * options.BadFraction, MidpointRounding.AwayFromZero), n / 2);
            bad = Math.Max(bad, Math.Min(BadLines.KindCount, n / 2));
        }

        var days = options.To.DayNumber - options.From.DayNumber + 1;
        long line = 2;
        var badSeen = 0L;
        var longLines = 0;
        var lastClean = Array.Empty<byte>();
        var lastCleanLength = 0;
        long lastCleanCase = 0;
        var lf = writer.NewLine;
        for (long i = 0; i < n; i++)
        {
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            // Roughly in discharge-date order (as settlement exports are), with a little jitter.
            var day = (int)(i * days / n) + synth.Rng.Between(-2, 2);
            var discharge = DateOnly.FromDayNumber(options.From.DayNumber + Math.Clamp(day, 0, days - 1));
            var isBad = bad > 0 && ((i + 1) * bad / n) > (i * bad / n);
            if (!isBad)
            {
                var start = sink.Length;
                synth.Clean(row, i + 1, discharge);
                writer.WriteLine(sink, row);
                if (bad > 0)
                {
                    // Kept for DUPLICATE_CASE: the same line again, later.
                    var len = sink.Length - start;
                    if (lastClean.Length < len)
                    {
                        lastClean = new byte[Math.Max(len, 1024)];
                    }

                    sink.Written.Slice(start, len).CopyTo(lastClean);
                    lastCleanLength = len;
                    lastCleanCase = i + 1;
                }

                line++;
                sink.MaybeFlush();
                continue;
            }

            var kind = (LineKind)(1 + (int)(badSeen++ % BadLines.KindCount));
            if (kind == LineKind.LineTooLong && ++longLines > BadLines.MaxLongLines)
            {
                kind = LineKind.FieldCount;
            }

            string caseId;
            var extra = 0;
            if (kind == LineKind.DuplicateCase)
            {
                sink.Bytes(lastClean.AsSpan(0, lastCleanLength));
                caseId = CaseId(lastCleanCase);
            }
            else
            {
                synth.Plain(row, i + 1, discharge);
                var fields = writer.Render(row);
                var text = BadLines.Make(kind, occurrences[(int)kind], row, fields, catalog, writer, ref badRng, out extra);
                sink.Bytes(Encoding.UTF8.GetBytes(text));
                sink.Bytes(lf);
                caseId = CaseId(i + 1);
            }

            occurrences[(int)kind]++;
            var name = BadLines.Name(kind);
            if (BadLines.IsWarning(kind))
            {
                warnings.Append(line.ToString(CultureInfo.InvariantCulture)).Append(',').Append(caseId).Append(',').Append(name).Append('\n');
                warningCounts[name] = warningCounts.GetValueOrDefault(name) + 1;
            }
            else
            {
                rejects.Append(line.ToString(CultureInfo.InvariantCulture)).Append(',').Append(caseId).Append(',').Append(name).Append('\n');
                rejectCounts[name] = rejectCounts.GetValueOrDefault(name) + 1;
            }

            line += 1 + extra;
            sink.MaybeFlush();
        }

        sink.Flush();
        output.Flush();
        rejectsOut.Write(Encoding.UTF8.GetBytes(rejects.ToString()));
        warningsOut.Write(Encoding.UTF8.GetBytes(warnings.ToString()));
        return new GeneratorSummary(options.Count, line - 1, builder.Hospitals.Length, rejectCounts, warningCounts, catalog.Name);
    }

    private static string CaseId(long caseNo) => "S" + caseNo.ToString("D10", CultureInfo.InvariantCulture);
}
