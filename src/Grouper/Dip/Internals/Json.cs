using System.Globalization;
using System.Text;
using System.Text.Json;
using Grouper.Core;

namespace Grouper.Dip.Internals;

/// <summary>Reading small parameter/manifest JSON files with errors that name file and field path.</summary>
internal readonly struct JsonNode
{
    public JsonNode(string file, string path, JsonElement element)
    {
        File = file;
        Path = path;
        Element = element;
    }

    public string File { get; }

    public string Path { get; }

    public JsonElement Element { get; }

    public static (JsonDocument Doc, JsonNode Root) Open(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (!System.IO.File.Exists(path))
        {
            throw new InputException(name, "file not found: " + path);
        }

        try
        {
            var bytes = System.IO.File.ReadAllBytes(path);
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                // Found by the fuzzer: invalid UTF-8 inside a string used to surface later as InvalidOperationException.
                throw new InputException(name, 0, null, "the file is not valid UTF-8");
            }

            var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(name, 1, "$", "a JSON object expected");
            }

            return (doc, new JsonNode(name, "$", doc.RootElement));
        }
        catch (JsonException e)
        {
            throw new InputException(name, (e.LineNumber ?? 0) + 1, null, "invalid JSON: " + e.Message);
        }
    }

    public InputException Error(string message) => new(File, 0, Path, message);

    public bool Has(string name) => RequireObject().TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The element as an object (found by the fuzzer: a value of another kind where an object belongs used to throw InvalidOperationException).</summary>
    private JsonElement RequireObject() => Element.ValueKind == JsonValueKind.Object ? Element : throw Error("a JSON object expected");

    public JsonNode Child(string name)
    {
        if (!RequireObject().TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            throw new InputException(File, 0, Path + "." + name, "required field missing");
        }

        return new JsonNode(File, Path + "." + name, v);
    }

    public JsonNode[] Items()
    {
        if (Element.ValueKind != JsonValueKind.Array)
        {
            throw Error("an array expected");
        }

        var list = new JsonNode[Element.GetArrayLength()];
        var i = 0;
        foreach (var e in Element.EnumerateArray())
        {
            list[i] = new JsonNode(File, $"{Path}[{i}]", e);
            i++;
        }

        return list;
    }

    public string String()
    {
        if (Element.ValueKind != JsonValueKind.String)
        {
            throw Error("a string expected");
        }

        return Element.GetString()!;
    }

    public int Int(int min, int max)
    {
        if (Element.ValueKind != JsonValueKind.Number || !Element.TryGetInt32(out var v) || v < min || v > max)
        {
            throw Error($"an integer in {min}..{max} expected");
        }

        return v;
    }

    /// <summary>A non-negative decimal given as a JSON number or string, at most <paramref name="places"/> decimals.</summary>
    public decimal Decimal(int places)
    {
        var text = Element.ValueKind switch
        {
            JsonValueKind.Number => Element.GetRawText(),
            JsonValueKind.String => Element.GetString()!,
            _ => throw Error("a number expected"),
        };
        if (!CsvTable.TryDecimal(text, places, out var d))
        {
            throw Error($"'{text}' is not a non-negative number with at most {places} decimals");
        }

        return d;
    }

    public bool Bool()
    {
        return Element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error("true or false expected"),
        };
    }

    public DateOnly Date()
    {
        var s = String();
        if (!DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            throw Error($"'{s}' is not a yyyy-MM-dd date");
        }

        return d;
    }

    public Code Code()
    {
        var s = String();
        if (!CsvTable.IsCodeText(s))
        {
            throw Error($"'{s}' is not a code");
        }

        return Grouper.Core.Code.Parse(s);
    }
}

/// <summary>Deterministic JSON writing (indented, LF, fixed property order chosen by the caller).</summary>
internal static class JsonOut
{
    public static Utf8JsonWriter Create(Stream stream) => new(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" });

    public static void WriteFile(string path, Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = Create(ms))
        {
            body(w);
        }

        ms.WriteByte((byte)'\n');
        System.IO.File.WriteAllBytes(path, ms.ToArray());
    }

    /// <summary>Decimals are written as strings so their scale (e.g. 4 places) survives.</summary>
    public static void Dec(Utf8JsonWriter w, string name, decimal v, int places) =>
        w.WriteString(name, Rounding.Places(v, places).ToString("F" + places.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    public static string Text(decimal v, int places) =>
        Rounding.Places(v, places).ToString("F" + places.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
