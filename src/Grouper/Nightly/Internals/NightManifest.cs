using System.Text.Json;
using Grouper.Ingest;

namespace Grouper.Nightly.Internals;

/// <summary>
/// The night manifest <c>nights/{night}/manifest.json</c>: the marker of a complete night. Unlike a
/// run's manifest it holds no clock times and no absolute paths (paths are relative to the dataset
/// root or the archive folder), so an interrupted and restarted night publishes the same bytes as an
/// uninterrupted one. Timings go to the log instead.
/// </summary>
internal static class NightManifest
{
    /// <summary>Properties copied from the batch job's manifest.json (the rest is clock time or staging paths).</summary>
    private static readonly string[] Copied =
    [
        "program_version", "records_read", "records_accepted", "records_rejected", "reconciles", "blank_lines_skipped",
        "rejects_by_reason", "warnings", "accepted_money", "drg_catalog", "dip_catalog", "privacy",
    ];

    public static byte[] Build(
        string night,
        byte[] runManifest,
        List<(string Name, string Sha, long Bytes)> inputs,
        List<CasePartition> partitions,
        List<(string Role, string Path)> files,
        string root)
    {
        using var run = JsonDocument.Parse(runManifest);
        var r = run.RootElement;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("program", "grouper");
            w.WriteString("command", "nightly");
            w.WriteString("night", night);
            foreach (var name in Copied)
            {
                if (r.TryGetProperty(name, out var v))
                {
                    w.WritePropertyName(name);
                    v.WriteTo(w);
                }
            }

            if (r.TryGetProperty("settlement", out var settlement))
            {
                // The staged state path is not part of the result; the run id is what the state records.
                w.WriteStartObject("settlement");
                foreach (var p in settlement.EnumerateObject())
                {
                    if (p.Name != "state")
                    {
                        p.WriteTo(w);
                    }
                }

                w.WriteEndObject();
            }

            w.WriteStartArray("inputs");
            foreach (var (name, sha, bytes) in inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("archived_as", night + "/" + name);
                w.WriteString("sha256", sha);
                w.WriteNumber("bytes", bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("partitions");
            foreach (var p in partitions)
            {
                var (sha, bytes) = HashingReadStream.HashFile(p.Path);
                w.WriteStartObject();
                w.WriteString("path", Relative(root, p.Path));
                w.WriteNumber("year", p.Year);
                w.WriteNumber("month", p.Month);
                w.WriteNumber("rows", p.Rows);
                w.WriteString("sha256", sha);
                w.WriteNumber("bytes", bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var (role, path) in files)
            {
                var (sha, bytes) = HashingReadStream.HashFile(path);
                w.WriteStartObject();
                w.WriteString("role", role);
                w.WriteString("path", Relative(root, path));
                w.WriteString("sha256", sha);
                w.WriteNumber("bytes", bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
