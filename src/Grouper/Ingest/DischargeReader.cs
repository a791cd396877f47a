using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Grouper.Core;

namespace Grouper.Ingest;

/// <summary>
/// Streams discharges.csv (or .csv.gz) through a <see cref="PipeReader"/>: finds RFC 4180 record
/// boundaries (LF or CRLF, quoted fields may hold line breaks), counts physical lines, and hands each
/// record's bytes to a <see cref="DischargeRecordParser"/>. Memory stays flat: only the pipe's
/// buffers and one batch in flight per consumer.
/// </summary>
public sealed class DischargeReader : IAsyncDisposable
{
    private static readonly string[] RequiredHeaderColumns = BuildRequired();

    private readonly Stream _stream;
    private readonly PipeReader _pipe;
    private readonly string _fileName;
    private readonly ValidationOptions _options;
    private byte[] _carry = new byte[1 << 17];
    private long _line;
    private bool _skipping;
    private long _skippingLine;

    private DischargeReader(Stream stream, string fileName, ValidationOptions options)
    {
        _stream = stream;
        _fileName = fileName;
        _options = options;
        _pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 1 << 16, leaveOpen: true));
    }

    /// <summary>Header column names as read (trimmed).</summary>
    public IReadOnlyList<string> Header { get; private set; } = [];

    /// <summary>The raw file bytes as read (SHA-256 and size for the manifest); null for stream input.</summary>
    public HashingReadStream? Raw { get; private set; }

    /// <summary>Blank lines skipped (no data, not records).</summary>
    public long BlankLines { get; private set; }

    /// <summary>Opens the file and reads its header; throws <see cref="InputException"/> on a missing file or a bad header.</summary>
    public static Task<DischargeReader> OpenAsync(string path, ValidationOptions? options = null, CancellationToken ct = default) =>
        OpenAsync(path, options, sha256: true, ct);

    /// <summary>
    /// Opens the file and reads its header; <paramref name="sha256"/> false leaves SHA-256 out of
    /// <see cref="Raw"/> (a second read that only checks the bytes are the same, by <see cref="HashingReadStream.ContentHash"/>).
    /// </summary>
    public static async Task<DischargeReader> OpenAsync(string path, ValidationOptions? options, bool sha256, CancellationToken ct = default)
    {
        if (!File.Exists(path))
        {
            throw new InputException(path, "discharges file not found");
        }

        var reader = new DischargeReader(CsvFiles.OpenRead(path, out var raw, CsvFiles.DefaultMaxDecompressedBytes, sha256), path, options ?? new ValidationOptions());
        reader.Raw = raw;
        try
        {
            await reader.ReadHeaderAsync(ct).ConfigureAwait(false);
            return reader;
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a reader over a stream (tests, in-memory data).</summary>
    public static async Task<DischargeReader> OpenAsync(Stream stream, string fileName, ValidationOptions? options = null, CancellationToken ct = default)
    {
        var reader = new DischargeReader(stream, fileName, options ?? new ValidationOptions());
        await reader.ReadHeaderAsync(ct).ConfigureAwait(false);
        return reader;
    }

    private static string[] BuildRequired()
    {
        var list = new List<string>();
        for (var i = 0; i < DischargeColumns.Count; i++)
        {
            if (DischargeColumns.Required[i])
            {
                list.Add(DischargeColumns.Names[i]);
            }
        }

        return [.. list];
    }

    private async Task ReadHeaderAsync(CancellationToken ct)
    {
        byte[]? headerBytes = null;
        while (headerBytes is null)
        {
            var result = await _pipe.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryTakeRecord(ref buffer, result.IsCompleted, out var record, out var headerLines))
            {
                headerBytes = record.ToArray();
                _line = headerLines;
                _pipe.AdvanceTo(buffer.Start, buffer.End);
                break;
            }

            if (buffer.Length > _options.MaxRecordBytes)
            {
                throw new InputException(_fileName, 1, null, "the header line is longer than the record limit; is this a CSV file?");
            }

            _pipe.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new InputException(_fileName, 1, null, "the file is empty; expected a header row with columns " + string.Join(", ", RequiredHeaderColumns));
            }
        }

        var span = headerBytes.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(span);
        }
        catch (DecoderFallbackException)
        {
            throw new InputException(_fileName, 1, null, "the header is not valid UTF-8; expected a CSV header row");
        }

        var names = SplitHeader(text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (n.Length > 0 && !seen.Add(n))
            {
                throw new InputException(_fileName, 1, n, "column name given twice in the header");
            }
        }

        var missing = RequiredHeaderColumns.Where(c => !seen.Contains(c)).ToArray();
        if (missing.Length > 0)
        {
            throw new InputException(_fileName, 1, null, "the header lacks required column(s): " + string.Join(", ", missing));
        }

        Header = names;
    }

    private static List<string> SplitHeader(string text)
    {
        var names = new List<string>();
        var sb = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        sb.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                names.Add(sb.ToString().Trim());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }

        names.Add(sb.ToString().Trim());
        return names;
    }

    /// <summary>
    /// Cuts the input into <see cref="RawBatch"/>es of record bytes in input order. <paramref name="rent"/>
    /// supplies empty raw batches; <paramref name="onRaw"/> receives each filled one.
    /// </summary>
    public async Task ReadRawAsync(Func<RawBatch> rent, Func<RawBatch, ValueTask> onRaw, CancellationToken ct = default)
    {
        var batch = rent();
        long sequence = 0;
        batch.Sequence = sequence++;
        while (true)
        {
            var result = await _pipe.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (true)
            {
                if (batch.IsFull)
                {
                    await onRaw(batch).ConfigureAwait(false);
                    batch = rent();
                    batch.Sequence = sequence++;
                }

                if (_skipping)
                {
                    // After LINE_TOO_LONG: resynchronise at the next line break.
                    var lf = buffer.PositionOf((byte)'\n');
                    if (lf is null)
                    {
                        buffer = buffer.Slice(buffer.End);
                        break;
                    }

                    buffer = buffer.Slice(buffer.GetPosition(1, lf.Value));
                    _skipping = false;
                    batch.AddTooLong(_skippingLine);
                    _line++;
                    continue;
                }

                var startLine = _line + 1;
                if (!TryTakeRecord(ref buffer, result.IsCompleted, out var record, out var newlines))
                {
                    if (buffer.Length > _options.MaxRecordBytes + 2L)
                    {
                        _skipping = true;
                        _skippingLine = startLine;
                        _line += CountLf(buffer, _options.MaxRecordBytes);
                        buffer = buffer.Slice(_options.MaxRecordBytes);
                        continue;
                    }

                    break;
                }

                _line += newlines;
                if (record.Length == 0)
                {
                    BlankLines++;
                    continue;
                }

                if (record.Length > _options.MaxRecordBytes)
                {
                    batch.AddTooLong(startLine);
                }
                else
                {
                    batch.Add(record, startLine);
                }
            }

            _pipe.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (_skipping)
                {
                    if (batch.IsFull)
                    {
                        await onRaw(batch).ConfigureAwait(false);
                        batch = rent();
                        batch.Sequence = sequence++;
                    }

                    batch.AddTooLong(_skippingLine);
                    _skipping = false;
                }

                break;
            }
        }

        await onRaw(batch).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads all records sequentially (one thread). <paramref name="rent"/> supplies empty batches;
    /// <paramref name="onBatch"/> receives each filled batch (accepted records plus the rejects of its
    /// lines) in input order. <see cref="IngestPipeline"/> is the parallel equivalent.
    /// </summary>
    public Task ReadAllAsync(DischargeRecordParser parser, Func<DischargeBatch> rent, Func<DischargeBatch, ValueTask> onBatch, CancellationToken ct = default) =>
        ReadAllAsync(parser, rent, onBatch, null, ct);

    /// <summary>As <see cref="ReadAllAsync(DischargeRecordParser, Func{DischargeBatch}, Func{DischargeBatch, ValueTask}, CancellationToken)"/> with a caller-owned duplicate index.</summary>
    public Task ReadAllAsync(DischargeRecordParser parser, Func<DischargeBatch> rent, Func<DischargeBatch, ValueTask> onBatch, CaseDeduplicator? deduplicator, CancellationToken ct = default)
    {
        var first = rent();
        DischargeBatch? pending = first;
        var raw = new RawBatch(first.Capacity);
        var dedup = deduplicator ?? new CaseDeduplicator();
        return ReadRawAsync(
            () =>
            {
                raw.Clear();
                return raw;
            },
            async r =>
            {
                var batch = pending ?? rent();
                pending = null;
                batch.Sequence = r.Sequence;
                parser.ParseAll(r, batch);
                dedup.Apply(batch);
                await onBatch(batch).ConfigureAwait(false);
            },
            ct);
    }

    private static long CountLf(ReadOnlySequence<byte> buffer, long upTo)
    {
        long n = 0;
        foreach (var seg in buffer.Slice(0, upTo))
        {
            n += seg.Span.Count((byte)'\n');
        }

        return n;
    }

    /// <summary>
    /// Takes one record from the front of <paramref name="buffer"/>. The record excludes its line
    /// terminator (LF or CRLF). <paramref name="newlines"/> is the number of physical lines consumed.
    /// </summary>
    private bool TryTakeRecord(ref ReadOnlySequence<byte> buffer, bool isFinal, out ReadOnlySpan<byte> record, out int newlines)
    {
        record = default;
        newlines = 0;
        if (buffer.IsEmpty)
        {
            return false;
        }

        var first = buffer.FirstSpan;
        if (Scan(first, out var length, out var consumed, out newlines))
        {
            record = first[..length];
            buffer = buffer.Slice(consumed);
            return true;
        }

        if (!buffer.IsSingleSegment)
        {
            // The record straddles segments: copy a window into the carry buffer and scan there.
            var window = (int)Math.Min(buffer.Length, _options.MaxRecordBytes + 2L);
            if (_carry.Length < window)
            {
                _carry = new byte[window];
            }

            buffer.Slice(0, window).CopyTo(_carry);
            var span = _carry.AsSpan(0, window);
            if (Scan(span, out length, out consumed, out newlines))
            {
                record = span[..length];
                buffer = buffer.Slice(consumed);
                return true;
            }

            if (isFinal && window == buffer.Length)
            {
                return TakeFinal(ref buffer, span, out record, out newlines);
            }

            return false;
        }

        return isFinal && TakeFinal(ref buffer, first, out record, out newlines);
    }

    private static bool TakeFinal(ref ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> span, out ReadOnlySpan<byte> record, out int newlines)
    {
        // Last record without a trailing line break.
        var len = span.Length;
        if (len > 0 && span[len - 1] == (byte)'\r')
        {
            len--;
        }

        newlines = 1 + span.Count((byte)'\n');
        record = span[..len];
        buffer = buffer.Slice(buffer.End);
        return span.Length > 0;
    }

    /// <summary>Finds the end of the first record in <paramref name="span"/>, honouring quotes.</summary>
    private static bool Scan(ReadOnlySpan<byte> span, out int length, out int consumed, out int newlines)
    {
        length = consumed = newlines = 0;
        var lf = span.IndexOf((byte)'\n');
        if (lf < 0)
        {
            return false;
        }

        var quote = span[..lf].IndexOf((byte)'"');
        if (quote < 0)
        {
            // Fast path: no quotes before the line break.
            length = lf > 0 && span[lf - 1] == (byte)'\r' ? lf - 1 : lf;
            consumed = lf + 1;
            newlines = 1;
            return true;
        }

        var inQuotes = false;
        var lines = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var b = span[i];
            if (b == (byte)'"')
            {
                inQuotes = !inQuotes;
            }
            else if (b == (byte)'\n')
            {
                lines++;
                if (!inQuotes)
                {
                    length = i > 0 && span[i - 1] == (byte)'\r' ? i - 1 : i;
                    consumed = i + 1;
                    newlines = lines;
                    return true;
                }
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _pipe.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
