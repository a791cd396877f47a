using Microsoft.Data.Sqlite;

namespace Grouper.Nightly.Internals;

/// <summary>
/// The year-to-date state file as a unit of the nightly journal: copied into the staging folder,
/// settled there by the batch job, and committed by renaming the copy over the real file. SQLite
/// keeps recent changes in a <c>-wal</c> file beside the database; every step here first folds it
/// into the database file (a checkpoint) so the file alone is the whole state.
/// </summary>
internal static class StateFiles
{
    /// <summary>Copies the state (when it exists) to <paramref name="staged"/>, keeping its owner-only mode.</summary>
    public static void Snapshot(string real, string staged)
    {
        if (!File.Exists(real))
        {
            return; // the first night: the batch job creates the staged database
        }

        Checkpoint(real);
        File.Copy(real, staged, overwrite: false);
    }

    /// <summary>After the batch job closed it: fold any WAL into the staged file and flush it to disk.</summary>
    public static void Close(string staged)
    {
        Checkpoint(staged);
        if (File.Exists(staged))
        {
            using var f = new FileStream(staged, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            f.Flush(flushToDisk: true);
        }
    }

    /// <summary>The state commit: the staged file replaces the real one in one rename.</summary>
    public static void Commit(string staged, string real)
    {
        Checkpoint(staged);
        var dir = Path.GetDirectoryName(Path.GetFullPath(real));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        // WAL and index files of the replaced database are empty (it was checkpointed when copied and
        // only this process, holding the nightly lock, touches it); they must not outlive it.
        File.Delete(real + "-wal");
        File.Delete(real + "-shm");
        File.Move(staged, real, overwrite: true);
    }

    private static void Checkpoint(string path)
    {
        if (!File.Exists(path + "-wal") && !File.Exists(path + "-shm"))
        {
            return;
        }

        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using (var c = new SqliteConnection(cs))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }

        // The last connection to close deletes the WAL; a leftover empty one is harmless but removed for a clean copy.
        if (File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length == 0)
        {
            File.Delete(path + "-wal");
        }

        if (File.Exists(path + "-shm") && !File.Exists(path + "-wal"))
        {
            File.Delete(path + "-shm");
        }
    }
}
