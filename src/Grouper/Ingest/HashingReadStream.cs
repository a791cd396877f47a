using System.IO.Hashing;
using System.Security.Cryptography;

namespace Grouper.Ingest;

/// <summary>
/// Computes the SHA-256 and size of the raw file bytes as they stream past (inputs are hashed
/// without a second read), and a 128-bit XXH3 of them (<see cref="ContentHash"/>) that tells
/// whether two reads of a file saw the same bytes at a twentieth of SHA-256's cost. A second read
/// that only needs that comparison leaves SHA-256 out (<c>sha256: false</c>).
/// </summary>
public sealed class HashingReadStream(Stream inner, bool sha256 = true) : Stream
{
    private readonly IncrementalHash? _hash = sha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    private readonly XxHash128 _content = new();
    private string? _hex;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    /// <summary>Hex SHA-256 of everything read; call after the stream was read to its end.</summary>
    public string Sha256Hex => _hex ??= Convert.ToHexStringLower((_hash ?? throw new InvalidOperationException("this read was opened without SHA-256")).GetHashAndReset());

    /// <summary>XXH3-128 of everything read so far: equal for two reads of the same bytes (not a fingerprint against tampering: that is <see cref="Sha256Hex"/>).</summary>
    public UInt128 ContentHash => _content.GetCurrentHashAsUInt128();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Append(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _hash?.AppendData(bytes);
        _content.Append(bytes);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>SHA-256 and size of a whole file (small inputs such as hospitals.csv, catalogs, policies).</summary>
    public static (string Sha256, long Bytes) HashFile(string path)
    {
        using var f = File.OpenRead(path);
        var hash = SHA256.HashData(f);
        return (Convert.ToHexStringLower(hash), f.Length);
    }
}
