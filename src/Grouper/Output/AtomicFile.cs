namespace Grouper.Output;

/// <summary>
/// A file written under a temporary name (<c>.name.tmp-XXXX</c> in the same directory) and renamed
/// over the final name only by <see cref="Commit"/>. Disposed without commit, the temporary file is
/// deleted: a crashed or cancelled run never leaves a half-written file under a final name.
/// </summary>
public sealed class AtomicFile : IDisposable, IAsyncDisposable
{
    private readonly string _tempPath;
    private bool _committed;

    public AtomicFile(string path, UnixFileMode? mode = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(dir);
        _tempPath = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(Path) + ".tmp-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode ?? DefaultMode;
        }

        Stream = new FileStream(_tempPath, options);
    }

    /// <summary>Mode for new output files on Unix: owner read/write only (health data).</summary>
    public static UnixFileMode DefaultMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path { get; }

    public FileStream Stream { get; }

    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(_tempPath, Path, overwrite: true);
        _committed = true;
    }

    public async Task CommitAsync()
    {
        await Stream.FlushAsync().ConfigureAwait(false);
        Stream.Flush(flushToDisk: true);
        await Stream.DisposeAsync().ConfigureAwait(false);
        File.Move(_tempPath, Path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed)
        {
            Stream.Dispose();
            TryDelete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
            TryDelete();
        }
    }

    private void TryDelete()
    {
        try
        {
            File.Delete(_tempPath);
        }
        catch (IOException)
        {
            // Best effort: a leftover .tmp- file never looks like a complete output.
        }
    }

    /// <summary>Writes a whole file atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var f = new AtomicFile(path);
        f.Stream.Write(bytes);
        f.Commit();
    }
}
