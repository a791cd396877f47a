using System.Globalization;
using System.Text;
using Grouper.Ingest;

namespace Grouper.Output;

/// <summary>rejects.csv: <c>line, case_id, reason, field, message</c>, RFC 4180 quoted where needed, in line order.</summary>
public sealed class RejectsWriter : IAsyncDisposable
{
    private readonly AtomicFile _file;
    private readonly StreamWriter _writer;
    private readonly Dictionary<RejectReason, long> _counts = [];

    public RejectsWriter(string path)
    {
        _file = new AtomicFile(path);
        _writer = new StreamWriter(_file.Stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        _writer.WriteLine("line,case_id,reason,field,message");
    }

    public long Count { get; private set; }

    public IReadOnlyDictionary<RejectReason, long> CountsByReason => _counts;

    public void Write(Reject r)
    {
        _writer.Write(r.Line.ToString(CultureInfo.InvariantCulture));
        _writer.Write(',');
        WriteField(r.CaseId);
        _writer.Write(',');
        _writer.Write(RejectReasons.Name(r.Reason));
        _writer.Write(',');
        WriteField(r.Field);
        _writer.Write(',');
        WriteField(r.Message);
        _writer.WriteLine();
        Count++;
        _counts[r.Reason] = _counts.GetValueOrDefault(r.Reason) + 1;
    }

    private void WriteField(string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _writer.Write(value);
            return;
        }

        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        _writer.Write('"');
    }

    public async Task CommitAsync()
    {
        await _writer.FlushAsync().ConfigureAwait(false);
        await _file.CommitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
