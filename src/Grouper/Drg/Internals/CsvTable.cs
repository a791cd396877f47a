using System.Text;
using Grouper.Core;

namespace Grouper.Drg.Internals;

/// <summary>
/// Minimal RFC 4180 reader for catalog files (UTF-8, optional BOM, header row, quoted fields, LF or
/// CRLF). Catalog files are small (a few MB), so the whole file is read at once; every row keeps the
/// physical line it starts on so load errors can name file, line and field.
/// </summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string file, string[] header, List<(long Line, string[] Fields)> rows)
    {
        File = file;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (!_columns.TryAdd(header[i], i))
            {
                throw new InputException(file, 1, header[i], "column name given twice");
            }
        }
    }

    public string File { get; }

    public string[] Header { get; }

    public List<(long Line, string[] Fields)> Rows { get; }

    public static CsvTable Read(string path, params string[] required)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new InputException(path, "file not found");
        }

        var text = System.IO.File.ReadAllText(path, Encoding.UTF8);
        var records = Parse(path, text);
        if (records.Count == 0)
        {
            throw new InputException(path, 1, null, "empty file: a header row is required");
        }

        var header = records[0].Fields.Select(h => h.Trim()).ToArray();
        var table = new CsvTable(path, header, records.GetRange(1, records.Count - 1));
        var missing = required.Where(c => !table._columns.ContainsKey(c)).ToArray();
        if (missing.Length > 0)
        {
            throw new InputException(path, 1, string.Join(",", missing), "missing required column(s)");
        }

        foreach (var (line, fields) in table.Rows)
        {
            if (fields.Length != header.Length)
            {
                throw new InputException(path, line, null, $"expected {header.Length} fields, found {fields.Length}");
            }
        }

        return table;
    }

    public bool Has(string column) => _columns.ContainsKey(column);

    public string Get(string[] row, string column) => _columns.TryGetValue(column, out var i) ? row[i].Trim() : string.Empty;

    public InputException Error(long line, string column, string message) => new(File, line, column, message);

    private static List<(long Line, string[] Fields)> Parse(string path, string text)
    {
        var result = new List<(long Line, string[] Fields)>();
        var pos = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        long line = 1;
        var fields = new List<string>();
        var sb = new StringBuilder();
        while (pos < text.Length)
        {
            var start = line;
            fields.Clear();
            while (true)
            {
                sb.Clear();
                if (pos < text.Length && text[pos] == '"')
                {
                    pos++;
                    while (true)
                    {
                        if (pos >= text.Length)
                        {
                            throw new InputException(path, start, null, "unterminated quoted field");
                        }

                        var c = text[pos++];
                        if (c == '"')
                        {
                            if (pos < text.Length && text[pos] == '"')
                            {
                                sb.Append('"');
                                pos++;
                                continue;
                            }

                            break;
                        }

                        if (c == '\n')
                        {
                            line++;
                        }

                        sb.Append(c);
                    }
                }
                else
                {
                    while (pos < text.Length && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r')
                    {
                        sb.Append(text[pos++]);
                    }
                }

                fields.Add(sb.ToString());
                if (pos < text.Length && text[pos] == ',')
                {
                    pos++;
                    continue;
                }

                if (pos < text.Length && text[pos] == '\r')
                {
                    pos++;
                }

                if (pos < text.Length && text[pos] == '\n')
                {
                    pos++;
                }

                line++;
                break;
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // blank line
            }

            result.Add((start, fields.ToArray()));
        }

        return result;
    }
}

/// <summary>Writes catalog CSV files deterministically (LF, UTF-8 without BOM, quoting only when needed).</summary>
internal static class CsvWriter
{
    public static void Write(string path, string[] header, IEnumerable<string[]> rows)
    {
        var sb = new StringBuilder();
        AppendRow(sb, header);
        foreach (var r in rows)
        {
            AppendRow(sb, r);
        }

        System.IO.File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
    }

    private static void AppendRow(StringBuilder sb, string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var f = fields[i];
            if (f.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                sb.Append('"').Append(f.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(f);
            }
        }

        sb.Append('\n');
    }
}
