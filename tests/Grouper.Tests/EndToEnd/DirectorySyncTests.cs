using Grouper.Nightly.Internals;

namespace Grouper.Tests.EndToEnd;

public sealed class DirectorySyncTests
{
    [Fact]
    public void DirectoriesAreFsyncedOnLinux()
    {
        var dir = TestPaths.NewTempDir("grouper-dirsync");
        try
        {
            Assert.Equal(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), DirectorySync.Flush(dir));
            Assert.False(DirectorySync.Flush(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}
