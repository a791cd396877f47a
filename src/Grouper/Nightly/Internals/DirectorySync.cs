using System.Runtime.InteropServices;

namespace Grouper.Nightly.Internals;

/// <summary>
/// fsync of a directory, so a rename inside it survives a power cut (the file's own data is flushed
/// before it is renamed). .NET has no API for it; on Linux and macOS a directory opened read-only
/// can be fsynced. Elsewhere, or if the filesystem refuses, it is a no-op: a process kill never
/// needs it (the kernel keeps the rename), only a machine crash does.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>True when the directory was fsynced.</summary>
    public static bool Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        var fd = Open(directory, 0); // O_RDONLY
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return Fsync(fd) == 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
