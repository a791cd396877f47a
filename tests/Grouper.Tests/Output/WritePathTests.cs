using System.Text;
using Grouper.Core;
using Grouper.Output;
using Grouper.Output.Internals;
using Grouper.Privacy;
using Parquet;
using Parquet.Schema;

namespace Grouper.Tests.Output;

/// <summary>
/// The fast paths of filling and encoding cases.parquet against the straightforward code they
/// replace: code text from the packed words against the parsed text, the Code → id map
/// and code lists read back by Parquet.Net, pseudonym hex by shuffles against the scalar format,
/// and the RLE / bit-packed hybrid against the scan-every-run version, byte for byte.
/// </summary>
public sealed class WritePathTests
{
    private const string CodeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+*x";

    private static string RandomCode(Random r, int maxLength = Code.MaxPackedLength)
    {
        var n = r.Next(1, maxLength + 1);
        var c = new char[n];
        for (var i = 0; i < n; i++)
        {
            c[i] = CodeChars[r.Next(CodeChars.Length)];
        }

        return new string(c);
    }

    [Theory]
    [InlineData("K35.800")]
    [InlineData("A01.000x005+J17.0*")] // the longest code of the CHS-DRG 2.0 tables: 18 characters
    [InlineData("J18.9000")] // 8: the first word exactly
    [InlineData("J18.90000")] // 9: the ninth character from the first word
    [InlineData("J18.900001")] // 10: one character of the second word
    [InlineData("Z")]
    public void Code_text_is_the_code(string text)
    {
        var buffer = new byte[CodeText.MaxWrite + 8];
        var n = CodeText.Write(Code.Parse(text), ref buffer[0]);
        Assert.Equal(text, Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void Code_text_is_the_parsed_text_for_random_codes_with_and_without_BMI2()
    {
        // Code.CopyTo writes through CodeText too, so the oracle is the text each code was parsed from.
        var r = new Random(11);
        var fast = new byte[CodeText.MaxWrite + 8];
        var copy = new byte[Code.MaxPackedLength];
        for (var i = 0; i < 20_000; i++)
        {
            var text = RandomCode(r);
            var code = Code.Parse(text);
            Array.Fill(fast, (byte)0xEE);
            var n = CodeText.Write(code, ref fast[0]);
            Assert.Equal(text, Encoding.ASCII.GetString(fast, 0, n));
            Assert.Equal(text.Length, code.CopyTo(copy));
            Assert.Equal(text, Encoding.ASCII.GetString(copy, 0, text.Length));

            // Both ways of spreading 7-bit characters to bytes agree.
            var word = (ulong)r.NextInt64() & ((1UL << 56) - 1);
            Assert.Equal(CodeText.Spread(word, pdep: false), CodeText.Spread(word, pdep: true));
        }

        Assert.Equal(0, CodeText.Write(Code.Empty, ref fast[0]));
    }

    [Fact]
    public void Pseudonym_hex_by_shuffles_equals_the_scalar_format_and_x32()
    {
        Assert.True(System.Runtime.Intrinsics.X86.Ssse3.IsSupported, "the vector path is what this test checks");
        var r = new Random(12);
        var expected = new byte[32];
        var actual = new byte[32];
        UInt128[] edges = [UInt128.Zero, UInt128.MaxValue, UInt128.One, new UInt128(0x0123456789ABCDEF, 0xFEDCBA9876543210)];
        for (var i = 0; i < 10_000; i++)
        {
            var key = i < edges.Length ? edges[i] : new UInt128((ulong)r.NextInt64(), (ulong)r.NextInt64());
            Pseudonymizer.FormatScalar(key, expected);
            Pseudonymizer.Format(key, actual);
            Assert.Equal(Encoding.ASCII.GetString(expected), Encoding.ASCII.GetString(actual));
            Assert.Equal(key.ToString("x32", System.Globalization.CultureInfo.InvariantCulture), Encoding.ASCII.GetString(actual));
        }

        Pseudonymizer.Format(new UInt128(0x0123456789ABCDEF, 0xFEDCBA9876543210), actual);
        Assert.Equal("0123456789abcdeffedcba9876543210", Encoding.ASCII.GetString(actual));
    }

    [Fact]
    public async Task Code_columns_and_code_lists_read_back_as_their_text()
    {
        const int rows = 30_000;
        var r = new Random(13);

        // Many distinct codes (the map grows several times), nulls, codes past 18 characters (interned).
        var pool = new string[3_000];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = i % 500 == 0 ? RandomCode(r, 12) + "-LONGER-THAN-EIGHTEEN" : RandomCode(r);
        }

        var single = new DictionaryColumn<Code>(new DataField<string>("code", true), rows, c => c.ToString());
        var lists = new TextColumn(new DataField<string>("codes", false), rows, minMax: false);
        var expectedSingle = new string?[rows];
        var expectedLists = new string[rows];
        for (var row = 0; row < rows; row++)
        {
            if (r.Next(5) == 0)
            {
                single.SetNull(row);
            }
            else
            {
                expectedSingle[row] = pool[r.Next(pool.Length)];
                single.Set(row, Code.Parse(expectedSingle[row]!));
            }

            var list = new string[r.Next(0, 16)];
            for (var k = 0; k < list.Length; k++)
            {
                list[k] = pool[r.Next(pool.Length)];
            }

            expectedLists[row] = string.Join(';', list);
            IngestColumns.JoinCodes(lists, row, list.Select(Code.Parse).ToArray());
        }

        using var ms = new MemoryStream();
        var file = new ParquetFileWriter(ms, [single.Field, lists.Field]);
        var encoder = new RowGroupEncoder();
        encoder.Encode([single, lists], rows);
        file.Append(encoder);
        file.Finish();
        ms.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(ms);
        using var rg = reader.OpenRowGroupReader(0);
        var a = new string?[rows];
        var b = new string?[rows];
        await rg.ReadAsync(reader.Schema.DataFields[0], a.AsMemory(), null);
        await rg.ReadAsync(reader.Schema.DataFields[1], b.AsMemory(), null);
        Assert.Equal(expectedSingle, a);
        Assert.Equal(expectedLists, b);
    }

    [Fact]
    public void Rle_hybrid_is_the_same_bytes_as_scanning_every_run()
    {
        var r = new Random(14);
        for (var t = 0; t < 3_000; t++)
        {
            var n = r.Next(0, t % 10 == 0 ? 3_000 : 200);
            var bitWidth = r.Next(1, 18);
            var distinct = r.Next(1, 5) == 1 ? 1 : r.Next(2, 1 << Math.Min(bitWidth, 6));
            var values = new int[n];
            for (var i = 0; i < n;)
            {
                // Runs of every length around 8, including ones that only just reach it after padding.
                var v = r.Next(Math.Min(distinct, 1 << bitWidth));
                var run = r.Next(3) == 0 ? r.Next(1, 30) : 1;
                for (var k = 0; k < run && i < n; k++)
                {
                    values[i++] = v;
                }
            }

            var expected = new ByteBuffer(16);
            ReferenceRle(expected, values, bitWidth);
            var actual = new ByteBuffer(16);
            RleHybrid.Write(actual, (ReadOnlySpan<int>)values, bitWidth);
            Assert.True(expected.Span.SequenceEqual(actual.Span), $"case {t}: {n} values, bit width {bitWidth}");

            // Definition levels: bytes 0/1 at bit width 1 (the vector path for whole 32s).
            var levels = new byte[n];
            for (var i = 0; i < n; i++)
            {
                levels[i] = (byte)(values[i] & 1);
            }

            expected.Clear();
            ReferenceRle(expected, levels.Select(x => (int)x).ToArray(), 1);
            actual.Clear();
            RleHybrid.Write(actual, (ReadOnlySpan<byte>)levels, 1);
            Assert.True(expected.Span.SequenceEqual(actual.Span), $"levels, case {t}");
        }
    }

    [Fact]
    public async Task Line_numbers_pack_to_almost_nothing_and_read_back()
    {
        const int rows = 50_000;
        var line = new NumberColumn<long>(new DataField<long>("line"), rows);
        for (var i = 0; i < rows; i++)
        {
            line.Set(i, 2 + i + (i / 1000)); // consecutive, a skipped line every 1,000
        }

        using var ms = new MemoryStream();
        var file = new ParquetFileWriter(ms, [line.Field]);
        var encoder = new RowGroupEncoder();
        encoder.Encode([line], rows);
        Assert.True(encoder.Part.Length < rows / 10, $"{encoder.Part.Length} bytes for {rows} line numbers");
        file.Append(encoder);
        file.Finish();
        ms.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(ms);
        using var rg = reader.OpenRowGroupReader(0);
        var v = new long[rows];
        await rg.ReadAsync<long>(reader.Schema.DataFields[0], v.AsMemory(), null);
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(2 + i + (i / 1000), v[i]);
        }
    }

