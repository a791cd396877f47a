using Microsoft.Extensions.Configuration;

namespace Grouper.Batch;

/// <summary>
/// Settings with the usual precedence: command-line flag, then environment variable
/// (<c>GROUPER_</c> prefix, e.g. <c>GROUPER_REGION</c> or <c>GROUPER_DRG_CATALOG</c>), then
/// <c>appsettings.json</c> (section <c>Grouper</c>, e.g. <c>"DrgCatalog"</c>). Every error names the
/// setting in all three spellings.
/// </summary>
public sealed class Settings
{
    private readonly CommandLine _cl;
    private readonly IConfiguration _config;

    public Settings(CommandLine cl, IConfiguration config)
    {
        _cl = cl;
        _config = config;
    }

    public CommandLine CommandLine => _cl;

    /// <summary>Builds the configuration: appsettings.json beside the executable and in the working directory, then environment.</summary>
    public static IConfiguration BuildConfiguration(Func<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        var env = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var name = (string)e.Key;
            if (name.StartsWith("GROUPER_", StringComparison.Ordinal) && !name.StartsWith("GROUPER_PSEUDONYM", StringComparison.Ordinal))
            {
                env["Grouper:" + ToPascal(name["GROUPER_".Length..].ToLowerInvariant().Replace('_', '-'))] = (string?)e.Value;
            }
        }

        if (environment is not null)
        {
            env.Clear();
        }

        builder.AddInMemoryCollection(env);
        return builder.Build();
    }

    /// <summary>Settings that name files or directories: checked against <c>AllowedRoots</c> when that is set.</summary>
    private static readonly HashSet<string> PathFlags = new(StringComparer.Ordinal)
    {
        "--input", "--out", "--policy", "--state", "--drg-catalog", "--dip-catalog", "--pseudonym-key-file", "--inputs",
        "--shards", "--cases", "--reference", "--history", "--params", "--report", "--before", "--after", "--trace",
        "--inbox", "--archive", "--dataset", "--run", "--output", "--temp-dir",
    };

    /// <summary>
    /// The value of <paramref name="flag"/> (e.g. <c>--drg-catalog</c>) from the flag, environment or
    /// appsettings.json. Path settings must lie inside one of the configured allowed roots
    /// (<c>GROUPER_ALLOWED_ROOTS</c> / <c>Grouper:AllowedRoots</c>, separated by ';'), when any are set,
    /// so a configuration cannot make a run read or write outside its working directories.
    /// </summary>
    public string? Get(string flag)
    {
        var value = _cl.Get(flag) ?? _config["Grouper:" + ToPascal(flag.TrimStart('-'))];
        if (value is not null && PathFlags.Contains(flag) && _config["Grouper:AllowedRoots"] is { Length: > 0 } roots)
        {
            CheckInsideRoots(flag, value, roots);
        }

        return value;
    }

    private static void CheckInsideRoots(string flag, string value, string roots)
    {
        var allowed = roots.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)) + Path.DirectorySeparatorChar)
            .ToArray();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var full = Path.GetFullPath(part);
            var withSeparator = Path.TrimEndingDirectorySeparator(full) + Path.DirectorySeparatorChar;
            if (!allowed.Any(a => withSeparator.StartsWith(a, StringComparison.Ordinal)))
            {
                throw new UsageException($"setting {Describe(flag)}: path '{full}' is outside the allowed roots ({string.Join(", ", allowed)}; GROUPER_ALLOWED_ROOTS)");
            }
        }
    }

    public string GetOr(string flag, string fallback) => Get(flag) ?? fallback;

    /// <summary>How to name a setting in an error message.</summary>
    public static string Describe(string flag)
    {
        var name = flag.TrimStart('-');
        return $"{flag} (environment GROUPER_{name.ToUpperInvariant().Replace('-', '_')}, appsettings.json Grouper:{ToPascal(name)})";
    }

    /// <summary>An existing directory, or a usage error naming the setting.</summary>
    public string? ExistingDirectory(string flag)
    {
        var v = Get(flag);
        if (v is not null && !Directory.Exists(v))
        {
            throw new UsageException($"setting {Describe(flag)}: directory '{v}' not found");
        }

        return v;
    }

    /// <summary>An existing file or directory, or a usage error naming the setting.</summary>
    public string? ExistingPath(string flag)
    {
        var v = Get(flag);
        if (v is not null && !Directory.Exists(v) && !File.Exists(v))
        {
            throw new UsageException($"setting {Describe(flag)}: '{v}' not found");
        }

        return v;
    }

    /// <summary>A 6-digit pooling region code, or a usage error naming the setting.</summary>
    public string? Region(string flag = "--region")
    {
        var v = Get(flag);
        if (v is not null && (v.Length != 6 || !v.All(char.IsAsciiDigit)))
        {
            throw new UsageException($"setting {Describe(flag)}: expected a 6-digit pooling region code such as 350900, got '{v}'");
        }

        return v;
    }

    public int Int(string flag, int fallback, int min, int max)
    {
        var v = Get(flag);
        if (v is null)
        {
            return fallback;
        }

        if (!int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new UsageException($"setting {Describe(flag)}: expected a whole number from {min} to {max}, got '{v}'");
        }

        return n;
    }

    private static string ToPascal(string dashed)
    {
        var parts = dashed.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(parts.Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
