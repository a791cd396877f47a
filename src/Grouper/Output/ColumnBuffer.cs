using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Grouper.Core;
using Grouper.Output.Internals;
using Parquet.Schema;

namespace Grouper.Output;

/// <summary>
/// One cases.parquet column being filled for the current row group, already in the form its
/// Parquet encoding needs (integers, unscaled decimals, UTF-8 bytes, dictionary ids); its arrays
/// are allocated once and reused. The <see cref="Field"/> declares the column as Parquet.Net
/// would; <see cref="ColumnType.Of"/> says how that is stored.
/// </summary>
internal interface IColumnBuffer
{
    DataField Field { get; }

    /// <summary>Encodes rows 0..<paramref name="rows"/>−1 as one column chunk.</summary>
    void Encode(RowGroupEncoder encoder, int rows);

    /// <summary>Called before the buffers are filled again for a new row group.</summary>
    void Reset()
    {
    }
}

/// <summary>
/// An INT32 (<typeparamref name="T"/> = int: int, DATE, DECIMAL precision ≤ 9) or INT64
/// (<typeparamref name="T"/> = long: long, DECIMAL precision 10..18) column, required or optional.
/// </summary>
internal sealed class NumberColumn<T> : IColumnBuffer
    where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
{
    private const int UnixEpochDayNumber = 719_162; // new DateOnly(1970, 1, 1).DayNumber

    private readonly T[] _values;
    private readonly byte[] _defined;
    private readonly int _physical;
    private readonly int _scale;
    private readonly bool _delta;

    public NumberColumn(DataField field, int capacity)
    {
        Field = field;
        var type = ColumnType.Of(field);
        _physical = typeof(T) == typeof(int) ? ParquetFormat.Int32 : typeof(T) == typeof(long) ? ParquetFormat.Int64 : -1;
        if (type.Physical != _physical)
        {
            throw new ArgumentException($"column {field.Name} is stored as Parquet type {type.Physical}, not as {typeof(T).Name}", nameof(field));
        }

        _scale = type.Logical == LogicalKind.Decimal ? type.Scale : 0;
        _delta = typeof(T) == typeof(long) && type.Logical != LogicalKind.Decimal;
        _values = new T[capacity];
        _defined = field.IsNullable ? new byte[capacity] : [];
    }

    public DataField Field { get; }

    /// <summary>The stored value (for a decimal column: unscaled, e.g. fen for decimal(18,2) yuan).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int row, T value)
    {
        _values[row] = value;
        if (_defined.Length != 0)
        {
            _defined[row] = 1;
        }
    }

    public void Set(int row, T? value)
    {
        if (value is { } v)
        {
            Set(row, v);
        }
        else
        {
            SetNull(row);
        }
    }

    public void SetNull(int row)
    {
        if (_defined.Length == 0)
        {
            throw new InvalidOperationException($"column {Field.Name} is required: no null");
        }

        _values[row] = T.Zero;
        _defined[row] = 0;
    }

    /// <summary>A DATE: days since 1970-01-01.</summary>
    public void Set(int row, DateOnly date) => Set(row, T.CreateChecked(date.DayNumber - UnixEpochDayNumber));

    /// <summary>A DECIMAL from a decimal value: digits past the column's scale are cut off (toward zero), as Parquet.Net does.</summary>
    public void SetDecimal(int row, decimal value) => Set(row, T.CreateChecked(Decimals.Unscaled(value, _scale)));

    public void Encode(RowGroupEncoder encoder, int rows) =>
        encoder.Numbers<T>(_values.AsSpan(0, rows), _defined.Length == 0 ? default : _defined.AsSpan(0, rows), _physical, _delta);
}

/// <summary>A required BOOLEAN column.</summary>
internal sealed class BoolColumn : IColumnBuffer
{
    private readonly bool[] _values;

    public BoolColumn(DataField field, int capacity)
    {
        if (ColumnType.Of(field).Physical != ParquetFormat.Boolean || field.IsNullable)
        {
            throw new ArgumentException($"column {field.Name} is not a required boolean", nameof(field));
        }

        Field = field;
        _values = new bool[capacity];
    }

    public DataField Field { get; }

    public void Set(int row, bool value) => _values[row] = value;

    public void Encode(RowGroupEncoder encoder, int rows) => encoder.Booleans(_values.AsSpan(0, rows));
}

/// <summary>
/// A text column of mostly distinct values (case ids, pseudonyms, code lists), stored PLAIN. Each
/// row's UTF-8 bytes are written straight into an arena in PLAIN form (length, bytes), so encoding
/// a page is a copy. Rows must be set in order, each once (a row group is filled front to back).
/// </summary>
internal sealed class TextColumn : IColumnBuffer
{
    private readonly int[] _ends;
    private readonly byte[] _defined;
    private readonly bool _minMax;
    private byte[] _arena;
    private int _used;
    private int _next;

