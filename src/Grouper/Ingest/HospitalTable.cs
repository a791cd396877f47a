using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Grouper.Core;

namespace Grouper.Ingest;

/// <summary>
/// The run's hospitals (hospitals.csv). The file must be wholly valid: the first bad row stops the
/// run with file, line and column. Lookup by UTF-8 id bytes without allocating.
/// </summary>
public sealed class HospitalTable
{
    private static readonly string[] RequiredColumns = ["hospital_id", "name", "region_code", "level", "kind", "location"];

    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public HospitalTable(IReadOnlyList<Hospital> hospitals)
    {
        Hospitals = hospitals;
        _index = new Dictionary<string, int>(hospitals.Count, StringComparer.Ordinal);
        for (var i = 0; i < hospitals.Count; i++)
        {
            _index[hospitals[i].HospitalId] = i;
        }

        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        _ids = new Internals.Utf8IdTable(hospitals.Count);
        for (var i = 0; i < hospitals.Count; i++)
        {
            // Later duplicates win, as in the dictionary above.
            _ids.Set(Encoding.UTF8.GetBytes(hospitals[i].HospitalId), i);
        }
    }

    // The id bytes in a small open-addressing table: a hit costs one hash of the bytes and one
    // comparison, with no packing or UTF-8 decoding.
    private readonly Internals.Utf8IdTable _ids;

    public IReadOnlyList<Hospital> Hospitals { get; }

    public int Count => Hospitals.Count;

    public Hospital this[int index] => Hospitals[index];

    public bool TryFind(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>Finds a hospital by its id's UTF-8 bytes; −1 when unknown.</summary>
    public int Find(ReadOnlySpan<byte> utf8Id)
    {
        var found = _ids.Find(utf8Id);
        if (found >= 0 || System.Text.Unicode.Utf8.IsValid(utf8Id))
        {
            // For valid UTF-8, equal bytes are equal ids: a miss in the byte table is final.
            return found;
        }

        // Invalid UTF-8 decodes with replacement characters, which an id may hold: look it up as text.
        if (utf8Id.Length > 128)
        {
            return -1;
        }

        Span<char> chars = stackalloc char[128];
        if (!Encoding.UTF8.TryGetChars(utf8Id, chars, out var n))
        {
            return -1;
        }

        return _lookup.TryGetValue(chars[..n], out var index) ? index : -1;
    }

    public static HospitalTable Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "hospitals file not found");
        }

        using var stream = CsvFiles.OpenRead(path);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true);
        return Load(reader, path);
    }

    public static HospitalTable Load(TextReader text, string fileName)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            DetectColumnCountChanges = true,
            BadDataFound = null,
        };
        using var csv = new CsvReader(text, config);
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
            {
                throw new InputException(fileName, 1, null, "the file is empty; expected a header row with columns " + string.Join(", ", RequiredColumns));
            }
        }
        catch (CsvHelperException ex)
        {
            throw new InputException(fileName, 1, null, "the header row could not be read: " + FirstLine(ex.Message));
        }

        var header = csv.HeaderRecord ?? [];
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (!columns.TryAdd(header[i].Trim(), i))
            {
                throw new InputException(fileName, 1, header[i].Trim(), "column name given twice in the header");
            }
        }

        var missing = RequiredColumns.Where(c => !columns.ContainsKey(c)).ToArray();
        if (missing.Length > 0)
        {
            throw new InputException(fileName, 1, null, "the header lacks required column(s): " + string.Join(", ", missing));
        }

        var list = new List<Hospital>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            try
            {
                if (!csv.Read())
                {
                    break;
                }
            }
            catch (CsvHelperException ex)
            {
                throw new InputException(fileName, csv.Parser.RawRow, null, "the row could not be read: " + FirstLine(ex.Message));
            }

            var line = csv.Parser.RawRow;
            if (csv.Parser.Count != header.Length)
            {
                throw new InputException(fileName, line, null, $"the row has {csv.Parser.Count} fields; the header has {header.Length}");
            }

            string Get(string name) => columns.TryGetValue(name, out var i) ? (csv.GetField(i) ?? string.Empty).Trim() : string.Empty;
            string Required(string name, int maxLength)
            {
                var v = Get(name);
                if (v.Length == 0)
                {
                    throw new InputException(fileName, line, name, "required value is empty");
                }

                if (v.Length > maxLength || v.Any(char.IsControl))
                {
                    throw new InputException(fileName, line, name, $"expected text of at most {maxLength} characters without control characters");
                }

                return v;
            }

            var id = Required("hospital_id", 32);
            if (!seen.Add(id))
            {
                throw new InputException(fileName, line, "hospital_id", $"hospital id '{id}' appears twice");
            }

            var name = Required("name", 200);
            var region = Required("region_code", 6);
            if (region.Length != 6 || !region.All(char.IsAsciiDigit))
            {
                throw new InputException(fileName, line, "region_code", "expected a 6-digit administrative division code such as 350902");
            }

            if (!HospitalLevel.TryParse(Required("level", 2), out var level))
            {
                throw new InputException(fileName, line, "level", "expected one of 3A 3B 3C 3 2A 2B 2C 2 1A 1B 1C 1 0");
            }

            var kind = Get("kind") switch
            {
                "general" => HospitalKind.General,
                "tcm" => HospitalKind.Tcm,
                "specialty" => HospitalKind.Specialty,
                "maternal_child" => HospitalKind.MaternalChild,
                "psychiatric" => HospitalKind.Psychiatric,
                "rehab" => HospitalKind.Rehab,
                _ => throw new InputException(fileName, line, "kind", "expected one of general, tcm, specialty, maternal_child, psychiatric, rehab"),
            };
            var location = Get("location") switch
            {
                "city" => HospitalLocation.City,
                "county" => HospitalLocation.County,
                "township" => HospitalLocation.Township,
                _ => throw new InputException(fileName, line, "location", "expected one of city, county, township"),
            };
            var grassroots = Get("is_grassroots") switch
            {
                "" or "0" => false,
                "1" => true,
                _ => throw new InputException(fileName, line, "is_grassroots", "expected 0, 1 or empty"),
            };
            var payment = Get("payment_method") switch
            {
                "" => PaymentMethod.Default,
                "DIP" => PaymentMethod.Dip,
                "DRG" => PaymentMethod.Drg,
                "FFS" => PaymentMethod.Ffs,
                _ => throw new InputException(fileName, line, "payment_method", "expected DIP, DRG, FFS or empty"),
            };
            var drgCharge = Get("drg_charge") switch
            {
                "" or "0" => false,
                "1" => true,
                _ => throw new InputException(fileName, line, "drg_charge", "expected 0, 1 or empty"),
            };
            list.Add(new Hospital(id, name, region, level, kind, location, grassroots, payment, drgCharge));
        }

        return new HospitalTable(list);
    }

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n', StringComparison.Ordinal);
        return i < 0 ? message : message[..i].TrimEnd();
    }
}
