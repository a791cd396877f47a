using System.Globalization;
using Grouper.Core;
using YamlDotNet.RepresentationModel;

namespace Grouper.Clearing.Internals;

/// <summary>
/// Strict reading of a YAML mapping: every key must be known, required keys present, values of
/// the expected shape; every error is an <see cref="InputException"/> with file, line and key path.
/// </summary>
internal sealed class YamlMap
{
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public YamlMap(string file, string path, YamlNode node)
    {
        File = file;
        Path = path;
        Node = node;
        if (node is not YamlMappingNode map)
        {
            throw Error(node, path, "expected a mapping");
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
            {
                throw Error(k, path, "keys must be plain scalars");
            }

            if (!_entries.TryAdd(key, (k, v)))
            {
                throw Error(k, Join(path, key), "duplicate key");
            }
        }
    }

    public string File { get; }

    public string Path { get; }

    public YamlNode Node { get; }

    public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries
    {
        get
        {
            foreach (var (k, (kn, v)) in _entries)
            {
                yield return (k, kn, v);
            }
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public InputException Error(YamlNode node, string key, string message) =>
        new(File, node.Start.Line, key, message);

    /// <summary>Rejects keys outside <paramref name="allowed"/> (typos would otherwise be silently ignored).</summary>
    public void OnlyKeys(params string[] allowed)
    {
        foreach (var (k, (kn, _)) in _entries)
        {
            if (Array.IndexOf(allowed, k) < 0)
            {
                throw Error(kn, Join(Path, k), "unknown key; expected one of " + string.Join(", ", allowed));
            }
        }
    }

    public bool Has(string key) => _entries.ContainsKey(key);

    public YamlNode Required(string key) =>
        _entries.TryGetValue(key, out var e) ? e.Value : throw Error(Node, Join(Path, key), "required key missing");

    public YamlNode? Optional(string key) => _entries.TryGetValue(key, out var e) ? e.Value : null;

    public YamlMap Map(string key) => new(File, Join(Path, key), Required(key));

    public YamlMap? OptionalMap(string key) => Optional(key) is { } n ? new YamlMap(File, Join(Path, key), n) : null;

    public string String(string key) => Scalar(Required(key), Join(Path, key));

    public string? OptionalString(string key) => Optional(key) is { } n ? Scalar(n, Join(Path, key)) : null;

    public string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(node, key, "expected a non-empty scalar");

    public int Int(string key, int min, int max)
    {
        var node = Required(key);
        return ParseInt(node, Join(Path, key), min, max);
    }

    public int ParseInt(YamlNode node, string key, int min, int max)
    {
        var text = Scalar(node, key);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw Error(node, key, $"expected an integer {min}..{max}, found '{text}'");
        }

        return v;
    }

    public decimal Decimal(string key, int places, decimal min, decimal max) =>
        ParseDecimal(Required(key), Join(Path, key), places, min, max);

    public decimal? OptionalDecimal(string key, int places, decimal min, decimal max) =>
        Optional(key) is { } n ? ParseDecimal(n, Join(Path, key), places, min, max) : null;

    /// <summary>A plain decimal (no exponent, no thousands separators) with at most <paramref name="places"/> places, within [min, max].</summary>
    public decimal ParseDecimal(YamlNode node, string key, int places, decimal min, decimal max)
    {
        var text = Scalar(node, key);
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            throw Error(node, key, $"expected a decimal number, found '{text}'");
        }

        if (v.Scale > places && decimal.Round(v, places) != v)
        {
            throw Error(node, key, $"at most {places} decimal places allowed, found '{text}'");
        }

        if (v < min || v > max)
        {
            throw Error(node, key, string.Create(CultureInfo.InvariantCulture, $"must be within [{min}, {max}], found '{text}'"));
        }

        return v;
    }

    public bool Bool(string key, bool defaultValue)
    {
        if (Optional(key) is not { } node)
        {
            return defaultValue;
        }

        return Scalar(node, Join(Path, key)) switch
        {
            "true" => true,
            "false" => false,
            var t => throw Error(node, Join(Path, key), $"expected true or false, found '{t}'"),
        };
    }

    public IReadOnlyList<YamlNode> Sequence(string key)
    {
        var node = Required(key);
        return node is YamlSequenceNode seq ? seq.Children.ToArray() : throw Error(node, Join(Path, key), "expected a list");
    }

    public IReadOnlyList<YamlNode> OptionalSequence(string key) =>
        Optional(key) is null ? [] : Sequence(key);
}