    /// <param name="minMax">Write min/max statistics (a byte comparison per row: worth it where readers filter on the column).</param>
    public TextColumn(DataField field, int capacity, bool minMax = true)
    {
        if (ColumnType.Of(field).Physical != ParquetFormat.ByteArray)
        {
            throw new ArgumentException($"column {field.Name} is not text", nameof(field));
        }

        Field = field;
        _minMax = minMax;
        _ends = new int[capacity];
        _defined = field.IsNullable ? new byte[capacity] : [];
        _arena = new byte[Math.Max(1024, capacity * 24)];
    }

    public DataField Field { get; }

    /// <summary>Room for up to <paramref name="maxLength"/> bytes of the next row's value; then <see cref="Commit"/> what was written.</summary>
    public Span<byte> Begin(int maxLength)
    {
        if (_used + 4 + maxLength > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(checked(_arena.Length * 2), checked(_used + 4 + maxLength)));
        }

        return _arena.AsSpan(_used + 4, maxLength);
    }

    /// <summary>Row <paramref name="row"/>'s value is the first <paramref name="length"/> bytes given by <see cref="Begin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit(int row, int length)
    {
        CheckOrder(row);
        BinaryPrimitives.WriteInt32LittleEndian(_arena.AsSpan(_used), length);
        _used += 4 + length;
        _ends[row] = _used;
        if (_defined.Length != 0)
        {
            _defined[row] = 1;
        }
    }

    public void SetUtf8(int row, ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Begin(utf8.Length));
        Commit(row, utf8.Length);
    }

    /// <summary>A value from a string (null: a null, or the empty string in a required column).</summary>
    public void Set(int row, string? value)
    {
        if (value is null)
        {
            SetNull(row);
            return;
        }

        var n = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, Begin(n));
        Commit(row, n);
    }

    public void SetNull(int row)
    {
        if (_defined.Length == 0)
        {
            Commit(row, 0);
            return;
        }

        CheckOrder(row);
        _ends[row] = _used;
        _defined[row] = 0;
    }

    public void Reset()
    {
        _used = 0;
        _next = 0;
    }

    public void Encode(RowGroupEncoder encoder, int rows) =>
        encoder.PlainBinary(_arena.AsSpan(0, _used), _ends.AsSpan(0, rows), _defined.Length == 0 ? default : _defined.AsSpan(0, rows), _minMax);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckOrder(int row)
    {
        if (row != _next)
        {
            ThrowOutOfOrder(row);
        }

        _next++;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfOrder(int row) =>
        throw new InvalidOperationException($"column {Field.Name}: row {row} set out of order (expected {_next})");
}

