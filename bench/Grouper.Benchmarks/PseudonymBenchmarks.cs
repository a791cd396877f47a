using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Grouper.Privacy;
using Grouper.Privacy.Internals;

namespace Grouper.Benchmarks;

/// <summary>
/// Pseudonymising person ids (HMAC-SHA256, first 128 bits) for one ingest batch of 4,096 ids shaped
/// like "P3509021000123456" (17 ASCII bytes), back to back in one buffer as the parser has them.
/// One operation = one id. The baseline is the OS library through a reused IncrementalHash (what
/// <see cref="Pseudonymizer.Compute"/> did before the managed HMAC); then Compute one id at a time
/// (managed scalar) and ComputeMany forced onto each path.
/// </summary>
[MemoryDiagnoser]
public class PseudonymBenchmarks
{
    private const int Ids = 4096;

    private byte[] _text = [];
    private int[] _start = [];
    private int[] _length = [];
    private UInt128[] _destination = [];
    private Pseudonymizer _pseudonymizer = null!;
    private IncrementalHash _hmac = null!;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        _start = new int[Ids];
        _length = new int[Ids];
        for (var i = 0; i < Ids; i++)
        {
            var id = "P35090210" + ((i * 7919) + 123456).ToString("D8", CultureInfo.InvariantCulture);
            _start[i] = text.Length;
            _length[i] = id.Length;
            text.Append(id);
        }

        _text = Encoding.ASCII.GetBytes(text.ToString());
        _destination = new UInt128[Ids];
        var key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        _pseudonymizer = new Pseudonymizer(key);
        _hmac = System.Security.Cryptography.IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
    }

    [GlobalCleanup]
    public void Cleanup() => _hmac.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ids)]
    public void IncrementalHash()
    {
        Span<byte> mac = stackalloc byte[32];
        for (var i = 0; i < Ids; i++)
        {
            _hmac.AppendData(_text.AsSpan(_start[i], _length[i]));
            _hmac.GetHashAndReset(mac);
            _destination[i] = BinaryPrimitives.ReadUInt128BigEndian(mac);
        }
    }

    [Benchmark(OperationsPerInvoke = Ids)]
    public void Compute()
    {
        for (var i = 0; i < Ids; i++)
        {
            _destination[i] = _pseudonymizer.Compute(_text.AsSpan(_start[i], _length[i]));
        }
    }

    [Benchmark(OperationsPerInvoke = Ids)]
    public void ScalarMany() => _pseudonymizer.ComputeMany(_text, _start, _length, _destination, HmacPath.Scalar);

    [Benchmark(OperationsPerInvoke = Ids)]
    public void Lanes8Avx2() => _pseudonymizer.ComputeMany(_text, _start, _length, _destination, HmacPath.Lanes8Avx2);

    [Benchmark(OperationsPerInvoke = Ids)]
    public void Lanes8Avx512() => _pseudonymizer.ComputeMany(_text, _start, _length, _destination, HmacPath.Lanes8Avx512);

    [Benchmark(OperationsPerInvoke = Ids)]
    public void Lanes16Avx512() => _pseudonymizer.ComputeMany(_text, _start, _length, _destination, HmacPath.Lanes16Avx512);
}
