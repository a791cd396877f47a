using System.IO.Compression;

namespace Grouper.Ingest;

/// <summary>Opens .csv or .csv.gz transparently.</summary>
public static class CsvFiles
{
    /// <summary>Default ceiling on decompressed bytes of a .csv.gz (a gzip bomb is refused): 256 GiB.</summary>
    public const long DefaultMaxDecompressedBytes = 256L << 30;

    public static Stream OpenRead(string path, long maxDecompressedBytes = DefaultMaxDecompressedBytes) =>
        OpenRead(path, out _, maxDecompressedBytes);

    /// <summary>Opens the file; <paramref name="raw"/> sees the file's raw bytes (for hashing the input as it is read; SHA-256 unless <paramref name="sha256"/> is false).</summary>
    public static Stream OpenRead(string path, out HashingReadStream raw, long maxDecompressedBytes = DefaultMaxDecompressedBytes, bool sha256 = true)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        raw = new HashingReadStream(file, sha256);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return new LimitedReadStream(new GZipStream(raw, CompressionMode.Decompress), maxDecompressedBytes, path);
        }

        return raw;
    }

    /// <summary>Finds <c>name.csv</c> or <c>name.csv.gz</c> in a directory; null when neither exists.</summary>
    public static string? Find(string directory, string name)
    {
        var plain = Path.Combine(directory, name + ".csv");
        if (File.Exists(plain))
        {
            return plain;
        }

        var gz = plain + ".gz";
        return File.Exists(gz) ? gz : null;
    }
}
