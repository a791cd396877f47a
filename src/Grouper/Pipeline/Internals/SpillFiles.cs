using System.Runtime.InteropServices;

namespace Grouper.Pipeline.Internals;

/// <summary>
/// A private temporary directory for the data a run keeps per case between its passes (case ids,
/// chain inputs, chain results), so memory does not grow with the number of records. Created
/// owner-only (it holds case ids and person keys) and deleted with everything in it on dispose,
/// whether the run succeeded or not.
/// </summary>
internal sealed class SpillDirectory : IDisposable
{
    public SpillDirectory(string parent)
    {
        var name = $".grouper-spill-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Path = System.IO.Path.Combine(parent, name);
        try
        {
            Directory.CreateDirectory(parent);
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Path);
            }
            else
            {
                Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Core.InputException(parent, $"cannot create the run's temporary directory there ({ex.Message}); choose a writable one with --temp-dir");
        }
    }

    public string Path { get; }

    private long _bytesWritten;

    /// <summary>Bytes written to spill files (for the manifest).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public void Count(long bytes) => Interlocked.Add(ref _bytesWritten, bytes);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Runs a write to the spill; a full disk becomes a clear error naming the directory (exit 2),
    /// not an internal failure.
    /// </summary>
    public void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException ex) when (IsDiskFull(ex))
        {
            throw NoSpace(ex);
        }
    }

    public Core.InputException NoSpace(IOException ex) => new(
        System.IO.Path.GetDirectoryName(Path)!,
        $"no space left for the run's temporary files ({ex.Message.Split(':')[0].Trim()}); they need about 300 bytes per input record while the run lasts: free space there or point --temp-dir at a larger disk");

    /// <summary>ENOSPC / EDQUOT (Linux numbering) on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(IOException ex) => OperatingSystem.IsWindows()
        ? (ex.HResult & 0xFFFF) is 112 or 39
        : (ex.HResult & 0xFFFF) is 28 or 122;

    /// <summary>
    /// Runs a <see cref="Parallel"/> loop over partitions and rethrows the first failure itself (an
    /// <see cref="Core.InputException"/> such as a full disk first), so the host reports it as it
    /// would from a single thread rather than as an <see cref="AggregateException"/>.
    /// </summary>
    public static void Unwrap(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            Exception first = ex.InnerExceptions[0];
            foreach (var inner in ex.InnerExceptions)
            {
                if (inner is Core.InputException)
                {
                    first = inner;
                    break;
                }
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    /// <summary>
    /// Deletes the directory. Best effort: a file the system will not let go of (an NFS
    /// <c>.nfs*</c> file, a handle still open on Windows) leaves the directory behind rather than
    /// failing a run whose outputs and state are already committed; it holds nothing a later run reads.
    /// </summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// Records appended to one of <see cref="Partitions"/> files, each read back whole (a partition is
/// sized to fit in memory) or streamed, in the order written. Different partitions may be written
/// from different threads; one partition from one thread at a time.
/// </summary>
internal sealed class PartitionedSpill : IDisposable
{
    // Hundreds of partitions are open at once: small write buffers keep that to a few MB.
    private const int BufferSize = 16 * 1024;
    private readonly SpillDirectory _directory;
    private readonly string _name;
    private FileStream?[] _writers;

    public PartitionedSpill(SpillDirectory directory, string name, int partitions)
    {
        _directory = directory;
        _name = name;
        Partitions = partitions;
        _writers = new FileStream?[partitions];
    }

    public int Partitions { get; }

    public string PathOf(int partition) => _directory.File($"{_name}-{partition:D4}.bin");

    /// <summary>Appends <paramref name="bytes"/> to <paramref name="partition"/>.</summary>
    public void Write(int partition, ReadOnlySpan<byte> bytes)
    {
        try
        {
            var w = _writers[partition] ??= new FileStream(PathOf(partition), FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
            w.Write(bytes);
        }
        catch (IOException ex) when (SpillDirectory.IsDiskFull(ex))
        {
            throw _directory.NoSpace(ex);
        }
    }

    /// <summary>Appends an unmanaged value's bytes.</summary>
    public void Write<T>(int partition, in T value)
        where T : unmanaged => Write(partition, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>Flushes and closes the writers; the partitions can then be read.</summary>
    public void Complete()
    {
        var writers = _writers;
        _writers = new FileStream?[Partitions];
        _directory.Guard(() =>
        {
            // Close every writer even if one fails to flush (a full disk), then report the first failure.
            Exception? first = null;
            foreach (var w in writers)
            {
                try
                {
                    // Counted here, once per file: counting every write (an atomic add shared by
                    // the settling threads) cost more than the write itself.
                    _directory.Count(w?.Position ?? 0);
                    w?.Dispose();
                }
                catch (IOException ex)
                {
                    first ??= ex;
                }
            }

            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }
        });
    }

    /// <summary>Reads the whole partition into <paramref name="buffer"/> (grown when too small); returns its length.</summary>
    public int ReadInto(int partition, ref byte[] buffer)
    {
        var path = PathOf(partition);
        if (!System.IO.File.Exists(path))
        {
            return 0;
        }

        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var length = checked((int)f.Length);
        if (buffer.Length < length)
        {
            buffer = new byte[length + (length / 4)];
        }

        f.ReadExactly(buffer, 0, length);
        return length;
    }

    /// <summary>The partition as an unbuffered stream (the reader brings its own buffer; an empty stream if nothing was written).</summary>
    public Stream OpenRead(int partition)
    {
        var path = PathOf(partition);
        return System.IO.File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan)
            : Stream.Null;
    }

    public void Delete(int partition) => System.IO.File.Delete(PathOf(partition));

    public void Dispose() => Complete();

    /// <summary>
    /// Partitions for about <paramref name="expected"/> records: a power of two, each ~32 K records
    /// (~5 MB of chain inputs, read in chain order, at random: small enough to stay in cache; with
    /// ~128 K records settling cost 30 % more CPU, 10 M records: 6 s against 9), at most
    /// <paramref name="max"/> (open files: a first pass writes two files per partition).
    /// </summary>
    public static int CountFor(long expected, int max = 1024)
    {
        var p = 1;
        while (p < max && (long)p * 32_768 < expected)
        {
            p <<= 1;
        }

        return p;
    }
}

/// <summary>One bit per input line (1-based physical line numbers), growing as lines are set.</summary>
internal sealed class LineBitmap
{
    private ulong[] _bits = new ulong[1024];

    public void Set(long line)
    {
        var word = (int)(line >> 6);
        if (word >= _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max(_bits.Length * 2, word + 1));
        }

        _bits[word] |= 1UL << (int)(line & 63);
    }

    public bool this[long line]
    {
        get
        {
            var word = line >> 6;
            return word < _bits.Length && (_bits[word] & (1UL << (int)(line & 63))) != 0;
        }
    }
}
