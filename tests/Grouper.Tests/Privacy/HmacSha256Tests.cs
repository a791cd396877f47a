using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Grouper.Privacy;
using Grouper.Privacy.Internals;

namespace Grouper.Tests.Privacy;

/// <summary>The managed HMAC-SHA256 (scalar and multi-buffer) against RFC 4231 and the OS library.</summary>
public class HmacSha256Tests
{
    public static TheoryData<string, string, string> Rfc4231 => new()
    {
        // Test case 1..7 of RFC 4231 section 4 (HMAC-SHA-256 values). Keys and data in hex.
        { "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Convert.ToHexString("Hi There"u8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { Convert.ToHexString("Jefe"u8), Convert.ToHexString("what do ya want for nothing?"u8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { new string('a', 40), new string('d', 100), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { "0102030405060708090a0b0c0d0e0f10111213141516171819", string.Concat(Enumerable.Repeat("cd", 50)), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },

        // Test case 5 is truncated to 128 bits by the RFC: exactly what a pseudonym keeps.
        { "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", Convert.ToHexString("Test With Truncation"u8), "a3b6167473100ee06e0c796c2955552b" },

        // Test cases 6 and 7: a 131-byte key (longer than the block, so hashed first); 7 also has a 152-byte message (3 inner blocks).
        { new string('a', 262), Convert.ToHexString("Test Using Larger Than Block-Size Key - Hash Key First"u8), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        {
            new string('a', 262),
            Convert.ToHexString("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."u8),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void ScalarMatchesRfc4231(string keyHex, string dataHex, string macHex)
    {
        var key = Convert.FromHexString(keyHex);
        var data = Convert.FromHexString(dataHex);
        var mac = new byte[32];
        new HmacSha256Key(key).Mac(data, mac);
        Assert.Equal(macHex, Convert.ToHexStringLower(mac)[..macHex.Length]);
        Assert.Equal(BinaryPrimitives.ReadUInt128BigEndian(Convert.FromHexString(macHex[..32])), new HmacSha256Key(key).Mac128(data));
    }

    [Fact]
    public void ScalarSha256MatchesFips180Examples()
    {
        // FIPS 180-4 examples: "abc" (one block) and the 56-byte message that needs a second padding block.
        var digest = new byte[32];
        Sha256Scalar.Hash("abc"u8, digest);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(digest));
        Sha256Scalar.Hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8, digest);
        Assert.Equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", Convert.ToHexStringLower(digest));
        Sha256Scalar.Hash([], digest);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void ScalarSha256MatchesTheOsLibraryForEveryLengthUpTo200()
    {
        var message = new byte[200];
        new Random(7).NextBytes(message);
        var digest = new byte[32];
        for (var n = 0; n <= 200; n++)
        {
            Sha256Scalar.Hash(message.AsSpan(0, n), digest);
            Assert.Equal(SHA256.HashData(message.AsSpan(0, n)), digest);
        }
    }

    [Fact]
    public void ScalarHmacMatchesTheOsLibraryAroundTheBlockSizeOfKeyAndMessage()
    {
        // Keys just under, at and over the 64-byte block (hashed first only when over), every message length up to 130.
        var random = new Random(4231);
        foreach (var keyLength in (int[])[16, 32, 63, 64, 65, 100, 131])
        {
            var key = new byte[keyLength];
            random.NextBytes(key);
            var mac = new HmacSha256Key(key);
            var message = new byte[130];
            random.NextBytes(message);
            var actual = new byte[32];
            for (var n = 0; n <= message.Length; n++)
            {
                mac.Mac(message.AsSpan(0, n), actual);
                Assert.Equal(HMACSHA256.HashData(key, message.AsSpan(0, n)), actual);
            }
        }
    }

    // Lengths around every padding boundary (55/56: one or two inner blocks; 63/64, 119/120: whole blocks), typical id lengths, and anything up to 200.
    private static readonly Gen<int> MessageLength = Gen.Frequency(
        (3, Gen.Int[0, 200]),
        (3, Gen.OneOf(0, 1, 54, 55, 56, 63, 64, 65, 119, 120, 121)),
        (4, Gen.Int[10, 30]));

    private static readonly Gen<byte[]> Message = MessageLength.SelectMany(n => Gen.Byte.Array[n]);

    /// <summary>Every path this machine runs; the vector ones are asserted present where the ISA says they must be.</summary>
    public static TheoryData<int> Paths => [(int)HmacPath.Scalar, (int)HmacPath.Lanes8Avx2, (int)HmacPath.Lanes8Avx512, (int)HmacPath.Lanes16Avx512];

    [Fact]
    public void TheVectorPathsRunOnThisKindOfMachine()
    {
        // Guards the property test below against silently testing only the scalar path.
        Assert.Equal(Vector256.IsHardwareAccelerated && Avx2.IsSupported, Pseudonymizer.IsSupported(HmacPath.Lanes8Avx2));
        Assert.Equal(Vector256.IsHardwareAccelerated && Avx512F.VL.IsSupported, Pseudonymizer.IsSupported(HmacPath.Lanes8Avx512));
        Assert.Equal(Vector512.IsHardwareAccelerated && Avx512F.IsSupported, Pseudonymizer.IsSupported(HmacPath.Lanes16Avx512));
        if (Avx2.IsSupported)
        {
            Assert.True(Vector256.IsHardwareAccelerated);
            Assert.NotEqual(HmacPath.Scalar, Pseudonymizer.BestPath);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ComputeManyMatchesHmacSha256OfTheOsLibrary(int pathNumber)
    {
        var path = (HmacPath)pathNumber;
        if (!Pseudonymizer.IsSupported(path))
        {
            // Not on this hardware: the forced path must refuse rather than run slowly or wrongly.
            var p = new Pseudonymizer(new byte[16]);
            Assert.Throws<PlatformNotSupportedException>(() => p.ComputeMany([], [], [], [], path));
            return;
        }

        // Random keys (16..100 bytes: shorter, equal and longer than the 64-byte block), batches of 0..40
        // messages (so both full vectors and tails occur), laid out in one text with random gaps.
        Gen.Select(Gen.Byte.Array[16, 100], Message.Array[0, 40], Gen.Int[0, 3].Array[40]).Sample((key, messages, gaps) =>
        {
            var text = new List<byte>();
            var start = new int[messages.Length];
            var length = new int[messages.Length];
            for (var i = 0; i < messages.Length; i++)
            {
                text.AddRange(new byte[gaps[i]]);
                start[i] = text.Count;
                length[i] = messages[i].Length;
                text.AddRange(messages[i]);
            }

            var pseudonymizer = new Pseudonymizer(key);
            var destination = new UInt128[messages.Length + 1];
            pseudonymizer.ComputeMany(text.ToArray(), start, length, destination, path);
            for (var i = 0; i < messages.Length; i++)
            {
                var expected = BinaryPrimitives.ReadUInt128BigEndian(HMACSHA256.HashData(key, messages[i]));
                Assert.True(expected == destination[i], $"{path}: message {i} of {messages.Length} ({messages[i].Length} bytes), key {key.Length} bytes");
            }

            Assert.Equal(UInt128.Zero, destination[messages.Length]);
        }, iter: 200);
    }

    [Fact]
    public void ComputeManyOnTypicalPersonIdsEqualsComputeForABatchOf4096()
    {
        // The shape the ingest parser has: ids back to back in one buffer, 4,096 per batch.
        var key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        var text = new StringBuilder();
        var start = new int[4096];
        var length = new int[4096];
        for (var i = 0; i < start.Length; i++)
        {
            var id = "P35090210" + (i * 7919).ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + (i % 5 == 0 ? "X" : string.Empty);
            start[i] = text.Length;
            length[i] = id.Length;
            text.Append(id);
        }

        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        var p = new Pseudonymizer(key);
        var many = new UInt128[start.Length];
        p.ComputeMany(bytes, start, length, many);
        for (var i = 0; i < start.Length; i++)
        {
            var id = bytes.AsSpan(start[i], length[i]);
            Assert.Equal(p.Compute(id), many[i]);
            Assert.Equal(BinaryPrimitives.ReadUInt128BigEndian(HMACSHA256.HashData(key, id)), many[i]);
        }

        // A value fixed by hand from the OS library, so a change of byte order or truncation shows.
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(key, "P3509021000000000X"u8))[..32], Pseudonymizer.Format(many[0]));
    }

    [Fact]
    public void ComputeManyRejectsMismatchedSpans()
    {
        var p = new Pseudonymizer(new byte[16]);
        var text = "abcdef"u8.ToArray();
        Assert.Throws<ArgumentException>(() => p.ComputeMany(text, [0, 1], [1], new UInt128[2]));
        Assert.Throws<ArgumentException>(() => p.ComputeMany(text, [0, 1], [1, 1], new UInt128[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.ComputeMany(text, [3], [4], new UInt128[1]));
    }

    [Fact]
    public void TheLanesRefuseAMessageThatNeedsASecondBlock()
    {
        // ComputeMany routes such ids to the scalar path; the lanes themselves must not hash them wrongly.
        Assert.True(Avx2Lanes.IsSupported || !Avx2.IsSupported);
        if (Avx2Lanes.IsSupported)
        {
            var key = new HmacSha256Key(new byte[16]);
            var text = new byte[200];
            int[] start = [0, 0, 0, 0, 0, 0, 0, 0];
            int[] length = [55, 55, 55, 55, 55, 55, 55, 56];
            int[] which = [0, 1, 2, 3, 4, 5, 6, 7];
            Assert.Throws<ArgumentOutOfRangeException>(() => Sha256Lanes.Mac128<Avx2Lanes, Vector256<uint>>(key, text, start, length, which, new UInt128[8]));
        }
    }

    [Fact]
    public void ComputeManyGivesTheSameResultsOnConcurrentThreads()
    {
        // One Pseudonymizer shared by parser threads: no per-call state may leak between them.
        var p = new Pseudonymizer(Encoding.ASCII.GetBytes("a shared key of some length, 40 bytes!!!"));
        var text = new byte[3000];
        new Random(11).NextBytes(text);
        var start = new int[1000];
        var length = new int[1000];
        for (var i = 0; i < start.Length; i++)
        {
            start[i] = (i * 37) % 2900;
            length[i] = i % 70;
        }

        var expected = new UInt128[start.Length];
        for (var i = 0; i < start.Length; i++)
        {
            expected[i] = BinaryPrimitives.ReadUInt128BigEndian(HMACSHA256.HashData(Encoding.ASCII.GetBytes("a shared key of some length, 40 bytes!!!"), text.AsSpan(start[i], length[i])));
        }

        var results = new UInt128[4][];
        Parallel.For(0, 4, t =>
        {
            var mine = new UInt128[start.Length];
            for (var round = 0; round < 20; round++)
            {
                p.ComputeMany(text, start, length, mine);
            }

            results[t] = mine;
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