/// <summary>
/// A text column of few distinct values (codes, names, reasons, versions), dictionary-encoded.
/// The column keeps a table of distinct values reached by a key (an enum's or a catalog index's
/// int, a <see cref="Core.Code"/>, …); the text is formatted (by the function given) only the first
/// time a key is seen in the run. A row holds the value's id in the current chunk's dictionary,
/// numbered in order of first use in the chunk, so the file does not depend on what earlier row
/// groups put in the table and the encoder writes the ids as they are. For int and Code keys
/// filling a row is one array or flat-map lookup that gives the chunk id directly.
/// </summary>
internal sealed class DictionaryColumn<TKey> : IColumnBuffer
    where TKey : notnull
{
    private const int NullId = -1;
    private const int DenseKeyLimit = 1 << 17;

    /// <summary>A table this large is dropped between row groups (ids are per column, so only memory is at stake).</summary>
    private const int MaxRetainedValues = 1 << 20;

    private readonly int[] _ids;
    private readonly bool _optional;
    private readonly Func<TKey, string?> _format;
    private readonly Dictionary<TKey, int> _byKey;
    private readonly Dictionary<string, int> _byText = new(StringComparer.Ordinal);
    private readonly CodeIdMap? _byCode;
    private int[] _byIntKey = []; // int keys −1..DenseKeyLimit−2 at key+1: id+2, 0 = not seen yet
    private object? _lastObjectKey; // reference keys (policies): the last one and its id, as most rows repeat it
    private int _lastObjectId;
    private int _emptyId = -2; // the empty string's id in a required column, once known
    private byte[] _values = new byte[1024];
    private int _valuesUsed;
    private int[] _starts = new int[64];
    private int[] _ends = new int[64];
    private int _count;

    // The chunk being filled: rows hold ids in the order of first use in this chunk (its dictionary
    // order), so the encoder writes them as they are. _chunkOf[table id] = chunk id + 1 (0: not used
    // yet); _order[chunk id] = table id. Int and Code keys also go straight to the chunk id
    // (_intChunk[key + 1] = chunk id + 2, _codeChunk), cleared when the next chunk starts.
    private int[] _chunkOf = new int[64];
    private int[] _order = new int[64];
    private int _used;
    private int[] _intChunk = [];
    private int[] _intTouched = new int[16];
    private int _intTouchedCount;
    private readonly CodeIdMap? _codeChunk;

    /// <param name="format">The text of a key; null for a null value (the empty string in a required column).</param>
    public DictionaryColumn(DataField field, int capacity, Func<TKey, string?> format, IEqualityComparer<TKey>? keys = null)
    {
        if (ColumnType.Of(field).Physical != ParquetFormat.ByteArray)
        {
            throw new ArgumentException($"column {field.Name} is not text", nameof(field));
        }

        Field = field;
        _optional = field.IsNullable;
        _format = format;
        _byKey = new Dictionary<TKey, int>(keys);
        _byCode = typeof(TKey) == typeof(Code) ? new CodeIdMap() : null;
        _codeChunk = typeof(TKey) == typeof(Code) ? new CodeIdMap() : null;
        _ids = new int[capacity];
    }

    public DataField Field { get; }

    /// <summary>Distinct values a chunk may have and stay dictionary-encoded.</summary>
    public int MaxDictionaryEntries { get; init; } = 1 << 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int row, TKey key)
    {
        if (typeof(TKey) == typeof(int))
        {
            var slot = Unsafe.As<TKey, int>(ref key) + 1;
            var chunk = _intChunk;
            if ((uint)slot < (uint)chunk.Length && chunk[slot] != 0)
            {
                _ids[row] = chunk[slot] - 2;
                return;
            }
        }
        else if (typeof(TKey) == typeof(Code))
        {
            if (_codeChunk!.TryGet(Unsafe.As<TKey, Code>(ref key), out var c))
            {
                _ids[row] = c;
                return;
            }
        }

        _ids[row] = FirstInChunk(key);
    }

    public void SetNull(int row) => _ids[row] = _optional ? NullId : ChunkOf(EmptyId());

    internal int DistinctValues => _count;

    public void Reset()
    {
        // A new chunk: no value used yet.
        for (var c = 0; c < _used; c++)
        {
            _chunkOf[_order[c]] = 0;
        }

        _used = 0;
        for (var i = 0; i < _intTouchedCount; i++)
        {
            _intChunk[_intTouched[i]] = 0;
        }

        _intTouchedCount = 0;
        if (_codeChunk is { Count: > 0 })
        {
            _codeChunk.Clear();
        }

        if (_count > MaxRetainedValues)
        {
            _byKey.Clear();
            _byText.Clear();
            _byCode?.Clear();
            _lastObjectKey = null;
            _emptyId = -2;
            _byIntKey = [];
            _count = 0;
            _valuesUsed = 0;
        }
    }

    public void Encode(RowGroupEncoder encoder, int rows) =>
        encoder.Dictionary(_ids.AsSpan(0, rows), _order.AsSpan(0, _used), _values.AsSpan(0, _valuesUsed), _starts.AsSpan(0, _count), _ends.AsSpan(0, _count), _optional, MaxDictionaryEntries);

    /// <summary>A key not yet used in this chunk by the fast paths of <see cref="Set"/>: its chunk id, remembered for the next rows.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int FirstInChunk(TKey key)
    {
        var c = ChunkOf(IdOf(key));
        if (typeof(TKey) == typeof(int))
        {
            var slot = Unsafe.As<TKey, int>(ref key) + 1;
            if ((uint)slot < DenseKeyLimit)
            {
                if (slot >= _intChunk.Length)
                {
                    Array.Resize(ref _intChunk, Math.Min(DenseKeyLimit, Math.Max(slot + 1, _intChunk.Length * 2)));
                }

                if (_intTouchedCount == _intTouched.Length)
                {
                    Array.Resize(ref _intTouched, _intTouched.Length * 2);
                }

                _intChunk[slot] = c + 2;
                _intTouched[_intTouchedCount++] = slot;
            }
        }
        else if (typeof(TKey) == typeof(Code) && c >= 0)
        {
            _codeChunk!.Add(Unsafe.As<TKey, Code>(ref key), c);
        }

        return c;
    }

    /// <summary>The chunk id of table id <paramref name="id"/> (−1, null, stays −1), given in order of first use.</summary>
    private int ChunkOf(int id)
    {
        if (id < 0)
        {
            return NullId;
        }

        if (id >= _chunkOf.Length)
        {
            Array.Resize(ref _chunkOf, Math.Max(id + 1, _chunkOf.Length * 2));
        }

        var c = _chunkOf[id] - 1;
        if (c >= 0)
        {
            return c;
        }

        if (_used == _order.Length)
        {
            Array.Resize(ref _order, _used * 2);
        }

        c = _used++;
        _order[c] = id;
        _chunkOf[id] = c + 1;
        return c;
    }

    private int IdOf(TKey key)
    {
        if (typeof(TKey) == typeof(int))
        {
            var slot = Unsafe.As<TKey, int>(ref key) + 1;
            if ((uint)slot < DenseKeyLimit)
            {
                if (slot < _byIntKey.Length && _byIntKey[slot] != 0)
                {
                    return _byIntKey[slot] - 2;
                }

                var id = Format(key);
                if (slot >= _byIntKey.Length)
                {
                    Array.Resize(ref _byIntKey, Math.Min(DenseKeyLimit, Math.Max(slot + 1, _byIntKey.Length * 2)));
                }

                _byIntKey[slot] = id + 2;
                return id;
            }
        }

        if (typeof(TKey) == typeof(Code))
        {
            var code = Unsafe.As<TKey, Code>(ref key);
            if (_byCode!.TryGet(code, out var codeId))
            {
                return codeId;
            }

            codeId = code.IsEmpty ? Format(key) : FormatCode(key);
            return codeId;
        }

        if (!typeof(TKey).IsValueType && ReferenceEquals(key, _lastObjectKey))
        {
            return _lastObjectId;
        }

        if (!_byKey.TryGetValue(key, out var found))
        {
            found = Format(key);
            _byKey[key] = found;
        }

        if (!typeof(TKey).IsValueType)
        {
            _lastObjectKey = key;
            _lastObjectId = found;
        }

        return found;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int FormatCode(TKey key)
    {
        var id = Format(key);
        _byCode!.Add(Unsafe.As<TKey, Code>(ref key), id);
        return id;
    }

    private int EmptyId() => _emptyId >= 0 ? _emptyId : _emptyId = IdOfText(string.Empty);

    private int Format(TKey key)
    {
        var text = _format(key);
        return text is null ? (_optional ? NullId : EmptyId()) : IdOfText(text);
    }

    private int IdOfText(string text)
    {
        if (_byText.TryGetValue(text, out var id))
        {
            return id;
        }

        var n = Encoding.UTF8.GetByteCount(text);
        if (_valuesUsed + 4 + n > _values.Length)
        {
            Array.Resize(ref _values, Math.Max(_values.Length * 2, _valuesUsed + 4 + n));
        }

        if (_count == _starts.Length)
        {
            Array.Resize(ref _starts, _count * 2);
            Array.Resize(ref _ends, _count * 2);
        }

        BinaryPrimitives.WriteInt32LittleEndian(_values.AsSpan(_valuesUsed), n);
        Encoding.UTF8.GetBytes(text, _values.AsSpan(_valuesUsed + 4));
        _starts[_count] = _valuesUsed;
        _valuesUsed += 4 + n;
        _ends[_count] = _valuesUsed;
        id = _count++;
        _byText[text] = id;
        return id;
    }
}

