using System.Buffers.Text;

namespace Grouper.Generation.Internals;

/// <summary>
/// A growable UTF-8 byte buffer that flushes to a stream in large blocks: fields are formatted
/// straight into bytes (<see cref="Utf8Formatter"/>, hand-written dates and money), never through strings.
/// </summary>
internal sealed class ByteSink
{
    private const int FlushAt = 1 << 20;
    private readonly Stream? _out;
    private byte[] _buf;

    public ByteSink(Stream? output, int capacity = (1 << 20) + (1 << 17))
    {
        _out = output;
        _buf = new byte[capacity];
    }

    public int Length { get; private set; }

    public long Flushed { get; private set; }

    public ReadOnlySpan<byte> Written => _buf.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Writes the buffer to the stream when it is over the flush mark (call between records).</summary>
    public void MaybeFlush()
    {
        if (Length >= FlushAt)
        {
            Flush();
        }
    }

    public void Flush()
    {
        if (_out is null || Length == 0)
        {
            return;
        }

        _out.Write(_buf, 0, Length);
        Flushed += Length;
        Length = 0;
    }

    private Span<byte> Reserve(int n)
    {
        if (Length + n > _buf.Length)
        {
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, Length + n));
        }

        return _buf.AsSpan(Length, n);
    }

    public void Byte(byte b)
    {
        if (Length == _buf.Length)
        {
            Array.Resize(ref _buf, _buf.Length * 2);
        }

        _buf[Length++] = b;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    public void Repeat(byte b, int count)
    {
        Reserve(count).Fill(b);
        Length += count;
    }

    public void Int(long value)
    {
        Utf8Formatter.TryFormat(value, Reserve(20), out var n);
        Length += n;
    }

    /// <summary>Zero-padded unsigned integer of exactly <paramref name="digits"/> digits.</summary>
    public void Padded(long value, int digits)
    {
        var span = Reserve(digits);
        for (var i = digits - 1; i >= 0; i--)
        {
            span[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        Length += digits;
    }

    /// <summary><c>yyyy-MM-dd</c>.</summary>
    public void Date(DateOnly d)
    {
        Padded(d.Year, 4);
        Byte((byte)'-');
        Padded(d.Month, 2);
        Byte((byte)'-');
        Padded(d.Day, 2);
    }

    /// <summary>
    /// Money in yuan from fen. Style 0: always two decimals (<c>12.30</c>); style 1: shortest form
    /// the money type allows (<c>12.3</c>, <c>12</c>).
    /// </summary>
    public void Money(long fen, int style)
    {
        Int(fen / 100);
        var cents = (int)(fen % 100);
        if (style == 1)
        {
            if (cents == 0)
            {
                return;
            }

            Byte((byte)'.');
            Byte((byte)('0' + (cents / 10)));
            if (cents % 10 != 0)
            {
                Byte((byte)('0' + (cents % 10)));
            }

            return;
        }

        Byte((byte)'.');
        Padded(cents, 2);
    }
}
