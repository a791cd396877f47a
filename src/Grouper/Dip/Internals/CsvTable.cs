using System.Globalization;
using System.Text;
using Grouper.Core;

namespace Grouper.Dip.Internals;

/// <summary>
/// Minimal reader for the catalog's own CSV tables (we write them, so no quoting is needed:
/// codes and numbers never contain commas). Every error names file, line and column.
/// </summary>
internal sealed class CsvTable
{
    private readonly string _file;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly List<(long Line, string[] Fields)> _rows = [];

    private CsvTable(string file) => _file = file;

    public int RowCount => _rows.Count;

    public static CsvTable Read(string path, params string[] requiredColumns)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new InputException(name, "file not found: " + path);
        }

        var t = new CsvTable(name);
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        if (lines.Length == 0)
        {
            throw new InputException(name, 1, null, "empty file, header expected");
        }

        var header = lines[0].Split(',');
        for (var i = 0; i < header.Length; i++)
        {
            var h = header[i].Trim();
            if (!t._columns.TryAdd(h, i))
            {
                throw new InputException(name, 1, h, "column given twice");
            }
        }

        foreach (var c in requiredColumns)
        {
            if (!t._columns.ContainsKey(c))
            {
                throw new InputException(name, 1, c, "required column missing");
            }
        }

        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Contains('"', StringComparison.Ordinal))
            {
                throw new InputException(name, i + 1, null, "quoted fields are not used in catalog tables");
            }

            var f = line.Split(',');
            if (f.Length != header.Length)
            {
                throw new InputException(name, i + 1, null, $"expected {header.Length} fields, found {f.Length}");
            }

            for (var j = 0; j < f.Length; j++)
            {
                f[j] = f[j].Trim();
            }

            t._rows.Add((i + 1, f));
        }

        return t;
    }

    public long Line(int row) => _rows[row].Line;

    public bool Has(string column) => _columns.ContainsKey(column);

    public string Get(int row, string column) => _rows[row].Fields[_columns[column]];

    public InputException Error(int row, string column, string message) => new(_file, _rows[row].Line, column, message);

    public string Required(int row, string column)
    {
        var v = Get(row, column);
        if (v.Length == 0)
        {
            throw Error(row, column, "value required");
        }

        return v;
    }

    public Code CodeOf(int row, string column, int minLength = 1)
    {
        var v = Required(row, column);
        if (v.Length < minLength || !IsCodeText(v))
        {
            throw Error(row, column, $"'{v}' is not a code");
        }

        return Code.Parse(v);
    }

    public int Int(int row, string column, int min, int max)
    {
        var v = Required(row, column);
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var x) || x < min || x > max)
        {
            throw Error(row, column, $"'{v}' is not an integer in {min}..{max}");
        }

        return x;
    }

    /// <summary>A non-negative decimal with at most <paramref name="places"/> decimals.</summary>
    public decimal Decimal(int row, string column, int places)
    {
        var v = Required(row, column);
        if (!TryDecimal(v, places, out var d))
        {
            throw Error(row, column, $"'{v}' is not a non-negative number with at most {places} decimals");
        }

        return d;
    }

    /// <summary>Money in yuan (2 places) returned as fen; empty gives −1 when <paramref name="optional"/>.</summary>
    public long Fen(int row, string column, bool optional = false)
    {
        var v = Get(row, column);
        if (v.Length == 0 && optional)
        {
            return -1;
        }

        if (!TryDecimal(v, 2, out var d))
        {
            throw Error(row, column, $"'{v}' is not an amount in yuan with at most 2 decimals");
        }

        if (d > Money.MaxYuan || d < -Money.MaxYuan)
        {
            // Found by the fuzzer: a huge amount used to overflow when converted to fen.
            throw Error(row, column, $"'{v}' is out of range (at most {Money.MaxYuan} yuan)");
        }

        return Money.ToFenExact(d);
    }

    internal static bool TryDecimal(string v, int places, out decimal d)
    {
        d = 0;
        if (v.Length == 0 || v[0] is '+' or '-')
        {
            return false;
        }

        if (!decimal.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d))
        {
            return false;
        }

        var dot = v.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 || v.Length - dot - 1 <= places;
    }

    internal static bool IsCodeText(string v)
    {
        foreach (var c in v)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '*'))
            {
                return false;
            }
        }

        return v.Length > 0;
    }
}

/// <summary>Deterministic CSV writing: LF line ends, invariant numbers, no BOM.</summary>
internal static class CsvOut
{
    public static StreamWriter Create(string path)
    {
        var w = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        return w;
    }

    public static string P4(decimal v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}
