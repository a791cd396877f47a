using System.Globalization;
using Grouper.Core;
using YamlDotNet.RepresentationModel;

namespace Grouper.Settlement.Internals;

/// <summary>
/// Schema-checked view of one YAML mapping of a policy file. Every read names the key path and
/// the line, so a bad file fails with <see cref="InputException"/>(file, line, key path, what was
/// expected). Unknown keys are refused when the view is opened (a typo must not silently drop a
/// parameter and leave a default in force).
/// </summary>
internal sealed class YamlMap
{
    private readonly string file;
    private readonly YamlMappingNode node;
    private readonly string path;

    private YamlMap(string file, YamlMappingNode node, string path)
    {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    public string File => file;

    public string Path => path;

    public long Line => node.Start.Line;

    public static YamlMap Open(string file, YamlNode node, string path, params string[] allowed)
    {
        if (node is not YamlMappingNode map)
        {
            throw new InputException(file, node.Start.Line, path, "expected a mapping (key: value lines)");
        }

        foreach (var entry in map.Children)
        {
            if (entry.Key is not YamlScalarNode k || k.Value is null)
            {
                throw new InputException(file, entry.Key.Start.Line, path, "keys must be plain text");
            }

            if (Array.IndexOf(allowed, k.Value) < 0)
            {
                throw new InputException(file, k.Start.Line, Join(path, k.Value), "unknown key");
            }
        }

        return new YamlMap(file, map, path);
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public string KeyPath(string key) => Join(path, key);

    /// <summary>The node under <paramref name="key"/>, or null when the key is absent or its value is null.</summary>
    public YamlNode? Node(string key)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return null;
        }

        return IsNull(value) ? null : value;
    }

    public bool Has(string key) => Node(key) is not null;

    public YamlNode Required(string key)
    {
        return Node(key) ?? throw new InputException(file, LineOf(key), KeyPath(key), "missing required value");
    }

    /// <summary>Line of the key if present (its value may be null), else the mapping's line.</summary>
    public long LineOf(string key)
    {
        foreach (var entry in node.Children)
        {
            if (entry.Key is YamlScalarNode k && k.Value == key)
            {
                return k.Start.Line;
            }
        }

        return Line;
    }

    public static bool IsNull(YamlNode n) =>
        n is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain
        && (s.Value is null || s.Value.Length == 0 || s.Value == "~" || s.Value == "null" || s.Value == "Null" || s.Value == "NULL");

    public string Text(string key) => Scalar(Required(key), KeyPath(key), "text");

    public string? OptionalText(string key) => Node(key) is { } n ? Scalar(n, KeyPath(key), "text") : null;

    public decimal Decimal(string key) => ParseDecimal(Required(key), KeyPath(key));

    public decimal? OptionalDecimal(string key) => Node(key) is { } n ? ParseDecimal(n, KeyPath(key)) : null;

    /// <summary>Yuan amount, at most 2 decimals, not negative.</summary>
    public decimal Money(string key) => CheckMoney(Required(key), KeyPath(key));

    public decimal? OptionalMoney(string key) => Node(key) is { } n ? CheckMoney(n, KeyPath(key)) : null;

    /// <summary>Ratio in [0, 1], at most 4 decimals.</summary>
    public decimal Ratio(string key) => CheckRatio(Required(key), KeyPath(key));

    public decimal? OptionalRatio(string key) => Node(key) is { } n ? CheckRatio(n, KeyPath(key)) : null;

    public decimal RatioOr(string key, decimal fallback) => OptionalRatio(key) ?? fallback;

    public bool Bool(string key, bool fallback)
    {
        if (Node(key) is not { } n)
        {
            return fallback;
        }

        var v = Scalar(n, KeyPath(key), "true or false");
        return v switch
        {
            "true" => true,
            "false" => false,
            _ => throw new InputException(file, n.Start.Line, KeyPath(key), $"expected true or false, got '{v}'"),
        };
    }

    public DateOnly? OptionalDate(string key)
    {
        if (Node(key) is not { } n)
        {
            return null;
        }

        var v = Scalar(n, KeyPath(key), "a date yyyy-MM-dd");
        if (!DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            throw new InputException(file, n.Start.Line, KeyPath(key), $"expected a date yyyy-MM-dd, got '{v}'");
        }

        return d;
    }

    public YamlSequenceNode? OptionalSequence(string key)
    {
        if (Node(key) is not { } n)
        {
            return null;
        }

        return n as YamlSequenceNode ?? throw new InputException(file, n.Start.Line, KeyPath(key), "expected a list");
    }

    public YamlSequenceNode Sequence(string key) =>
        OptionalSequence(key) ?? throw new InputException(file, LineOf(key), KeyPath(key), "missing required value");

    public YamlMap Map(string key, params string[] allowed) => Open(file, Required(key), KeyPath(key), allowed);

    public YamlMap? OptionalMap(string key, params string[] allowed) =>
        Node(key) is { } n ? Open(file, n, KeyPath(key), allowed) : null;

    /// <summary>Keys present (in file order) with their nodes.</summary>
    public IEnumerable<(string Key, YamlNode Value, long Line)> Entries()
    {
        foreach (var entry in node.Children)
        {
            var k = (YamlScalarNode)entry.Key;
            yield return (k.Value!, entry.Value, k.Start.Line);
        }
    }

    public string Scalar(YamlNode n, string keyPath, string expected)
    {
        if (n is not YamlScalarNode s || s.Value is null)
        {
            throw new InputException(file, n.Start.Line, keyPath, $"expected {expected}, got a {(n is YamlSequenceNode ? "list" : "mapping")}");
        }

        return s.Value;
    }

    public decimal ParseDecimal(YamlNode n, string keyPath)
    {
        var v = Scalar(n, keyPath, "a number");
        if (n is YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.Plain }
            || !decimal.TryParse(v, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d))
        {
            throw new InputException(file, n.Start.Line, keyPath, $"expected a number, got '{v}'");
        }

        return d;
    }

    public decimal CheckMoney(YamlNode n, string keyPath)
    {
        var d = ParseDecimal(n, keyPath);
        if (d < 0 || decimal.Round(d, 2) != d)
        {
            throw new InputException(file, n.Start.Line, keyPath, $"amount {d.ToString(CultureInfo.InvariantCulture)} must be yuan ≥ 0 with at most 2 decimals");
        }

        return d;
    }

    public decimal CheckRatio(YamlNode n, string keyPath)
    {
        var d = ParseDecimal(n, keyPath);
        if (d < 0 || d > 1)
        {
            throw new InputException(file, n.Start.Line, keyPath, $"ratio {d.ToString(CultureInfo.InvariantCulture)} outside [0, 1]");
        }

        if (decimal.Round(d, 4) != d)
        {
            throw new InputException(file, n.Start.Line, keyPath, $"ratio {d.ToString(CultureInfo.InvariantCulture)} has more than 4 decimals");
        }

        return d;
    }

    public InputException Error(long line, string key, string message) => new(file, line, KeyPath(key), message);
}