/// <summary>Decimal values as the unscaled integers DECIMAL columns store.</summary>
internal static class Decimals
{
    private static readonly ulong[] Pow10 = BuildPow10();

    /// <summary>
    /// <paramref name="value"/> × 10^<paramref name="scale"/>, digits past the scale cut off toward
    /// zero (Parquet.Net 6.1 writes decimals the same way: 1.239 at scale 2 is stored as 123).
    /// </summary>
    public static long Unscaled(decimal value, int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var s = (bits[3] >> 16) & 0xFF;
        if (s >= scale)
        {
            // More places than the column keeps (often a computed ratio with a full 96-bit mantissa): cut them.
            var m = ((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
            var k = s - scale;
            if (k > 0)
            {
                m = k < Pow10.Length ? m / Pow10[k] : m / Pow10[k - 19] / Pow10[19];
            }

            if (m <= long.MaxValue)
            {
                return bits[3] < 0 ? -(long)m : (long)m;
            }
        }
        else if (bits[2] == 0)
        {
            var m = (uint)bits[0] | ((ulong)(uint)bits[1] << 32);
            var p = Pow10[scale - s];
            if (m <= long.MaxValue / p)
            {
                m *= p;
                return bits[3] < 0 ? -(long)m : (long)m;
            }
        }

        // Out of the fast paths' range: exact decimal arithmetic (throws OverflowException past long).
        return decimal.ToInt64(decimal.Truncate(value * (decimal)Pow10[scale]));
    }

    private static ulong[] BuildPow10()
    {
        var p = new ulong[20];
        p[0] = 1;
        for (var i = 1; i < p.Length; i++)
        {
            p[i] = p[i - 1] * 10;
        }

        return p;
    }
}
