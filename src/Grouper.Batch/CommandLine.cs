using System.Globalization;

namespace Grouper.Batch;

/// <summary>A parsed command line: the command words, then <c>--flag value</c> pairs and bare <c>--switch</c>es.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandLine(List<string> words)
    {
        Words = words;
    }

    public IReadOnlyList<string> Words { get; }

    public bool Help => _flags.ContainsKey("--help") || _flags.ContainsKey("-h");

    public static CommandLine Parse(string[] args, ISet<string> switches)
    {
        var words = new List<string>();
        var cl = new CommandLine(words);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith('-'))
            {
                var eq = a.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    cl._flags[a[..eq]] = a[(eq + 1)..];
                }
                else if (switches.Contains(a) || a is "--help" or "-h" || i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    cl._flags[a] = null;
                }
                else
                {
                    cl._flags[a] = args[++i];
                }
            }
            else if (cl._flags.Count == 0)
            {
                words.Add(a);
            }
            else
            {
                throw new UsageException($"unexpected argument '{a}'");
            }
        }

        return cl;
    }

    public string? Get(string flag)
    {
        _used.Add(flag);
        return _flags.TryGetValue(flag, out var v) ? v : null;
    }

    public bool Has(string flag)
    {
        _used.Add(flag);
        return _flags.ContainsKey(flag);
    }

    public string GetOr(string flag, string fallback) => Get(flag) ?? fallback;

    public long GetLong(string flag, long fallback)
    {
        var v = Get(flag);
        if (v is null)
        {
            return fallback;
        }

        return long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"{flag} expects a whole number, got '{v}'");
    }

    public double GetFraction(string flag, double fallback)
    {
        var v = Get(flag);
        if (v is null)
        {
            return fallback;
        }

        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 1
            ? n
            : throw new UsageException($"{flag} expects a fraction between 0 and 1, got '{v}'");
    }

    /// <summary>Fails on flags the command did not ask for (typos must not be silently ignored).</summary>
    public void RejectUnknown()
    {
        foreach (var f in _flags.Keys)
        {
            if (!_used.Contains(f) && f is not ("--help" or "-h"))
            {
                throw new UsageException($"unknown option '{f}'");
            }
        }
    }
}

/// <summary>A wrong command line: printed with a hint to --help, exit code <see cref="ExitCodes.BadInput"/>.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