    /// <summary>The encoder before the vector scan: every maximal run examined, values bit-packed one bit group at a time.</summary>
    private static void ReferenceRle(ByteBuffer output, int[] values, int bitWidth)
    {
        var n = values.Length;
        var literal = 0;
        var i = 0;
        while (i < n)
        {
            var x = values[i];
            var j = i + 1;
            while (j < n && values[j] == x)
            {
                j++;
            }

            var run = j - i;
            if (run >= 8)
            {
                var pending = i - literal;
                var pad = (8 - (pending & 7)) & 7;
                if (run - pad >= 8)
                {
                    if (pending + pad > 0)
                    {
                        ReferencePacked(output, values.AsSpan(literal, pending + pad), bitWidth);
                    }

                    output.WriteVarUInt((ulong)(run - pad) << 1);
                    for (var b = 0; b < (bitWidth + 7) / 8; b++)
                    {
                        output.WriteByte((byte)((uint)x >> (8 * b)));
                    }

                    literal = j;
                }
            }

            i = j;
        }

        if (literal < n)
        {
            ReferencePacked(output, values.AsSpan(literal), bitWidth);
        }
    }

    private static void ReferencePacked(ByteBuffer output, ReadOnlySpan<int> values, int bitWidth)
    {
        for (var from = 0; from < values.Length; from += 504)
        {
            var part = values.Slice(from, Math.Min(504, values.Length - from));
            var groups = (part.Length + 7) / 8;
            output.WriteVarUInt(((ulong)groups << 1) | 1);
            var bits = new bool[groups * 8 * bitWidth];
            for (var i = 0; i < part.Length; i++)
            {
                for (var b = 0; b < bitWidth; b++)
                {
                    bits[(i * bitWidth) + b] = ((part[i] >> b) & 1) != 0;
                }
            }

            for (var k = 0; k < groups * bitWidth; k++)
            {
                var by = 0;
                for (var b = 0; b < 8; b++)
                {
                    by |= bits[(k * 8) + b] ? 1 << b : 0;
                }

                output.WriteByte((byte)by);
            }
        }
    }
}
