using System.Text.Json;
using Grouper.Dip;
using Grouper.Drg;
using Grouper.Ingest;
using Grouper.Output;
using Grouper.Output.Internals;
using Parquet;
using Parquet.Schema;

namespace Grouper.Tests.Output;

/// <summary>
/// The cases.parquet encoder (<see cref="RowGroupEncoder"/> + <see cref="ParquetFileWriter"/>):
/// random rows of every column kind read back value for value by two independent readers
/// (Parquet.Net and DuckDB); the schema equals what Parquet.Net's writer declares for the same
/// fields; a row group's bytes depend only on its rows.
/// </summary>
public sealed class CasesParquetEncoderTests
{
    private const int SmallDictionary = 40;

    private static readonly string[] Words =
    [
        "", "A", "K35.800", "DRG", "城镇职工", "城乡居民", "北京市朝阳区医院", "宁德市医院", "ZZ99", "emoji 😀 text",
        "a;b;c", "UNMATCHED", "Normal", "out_of_city", "dibao_edge", "中文和English混合",
    ];

    /// <summary>One kind of column with the values it should read back as (null = SQL null).</summary>
    private sealed class Col(IColumnBuffer buffer, Func<Random, int, object?> next, Action<int, object?> set)
    {
        public IColumnBuffer Buffer { get; } = buffer;

        public Func<Random, int, object?> Next { get; } = next;

        public Action<int, object?> Set { get; } = set;
    }

    private static List<Col> Columns(int capacity)
    {
        var cols = new List<Col>();

        var l = new NumberColumn<long>(new DataField<long>("l"), capacity);
        cols.Add(new(l, (r, _) => r.Next(4) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => r.NextInt64(long.MinValue, long.MaxValue) }, (row, v) => l.Set(row, (long)v!)));

        var ln = new NumberColumn<long>(new DataField<long?>("l_opt", true), capacity);
        cols.Add(new(ln, (r, _) => r.Next(3) == 0 ? null : r.NextInt64(-5, 5), (row, v) => ln.Set(row, (long?)v)));

        var i = new NumberColumn<int>(new DataField<int>("i"), capacity);
        cols.Add(new(i, (r, _) => r.Next(5) == 0 ? int.MinValue : r.Next(5) == 0 ? int.MaxValue : r.Next(-1000, 1000), (row, v) => i.Set(row, (int)v!)));

        // Mostly null, as admit weight is: long RLE runs of nulls between values.
        var iOpt = new NumberColumn<int>(new DataField<int?>("i_opt", true), capacity);
        cols.Add(new(iOpt, (r, _) => r.Next(50) == 0 ? r.Next(0, 5000) : null, (row, v) => iOpt.Set(row, (int?)v)));

        var allNull = new NumberColumn<int>(new DataField<int?>("i_all_null", true), capacity);
        cols.Add(new(allNull, (_, _) => null, (row, _) => allNull.SetNull(row)));

        var date = new NumberColumn<int>(new DataField<DateOnly>("d"), capacity);
        cols.Add(new(date, (r, _) => r.Next(10) == 0 ? DateOnly.MinValue : new DateOnly(1900, 1, 1).AddDays(r.Next(80_000)), (row, v) => date.Set(row, (DateOnly)v!)));

        // Line numbers: a small range but every value distinct, so PLAIN rather than a dictionary.
        var seq = new NumberColumn<long>(new DataField<long>("seq"), capacity);
        cols.Add(new(seq, (_, row) => (long)row, (row, v) => seq.Set(row, (long)v!)));

        var dateOpt = new NumberColumn<int>(new DataField<DateOnly?>("d_opt", true), capacity);
        cols.Add(new(dateOpt, (r, _) => r.Next(5) == 0 ? null : new DateOnly(2024, 1, 1).AddDays(r.Next(30)), (row, v) =>
        {
            if (v is DateOnly d)
            {
                dateOpt.Set(row, d);
            }
            else
            {
                dateOpt.SetNull(row);
            }
        }));

        var money = new NumberColumn<long>(new DecimalDataField("money", 18, 2, false, false), capacity);
        cols.Add(new(money, (r, _) => r.Next(6) switch { 0 => 9_999_999_999_999_999.99m, 1 => -9_999_999_999_999_999.99m, 2 => 0m, _ => r.NextInt64(-100_000_000, 100_000_000) / 100m }, (row, v) => money.Set(row, (long)((decimal)v! * 100))));

