using System.Text;
using Grouper.Ingest;

namespace Grouper.Tests.Ingest;

/// <summary>Frozen copy of HospitalTable.Find before the fast parser (a dictionary of packed ASCII ids, else a char lookup).</summary>
internal sealed class ReferenceHospitalIds
{
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<(UInt128, UInt128), int> _asciiIds = [];

    public ReferenceHospitalIds(HospitalTable hospitals)
    {
        _index = new Dictionary<string, int>(hospitals.Count, StringComparer.Ordinal);
        for (var i = 0; i < hospitals.Count; i++)
        {
            _index[hospitals[i].HospitalId] = i;
        }

        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var (id, i) in _index)
        {
            var bytes = Encoding.UTF8.GetBytes(id);
            if (bytes.Length <= 32 && Ascii.IsValid(bytes))
            {
                _asciiIds[Pack(bytes)] = i;
            }
        }
    }

    private static (UInt128, UInt128) Pack(ReadOnlySpan<byte> s)
    {
        Span<byte> buf = stackalloc byte[32];
        buf.Clear();
        s.CopyTo(buf);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(buf), System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(buf[16..]));
    }

    public int Find(ReadOnlySpan<byte> utf8Id)
    {
        if (utf8Id.Length <= 32 && Ascii.IsValid(utf8Id) && _asciiIds.TryGetValue(Pack(utf8Id), out var fast))
        {
            return fast;
        }

        if (utf8Id.Length > 128)
        {
            return -1;
        }

        Span<char> chars = stackalloc char[128];
        if (!Encoding.UTF8.TryGetChars(utf8Id, chars, out var n))
        {
            return -1;
        }

        return _lookup.TryGetValue(chars[..n], out var index) ? index : -1;
    }
}
