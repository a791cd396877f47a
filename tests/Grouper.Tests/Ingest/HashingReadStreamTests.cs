using System.IO.Hashing;
using Grouper.Ingest;

namespace Grouper.Tests.Ingest;

public class HashingReadStreamTests
{
    private static HashingReadStream ReadAll(byte[] bytes, int chunk, bool sha256 = true)
    {
        var s = new HashingReadStream(new MemoryStream(bytes), sha256);
        var buffer = new byte[chunk];
        while (s.Read(buffer, 0, chunk) > 0)
        {
        }

        return s;
    }

    [Fact]
    public void Sha256_is_the_FIPS_180_example_and_the_content_hash_is_XXH3_128_whatever_the_read_sizes()
    {
        var abc = "abc"u8.ToArray();
        using var whole = ReadAll(abc, 64);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", whole.Sha256Hex);
        Assert.Equal(3, whole.BytesRead);

        var data = new byte[100_003];
        new Random(7).NextBytes(data);
        using var big = ReadAll(data, 65_536);
        using var small = ReadAll(data, 1_000, sha256: false);
        Assert.Equal(XxHash128.HashToUInt128(data), big.ContentHash);
        Assert.Equal(big.ContentHash, small.ContentHash);
    }

    [Fact]
    public void One_changed_byte_changes_the_content_hash_and_a_read_without_sha256_says_so_when_asked_for_it()
    {
        var data = new byte[10_000];
        new Random(8).NextBytes(data);
        using var first = ReadAll(data, 4_096);
        data[5_000] ^= 1;
        using var second = ReadAll(data, 4_096, sha256: false);
        Assert.NotEqual(first.ContentHash, second.ContentHash);
        var ex = Assert.Throws<InvalidOperationException>(() => second.Sha256Hex);
        Assert.Contains("without SHA-256", ex.Message, StringComparison.Ordinal);
    }
}