        var weight = new NumberColumn<int>(new DecimalDataField("weight", 9, 4, false, true), capacity);
        cols.Add(new(weight, (r, _) => r.Next(4) == 0 ? null : r.Next(3) == 0 ? 99_999.9999m : r.Next(-999_999_999, 999_999_999) / 10_000m, (row, v) => weight.Set(row, v is null ? null : (int)((decimal)v * 10_000))));

        // Decimals with more places than the scale are cut toward zero, as Parquet.Net writes them.
        var ratio = new NumberColumn<long>(new DecimalDataField("ratio", 18, 4, false, false), capacity);
        cols.Add(new(
            ratio,
            (r, _) => r.NextInt64(-10_000_000_000, 10_000_000_000) / 1_000_000m,
            (row, v) => ratio.SetDecimal(row, (decimal)v!)));

        var b = new BoolColumn(new DataField<bool>("b"), capacity);
        cols.Add(new(b, (r, _) => r.Next(2) == 0, (row, v) => b.Set(row, (bool)v!)));

        var text = new TextColumn(new DataField<string>("text", false), capacity);
        cols.Add(new(text, (r, row) => r.Next(4) == 0 ? Words[r.Next(Words.Length)] : $"案例-{row}-{r.Next()}", (row, v) => text.Set(row, (string)v!)));

        var textOpt = new TextColumn(new DataField<string>("text_opt", true), capacity, minMax: false);
        cols.Add(new(textOpt, (r, _) => r.Next(3) == 0 ? null : Words[r.Next(Words.Length)] + r.Next(100), (row, v) => textOpt.Set(row, (string?)v)));

        // Random hex, as pseudonyms are: Snappy cannot shrink it enough, so the chunk is written UNCOMPRESSED.
        var hex = new TextColumn(new DataField<string>("hex", false), capacity, minMax: false);
        cols.Add(new(hex, (r, _) => $"{r.NextInt64():x16}{r.NextInt64():x16}", (row, v) => hex.Set(row, (string)v!)));

        var code = new DictionaryColumn<int>(new DataField<string>("code", false), capacity, k => Words[k]);
        cols.Add(new(code, (r, _) => Words[r.Next(Words.Length)], (row, v) => code.Set(row, Array.IndexOf(Words, (string)v!))));

        var codeOpt = new DictionaryColumn<int>(new DataField<string>("code_opt", true), capacity, k => k < 0 ? null : Words[k]);
        cols.Add(new(codeOpt, (r, _) => r.Next(4) == 0 ? null : Words[r.Next(3, 6)], (row, v) => codeOpt.Set(row, v is null ? -1 : Array.IndexOf(Words, (string)v))));

        // Keys past the dense range and far more distinct values than the bound: PLAIN fallback.
        var many = new DictionaryColumn<int>(new DataField<string>("many", true), capacity, k => "值" + k) { MaxDictionaryEntries = SmallDictionary };
        cols.Add(new(many, (r, _) => r.Next(10) == 0 ? null : "值" + r.Next(-3, 1_000_000), (row, v) => Many(many, row, (string?)v)));

        var constant = new DictionaryColumn<int>(new DataField<string>("constant", false), capacity, _ => "CHS-DRG 2.0 demo");
        cols.Add(new(constant, (_, _) => "CHS-DRG 2.0 demo", (row, _) => constant.Set(row, 0)));

        // Wide optional INT64 (DELTA_BINARY_PACKED over the present values only, differences past 32 bits).
        var lWide = new NumberColumn<long>(new DataField<long?>("l_wide_opt", true), capacity);
        cols.Add(new(lWide, (r, _) => r.Next(3) == 0 ? null : r.Next(4) == 0 ? r.NextInt64() : r.NextInt64(-1000, 1000), (row, v) => lWide.Set(row, (long?)v)));

        return cols;
    }

    private static void Many(DictionaryColumn<int> column, int row, string? v)
    {
        if (v is null)
        {
            column.SetNull(row);
        }
        else
        {
            column.Set(row, int.Parse(v.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static List<object?[]> RandomRows(int seed, int count, int width)
    {
        var rnd = new Random(seed);
        var template = Columns(1);
        var rows = new List<object?[]>(count);
        for (var r = 0; r < count; r++)
        {
            var row = new object?[width];
            for (var c = 0; c < width; c++)
            {
                row[c] = template[c].Next(rnd, r);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Writes <paramref name="rows"/> in row groups of <paramref name="groupSize"/>, reusing one set of columns (as a writer slot is) unless <paramref name="freshColumns"/>.</summary>
    private static byte[] Write(List<object?[]> rows, int groupSize, bool freshColumns = false, RowGroupEncoder? encoder = null)
    {
        var cols = Columns(groupSize);
        using var ms = new MemoryStream();
        var file = new ParquetFileWriter(ms, cols.ConvertAll(c => c.Buffer.Field));
        encoder ??= new RowGroupEncoder();
        for (var from = 0; from < rows.Count; from += groupSize)
        {
            if (freshColumns)
            {
                cols = Columns(groupSize);
            }

            var n = Math.Min(groupSize, rows.Count - from);
            foreach (var c in cols)
            {
                c.Buffer.Reset();
            }

            for (var r = 0; r < n; r++)
            {
                for (var c = 0; c < cols.Count; c++)
                {
                    cols[c].Set(r, rows[from + r][c]);
                }
            }

            encoder.Encode(cols.ConvertAll(c => c.Buffer), n);
            file.Append(encoder);
        }

        file.Finish();
        return ms.ToArray();
    }

    /// <summary>What a reader should see: decimals cut to the column's scale.</summary>
    private static object? Expected(string column, object? v) => column switch
    {
        "ratio" => decimal.Truncate((decimal)v! * 10_000m) / 10_000m,
        _ => v,
    };

    [Theory]
    [InlineData(1, 1, 10)]
    [InlineData(2, 11, 10)] // rowGroupSize + 1: a second row group of one row
    [InlineData(3, 500, 64)]
    [InlineData(4, 45_001, 45_000)] // pages split at 20,000 rows; the "many" column falls back to PLAIN
    public async Task Random_rows_read_back_equal_in_ParquetNet_and_DuckDB(int seed, int count, int groupSize)
    {
        var width = Columns(1).Count;
        var rows = RandomRows(seed, count, width);
        var bytes = Write(rows, groupSize);
        var names = Columns(1).ConvertAll(c => c.Buffer.Field.Name);

        // Parquet.Net
        using (var ms = new MemoryStream(bytes))
        {
            await using var reader = await ParquetReader.CreateAsync(ms, new ParquetOptions { UseDateOnlyTypeForDates = true });
            Assert.Equal((count + groupSize - 1) / groupSize, reader.RowGroupCount);
            var fields = reader.Schema.DataFields;
            Assert.Equal(names, fields.Select(f => f.Name));
            var at = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                var n = (int)rg.RowCount;
                for (var c = 0; c < fields.Length; c++)
                {
                    var values = await ReadColumnAsync(rg, fields[c], n);
                    for (var r = 0; r < n; r++)
                    {
                        var expected = Expected(names[c], rows[at + r][c]);
                        Assert.True(Equals(expected, values[r]), $"Parquet.Net row {at + r} column {names[c]}: expected {expected ?? "null"}, read {values[r] ?? "null"}");
                    }
                }

                at += n;
            }

            Assert.Equal(count, at);
        }

        // DuckDB
        var path = Path.Combine(TestPaths.NewTempDir("pq-enc"), "t.parquet");
        try
        {
            await File.WriteAllBytesAsync(path, bytes);
            var read = DuckDbQuery.Rows($"SELECT * FROM read_parquet('{path}')");
            Assert.Equal(count, read.Count);
            for (var r = 0; r < count; r++)
            {
                for (var c = 0; c < width; c++)
                {
                    var expected = Expected(names[c], rows[r][c]);
                    var actual = read[r][c] switch
                    {
                        DBNull => null,
                        DateTime dt => DateOnly.FromDateTime(dt),
                        var o => o,
                    };
                    Assert.True(Equals(expected, actual), $"DuckDB row {r} column {names[c]}: expected {expected ?? "null"}, read {actual ?? "null"}");
                }
            }

            // Statistics are written and right: DuckDB prunes on them, and reports them.
            var stats = DuckDbQuery.Rows($"SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('{path}') WHERE row_group_id = 0 AND path_in_schema IN ('i', 'code')");
            var first = rows.Take(Math.Min(count, groupSize)).ToList();
            var iRow = stats.Single(s => (string)s[0] == "i");
            Assert.Equal(2, names.IndexOf("i"));
            Assert.Equal(first.Min(x => (int)x[2]!).ToString(System.Globalization.CultureInfo.InvariantCulture), iRow[1]);
            Assert.Equal(first.Max(x => (int)x[2]!).ToString(System.Globalization.CultureInfo.InvariantCulture), iRow[2]);
            var codeRow = stats.Single(s => (string)s[0] == "code");
            var codes = first.Select(x => (string)x[names.IndexOf("code")]!).ToList();
            Assert.Equal(System.Text.Encoding.UTF8.GetString(codes.Select(System.Text.Encoding.UTF8.GetBytes).Min(ByteOrder.Instance)!), codeRow[1]);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(codes.Select(System.Text.Encoding.UTF8.GetBytes).Max(ByteOrder.Instance)!), codeRow[2]);
            Assert.Equal(0L, Convert.ToInt64(codeRow[3], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, true);
        }
    }

    [Fact]
    public async Task The_dictionary_falls_back_to_PLAIN_past_its_bound_and_not_before()
    {
        var width = Columns(1).Count;
        var rows = RandomRows(5, 300, width);
        var bytes = Write(rows, 300);
        using var ms = new MemoryStream(bytes);
        await using var reader = await ParquetReader.CreateAsync(ms);
        var columns = reader.Metadata!.RowGroups[0].Columns;
        string Encodings(string name) => string.Join(",", columns.Single(c => c.MetaData!.PathInSchema[0] == name).MetaData!.Encodings);
        Assert.Equal("PLAIN,RLE,RLE_DICTIONARY", Encodings("code"));
        Assert.Equal("PLAIN,RLE,RLE_DICTIONARY", Encodings("code_opt"));
        Assert.Equal("PLAIN,RLE", Encodings("many")); // 300 distinct values > 40
        Assert.Equal("PLAIN,RLE", Encodings("text"));
        Assert.Equal("PLAIN,RLE,RLE_DICTIONARY", Encodings("l_opt")); // integers within a small range
        Assert.Equal("PLAIN,RLE,RLE_DICTIONARY", Encodings("d_opt"));
        Assert.Equal("PLAIN,RLE", Encodings("weight"));
        Assert.Equal("PLAIN,RLE,DELTA_BINARY_PACKED", Encodings("seq")); // plain INT64 past a small dictionary: differences packed
        Assert.Equal("PLAIN,RLE,DELTA_BINARY_PACKED", Encodings("l"));
        Assert.Equal("PLAIN,RLE", Encodings("money")); // DECIMAL stays PLAIN: Parquet.Net 6.1 cannot read DELTA_BINARY_PACKED decimals
        Assert.NotNull(columns.Single(c => c.MetaData!.PathInSchema[0] == "code").MetaData!.DictionaryPageOffset);
        string Codec(string name) => columns.Single(c => c.MetaData!.PathInSchema[0] == name).MetaData!.Codec.ToString();
        Assert.Equal("UNCOMPRESSED", Codec("hex"));
        Assert.Equal("SNAPPY", Codec("text"));
        Assert.Equal("UNCOMPRESSED", Codec("constant")); // a one-entry dictionary and one RLE run: a few bytes Snappy cannot shrink
        Assert.Null(columns.Single(c => c.MetaData!.PathInSchema[0] == "many").MetaData!.DictionaryPageOffset);
    }

    [Fact]
    public void A_row_group_is_the_same_bytes_whatever_came_before_it()
    {
        var width = Columns(1).Count;
        var rows = RandomRows(6, 3_000, width);

        // One set of columns reused (its dictionaries remember earlier row groups) versus fresh columns per
        // row group, and one encoder versus a new one: the dictionaries are renumbered per chunk, so equal.
        var reused = Write(rows, 700);
        var fresh = Write(rows, 700, freshColumns: true);
        Assert.Equal(reused, fresh);

        var warm = new RowGroupEncoder();
        _ = Write(RandomRows(7, 5_000, width), 2_500, encoder: warm);
        Assert.Equal(reused, Write(rows, 700, encoder: warm));
    }

    [Fact]
    public async Task A_file_without_rows_has_the_schema_and_no_row_group()
    {
        var cols = Columns(4);
        using var ms = new MemoryStream();
        var file = new ParquetFileWriter(ms, cols.ConvertAll(c => c.Buffer.Field));
        file.Finish();
        ms.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(ms);
        Assert.Equal(0, reader.RowGroupCount);
        Assert.Equal(cols.ConvertAll(c => c.Buffer.Field.Name), reader.Schema.DataFields.Select(f => f.Name));
        Assert.StartsWith("Grouper ", reader.Metadata!.CreatedBy, StringComparison.Ordinal);
    }

    /// <summary>The cases.parquet schema as this encoder writes it equals Parquet.Net's for the same fields, column for column.</summary>
    [Fact]
    public async Task Schema_equals_what_ParquetNet_declares_for_every_cases_column()
    {
        var sample = TestPaths.SampleData;
        var hospitals = HospitalTable.Load(Path.Combine(sample, "hospitals.csv"));
        var drg = DrgCatalog.Load(Path.Combine(sample, "catalogs", "drg-demo"));
        var dip = DipCatalog.Load(Path.Combine(sample, "catalogs", "dip-demo"));
        List<DataField> Fields(bool pseudonymized)
        {
            ICaseColumnSet[] sets = [new IngestColumns(hospitals, 4, pseudonymized), new DrgColumns(drg, 4), new DipColumns(dip, 4), new SettlementColumns(4), new PaymentColumns(4)];
            return sets.SelectMany(s => s.Columns).Select(c => c.Field).ToList();
        }

        var ours = Fields(true);
        using var mine = new MemoryStream();
        new ParquetFileWriter(mine, ours).Finish();

        using var theirs = new MemoryStream();
        await using (var w = await ParquetWriter.CreateAsync(new ParquetSchema(Fields(true).Cast<Field>().ToArray()), theirs))
        {
        }

        mine.Position = 0;
        theirs.Position = 0;
        await using var a = await ParquetReader.CreateAsync(mine);
        await using var b = await ParquetReader.CreateAsync(theirs);
        var sa = a.Metadata!.Schema;
        var sb = b.Metadata!.Schema;
        Assert.Equal(ours.Count, sa.Count - 1);
        Assert.Equal(sb.Count, sa.Count);
        for (var i = 0; i < sa.Count; i++)
        {
            // Every SchemaElement field: name, physical type, type_length, repetition, converted
            // type, scale, precision, field id, logical type (with decimal precision/scale, int width).
            Assert.Equal(JsonSerializer.Serialize(sb[i]), JsonSerializer.Serialize(sa[i]));
        }

        Assert.Contains(sa, e => e.Name == "total_cost" && e.Type == Parquet.Meta.Type.INT64 && e.Precision == 18 && e.Scale == 2);
        Assert.Contains(sa, e => e.Name == "drg_weight" && e.Type == Parquet.Meta.Type.INT32 && e.RepetitionType == Parquet.Meta.FieldRepetitionType.OPTIONAL);
    }

    [Theory]
    [InlineData("1.239", 2, 123L)]
    [InlineData("-1.239", 2, -123L)]
    [InlineData("-0.00019", 4, -1L)]
    [InlineData("12", 4, 120_000L)]
    [InlineData("0.5", 0, 0L)]
    [InlineData("9999999999999999.99", 2, 999_999_999_999_999_999L)]
    [InlineData("-92233720368547758.08", 2, long.MinValue)]
    public void Decimals_are_cut_toward_zero_to_the_scale(string value, int scale, long expected) =>
        Assert.Equal(expected, Decimals.Unscaled(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), scale));

    [Fact]
    public void A_decimal_past_the_stored_integer_is_refused() =>
        Assert.Throws<OverflowException>(() => Decimals.Unscaled(92233720368547758.08m, 2));

    private static async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader rg, DataField f, int rows)
    {
        var t = f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var v = new string?[rows];
            await rg.ReadAsync(f, v.AsMemory(), null);
            return v;
        }

        return t switch
        {
            _ when t == typeof(int) => await Read<int>(rg, f, rows),
            _ when t == typeof(long) => await Read<long>(rg, f, rows),
            _ when t == typeof(bool) => await Read<bool>(rg, f, rows),
            _ when t == typeof(decimal) => await Read<decimal>(rg, f, rows),
            _ when t == typeof(DateOnly) => await Read<DateOnly>(rg, f, rows),
            _ => throw new NotSupportedException(t.ToString()),
        };
    }

    private static async Task<object?[]> Read<T>(ParquetRowGroupReader rg, DataField f, int rows)
        where T : struct
    {
        var n = new T?[rows];
        if (f.IsNullable)
        {
            await rg.ReadAsync<T>(f, n.AsMemory(), null);
        }
        else
        {
            var v = new T[rows];
            await rg.ReadAsync<T>(f, v.AsMemory(), null);
            for (var i = 0; i < rows; i++)
            {
                n[i] = v[i];
            }
        }

        return n.Select(x => (object?)x).ToArray();
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
