using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Grouper.Core;
using Grouper.Ingest.Internals;
using Grouper.Internals;

namespace Grouper.Ingest;

/// <summary>Options of record validation.</summary>
public sealed record ValidationOptions
{
    /// <summary>LINE_TOO_LONG limit in bytes (*Assumption* of records.md: 64 KiB).</summary>
    public int MaxRecordBytes { get; init; } = 64 * 1024;

    /// <summary>TOO_MANY_CODES limit per list.</summary>
    public int MaxCodesPerList { get; init; } = 40;

    /// <summary>The insured pooling region of the run (e.g. 350900), for LOCATION_MISMATCH; null skips that warning.</summary>
    public string? InsuredRegion { get; init; }

    /// <summary>Keyed hash for person ids; null when identifiers are kept (internal keys then use an unkeyed hash).</summary>
    public Grouper.Privacy.Pseudonymizer? Pseudonymizer { get; init; }
}

/// <summary>
/// Splits one CSV record of discharges.csv into fields, validates it in the order of records.md and
/// either appends it to a <see cref="DischargeBatch"/> or returns a <see cref="Reject"/>. Single
/// threaded: it owns the run's duplicate-case set. Accepted records allocate nothing.
/// </summary>
public sealed class DischargeRecordParser
{
    private static readonly Code VentCode = Code.Parse("96.7201");

    // The required columns in table order (MISSING_FIELD names the first empty one).
    private static readonly int[] RequiredColumns = BuildRequired();

    // Bit c set for each required column c.
    private static readonly uint RequiredBits = BuildRequiredBits();

    private readonly int _fieldCount;
    private readonly int[] _columnOfField;
    private readonly HospitalTable _hospitals;
    private readonly ValidationOptions _options;
    private readonly int[] _fieldStart;
    private readonly int[] _fieldLength;
    private readonly int[] _colStart = new int[DischargeColumns.Count];
    private readonly int[] _colLength = new int[DischargeColumns.Count];
    private uint _present; // bit c: column c of the current record is not empty
    private readonly Code[] _secondary = new Code[256];
    private readonly Code[] _procs = new Code[256];
    private byte[] _unquoted = new byte[1024];
    private bool _deferKeys;
    private int[] _keyStart = [];
    private int[] _keyLength = [];
    private UInt128[] _keys = [];
    private readonly string? _insuredProvince;

    // The care location each hospital implies for the run's insured region, worked out once: the
    // region arithmetic builds strings, and this check runs for every record.
    private readonly CareLocation[] _expectedLocation;

    /// <summary>
    /// Whether records are split with 256-bit vectors; tests turn it off to run the scalar splitter
    /// on hardware that has them.
    /// </summary>
    internal static bool UseVectors { get; set; } = Vector256.IsHardwareAccelerated;

    public DischargeRecordParser(IReadOnlyList<string> header, HospitalTable hospitals, ValidationOptions? options = null)
    {
        _fieldCount = header.Count;
        _columnOfField = new int[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            _columnOfField[i] = Array.IndexOf(DischargeColumns.Names, header[i]);
        }

        _hospitals = hospitals;
        _options = options ?? new ValidationOptions();
        _fieldStart = new int[_fieldCount + 1];
        _fieldLength = new int[_fieldCount + 1];
        _insuredProvince = _options.InsuredRegion is { Length: 6 } r ? r[..2] : null;
        _expectedLocation = new CareLocation[hospitals.Count];
        for (var i = 0; i < hospitals.Count && _options.InsuredRegion is { } region; i++)
        {
            _expectedLocation[i] = ExpectedLocation(hospitals[i], region);
        }
    }

    /// <summary>
    /// Parses every record of a raw batch into <paramref name="batch"/> (accepted records, and rejects
    /// in line order). Duplicate case ids are not checked here: that needs the run's order
    /// (<see cref="CaseDeduplicator"/>). Thread-safe across instances; one instance per thread.
    /// </summary>
    public void ParseAll(RawBatch raw, DischargeBatch batch)
    {
        // Person keys are computed for the whole batch at the end: the keyed hash runs many ids at
        // once in vector lanes, several times cheaper than one id at a time.
        var first = batch.Count;
        _deferKeys = _options.Pseudonymizer is not null;
        try
        {
            ParseRecords(raw, batch);
        }
        finally
        {
            _deferKeys = false;
        }

        if (_options.Pseudonymizer is { } pseudonymizer && batch.Count > first)
        {
            ComputeKeys(pseudonymizer, batch, first);
        }
    }

    private void ComputeKeys(Grouper.Privacy.Pseudonymizer pseudonymizer, DischargeBatch batch, int first)
    {
        var n = batch.Count - first;
        if (_keyStart.Length < n)
        {
            _keyStart = new int[n];
            _keyLength = new int[n];
            _keys = new UInt128[n];
        }

        for (var i = 0; i < n; i++)
        {
            var id = batch.Records[first + i].PersonId;
            _keyStart[i] = id.Offset;
            _keyLength[i] = id.Length;
        }

        pseudonymizer.ComputeMany(batch.Text, _keyStart.AsSpan(0, n), _keyLength.AsSpan(0, n), _keys.AsSpan(0, n));
        for (var i = 0; i < n; i++)
        {
            batch.Records[first + i].PersonKey = _keys[i];
        }
    }

    private void ParseRecords(RawBatch raw, DischargeBatch batch)
    {
        for (var i = 0; i < raw.Count; i++)
        {
            Reject? reject;
            if (raw.Length[i] == RawBatch.TooLong)
            {
                reject = new Reject(raw.Line[i], string.Empty, RejectReason.LineTooLong, string.Empty,
                    $"the record is longer than {_options.MaxRecordBytes:N0} bytes");
            }
            else
            {
                reject = Parse(raw.Record(i), raw.Line[i], batch);
            }

            if (reject is not null)
            {
                batch.Rejects.Add(reject);
            }
        }
    }

    /// <summary>
    /// Parses and validates one record (without its line terminator). Returns null when the record
    /// was appended to <paramref name="batch"/>, otherwise the reject.
    /// </summary>
    public Reject? Parse(ReadOnlySpan<byte> record, long line, DischargeBatch batch)
    {
        if (record.Length > _options.MaxRecordBytes)
        {
            return new Reject(line, string.Empty, RejectReason.LineTooLong, string.Empty,
                $"the record is longer than {_options.MaxRecordBytes:N0} bytes");
        }

        ReadOnlySpan<byte> data = record;
        _present = 0;
        var n = UseVectors && record.Length >= Vector256<byte>.Count ? SplitVector(record) : SplitScalar(record);
        if (n < 0)
        {
            // The record holds a quote: RFC 4180 slow path.
            if (!Unquote(record, out var unquotedLength, out var quoteError))
            {
                return new Reject(line, string.Empty, RejectReason.FieldCount, string.Empty, quoteError);
            }

            data = _unquoted.AsSpan(0, unquotedLength);
            for (var f = 0; f < _fieldCount; f++)
            {
                Emit(data, f, _fieldStart[f], _fieldStart[f] + _fieldLength[f]);
            }
        }
        else if (n != _fieldCount)
        {
            return FieldCountReject(line, n);
        }

        return Validate(data, line, batch);
    }

    private Reject FieldCountReject(long line, int n) =>
        new(line, string.Empty, RejectReason.FieldCount, string.Empty, $"the line has {n} fields; the header has {_fieldCount}");

    private ReadOnlySpan<byte> Col(ReadOnlySpan<byte> data, DischargeColumn c) => data.Slice(_colStart[(int)c], _colLength[(int)c]);

    /// <summary>
    /// Records field <paramref name="f"/> (bytes start..end of <paramref name="data"/>) as its
    /// column's value, trimmed of surrounding spaces and tabs (empty means absent). Fields past the
    /// header's count are only counted by the caller (FIELD_COUNT).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Emit(ReadOnlySpan<byte> data, int f, int start, int end)
    {
        if ((uint)f < (uint)_fieldCount)
        {
            // f < _fieldCount = _columnOfField.Length, and a column index is below DischargeColumns.Count.
            var c = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columnOfField), f);
            if (c >= 0)
            {
                // Blanks are rare: one test of the first and last byte (both above ' ' in the common case).
                ref var d0 = ref MemoryMarshal.GetReference(data);
                if (start < end && (Unsafe.Add(ref d0, start) <= (byte)' ' || Unsafe.Add(ref d0, end - 1) <= (byte)' '))
                {
                    Trim(data, ref start, ref end);
                }

                Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_colStart), c) = start;
                Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_colLength), c) = end - start;

                // Non-empty columns as bits, for MISSING_FIELD without reading the lengths back.
                _present |= ((uint)(start - end) >> 31) << c;
            }
        }
    }

    private static void Trim(ReadOnlySpan<byte> data, ref int start, ref int end)
    {
        while (start < end && data[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        while (end > start && data[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }
    }

    /// <summary>Splits an unquoted record at its commas one byte at a time; returns the field count, or −1 when the record holds a quote.</summary>
    private int SplitScalar(ReadOnlySpan<byte> record)
    {
        var f = 0;
        var start = 0;
        for (var i = 0; i < record.Length; i++)
        {
            var b = record[i];
            if (b == (byte)',')
            {
                Emit(record, f++, start, i);
                start = i + 1;
            }
            else if (b == (byte)'"')
            {
                return -1;
            }
        }

        Emit(record, f, start, record.Length);
        return f + 1;
    }

    /// <summary>
    /// As <see cref="SplitScalar"/> for a record of at least 32 bytes: one comparison per 32 bytes
    /// gives a bit mask of the commas (and whether there is a quote), then each set bit is a field
    /// end. The last partial block is read as the record's final 32 bytes with the bits already
    /// seen shifted out.
    /// </summary>
    private int SplitVector(ReadOnlySpan<byte> record)
    {
        ref var r0 = ref MemoryMarshal.GetReference(record);
        var comma = Vector256.Create((byte)',');
        var quote = Vector256.Create((byte)'"');
        var length = record.Length;
        var f = 0;
        var start = 0;
        var i = 0;
        for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
        {
            var v = Vector256.LoadUnsafe(ref r0, (nuint)i);
            if (Vector256.EqualsAny(v, quote))
            {
                return -1;
            }

            var mask = Vector256.Equals(v, comma).ExtractMostSignificantBits();
            while (mask != 0)
            {
                var end = i + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Emit(record, f++, start, end);
                start = end + 1;
            }
        }

        if (i < length)
        {
            var offset = length - Vector256<byte>.Count;
            var shift = i - offset; // 1..31: bytes offset..i-1 were already scanned
            var v = Vector256.LoadUnsafe(ref r0, (nuint)offset);
            if ((Vector256.Equals(v, quote).ExtractMostSignificantBits() >> shift) != 0)
            {
                return -1;
            }

            var mask = Vector256.Equals(v, comma).ExtractMostSignificantBits() >> shift;
            while (mask != 0)
            {
                var end = i + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Emit(record, f++, start, end);
                start = end + 1;
            }
        }

        Emit(record, f, start, length);
        return f + 1;
    }

    /// <summary>RFC 4180 slow path: copies the record with quotes removed into a scratch buffer, recording field bounds.</summary>
    private bool Unquote(ReadOnlySpan<byte> record, out int length, out string error)
    {
        if (_unquoted.Length < record.Length)
        {
            _unquoted = new byte[Math.Max(record.Length, _unquoted.Length * 2)];
        }

        var o = 0;
        var n = 0;
        var i = 0;
        error = string.Empty;
        length = 0;
        while (true)
        {
            if (n >= _fieldStart.Length)
            {
                n++;
                // Count the rest only for the message.
                break;
            }

            _fieldStart[n] = o;
            if (i < record.Length && record[i] == (byte)'"')
            {
                i++;
                while (true)
                {
                    if (i >= record.Length)
                    {
                        error = $"field {n + 1} opens a quote that is never closed";
                        return false;
                    }

                    if (record[i] == (byte)'"')
                    {
                        if (i + 1 < record.Length && record[i + 1] == (byte)'"')
                        {
                            _unquoted[o++] = (byte)'"';
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    _unquoted[o++] = record[i++];
                }

                if (i < record.Length && record[i] != (byte)',')
                {
                    error = $"field {n + 1} has characters after its closing quote";
                    return false;
                }
            }
            else
            {
                while (i < record.Length && record[i] != (byte)',')
                {
                    _unquoted[o++] = record[i++];
                }
            }

            _fieldLength[n] = o - _fieldStart[n];
            n++;
            if (i >= record.Length)
            {
                break;
            }

            i++; // the comma
            if (i == record.Length)
            {
                // Trailing comma: one more, empty field.
                if (n < _fieldStart.Length)
                {
                    _fieldStart[n] = o;
                    _fieldLength[n] = 0;
                }

                n++;
                break;
            }
        }

        if (n != _fieldCount)
        {
            error = n > _fieldCount ? $"the line has more fields than the header's {_fieldCount}" : $"the line has {n} fields; the header has {_fieldCount}";
            return false;
        }

        length = o;
        return true;
    }

    private Reject Fail(long line, string caseId, RejectReason reason, DischargeColumn column, string message) =>
        new(line, caseId, reason, DischargeColumns.Name(column), message);

    private Reject? Validate(ReadOnlySpan<byte> d, long line, DischargeBatch batch)
    {
        // 3 MISSING_FIELD, columns in table order (the bit test only skips the search when none is empty).
        if ((_present & RequiredBits) != RequiredBits)
        {
            foreach (var c in RequiredColumns)
            {
                if (_colLength[c] == 0)
                {
                    return Fail(line, SafeCaseId(d), RejectReason.MissingField, (DischargeColumn)c,
                        $"required value {DischargeColumns.Names[c]} is empty");
                }
            }
        }

        // 4 BAD_TEXT.
        if (!CheckText(d, DischargeColumn.CaseId, 64, out var msg)
            || !CheckText(d, DischargeColumn.HospitalId, 32, out msg)
            || !CheckText(d, DischargeColumn.PersonId, 64, out msg))
        {
            var failed = !CheckText(d, DischargeColumn.CaseId, 64, out _) ? DischargeColumn.CaseId
                : !CheckText(d, DischargeColumn.HospitalId, 32, out _) ? DischargeColumn.HospitalId : DischargeColumn.PersonId;
            return Fail(line, failed == DischargeColumn.CaseId ? string.Empty : CaseIdString(d), RejectReason.BadText, failed, msg);
        }

        var caseId = Col(d, DischargeColumn.CaseId);

        // 5 BAD_DATE.
        if (!FastLexical.TryParseDate(Col(d, DischargeColumn.AdmitDate), out var admit))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadDate, DischargeColumn.AdmitDate, "admit_date is not a real date in the form yyyy-MM-dd (e.g. 2024-03-01)");
        }

        if (!FastLexical.TryParseDate(Col(d, DischargeColumn.DischargeDate), out var discharge))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadDate, DischargeColumn.DischargeDate, "discharge_date is not a real date in the form yyyy-MM-dd (e.g. 2024-03-01)");
        }

        // 6 BAD_NUMBER, table order.
        if (!Utf8Lexical.TryParseInt(Col(d, DischargeColumn.AgeYears), 0, 150, out var ageYears))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.AgeYears, "age_years must be a whole number from 0 to 150");
        }

        var ageDays = -1;
        if (_colLength[(int)DischargeColumn.AgeDays] > 0 && !Utf8Lexical.TryParseInt(Col(d, DischargeColumn.AgeDays), 0, 365, out ageDays))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.AgeDays, "age_days must be a whole number from 0 to 365");
        }

        var birthWeight = -1;
        if (_colLength[(int)DischargeColumn.BirthWeightG] > 0 && !Utf8Lexical.TryParseInt(Col(d, DischargeColumn.BirthWeightG), 100, 9999, out birthWeight))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.BirthWeightG, "birth_weight_g must be a whole number of grams from 100 to 9999");
        }

        var admitWeight = -1;
        if (_colLength[(int)DischargeColumn.AdmitWeightG] > 0 && !Utf8Lexical.TryParseInt(Col(d, DischargeColumn.AdmitWeightG), 100, 99999, out admitWeight))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.AdmitWeightG, "admit_weight_g must be a whole number of grams from 100 to 99999");
        }

        var vent = 0;
        if (_colLength[(int)DischargeColumn.VentHours] > 0 && !Utf8Lexical.TryParseInt(Col(d, DischargeColumn.VentHours), 0, 99999, out vent))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.VentHours, "vent_hours must be a whole number from 0 to 99999");
        }

        if (!Money(d, DischargeColumn.TotalCost, out var total, out var moneyReject, line)
            || !Money(d, DischargeColumn.PolicyCost, out var policy, out moneyReject, line)
            || !Money(d, DischargeColumn.FullSelfPay, out var full, out moneyReject, line)
            || !Money(d, DischargeColumn.PartialSelfPay, out var partial, out moneyReject, line))
        {
            return moneyReject;
        }

        // 7 BAD_CODE, table order: insurance_type, assistance_class, sex, discharge_mode, care_location, referral_status.
        var ins = Col(d, DischargeColumn.InsuranceType);
        InsuranceType insurance;
        if (ins.SequenceEqual("310"u8))
        {
            insurance = InsuranceType.Employee;
        }
        else if (ins.SequenceEqual("390"u8))
        {
            insurance = InsuranceType.Resident;
        }
        else
        {
            return Fail(line, CaseIdString(d), RejectReason.BadCode, DischargeColumn.InsuranceType, "insurance_type must be 310 (employee) or 390 (resident)");
        }

        if (!CodeNames.TryParseAssistance(Col(d, DischargeColumn.AssistanceClass), out var assistance))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadCode, DischargeColumn.AssistanceClass, "assistance_class must be empty or one of tekun, orphan, dibao, fanpin, dibao_edge, yifanpin, yinbing");
        }

        var sexField = Col(d, DischargeColumn.Sex);
        if (sexField.Length != 1 || sexField[0] is not ((byte)'1' or (byte)'2' or (byte)'9'))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadCode, DischargeColumn.Sex, "sex must be 1 (male), 2 (female) or 9 (not stated)");
        }

        var sex = (Sex)(sexField[0] - '0');
        var modeField = Col(d, DischargeColumn.DischargeMode);
        if (modeField.Length != 1 || modeField[0] is not ((byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'9'))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadCode, DischargeColumn.DischargeMode, "discharge_mode must be one of 1, 2, 3, 4, 5, 9");
        }

        var mode = (DischargeMode)(modeField[0] - '0');
        if (!CodeNames.TryParseCareLocation(Col(d, DischargeColumn.CareLocation), out var care))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadCode, DischargeColumn.CareLocation, "care_location must be local, out_of_city or out_of_province");
        }

        if (!CodeNames.TryParseReferral(Col(d, DischargeColumn.ReferralStatus), out var referral))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadCode, DischargeColumn.ReferralStatus, "referral_status must be empty or one of none, registered, unregistered, emergency, resident");
        }

        // 8 BAD_DX.
        var pdxText = Col(d, DischargeColumn.PrincipalDx);
        var pdxSimple = FastLexical.TrySimpleCode(pdxText, FastLexical.DxForm, 3, out var pdxPacked);
        if (!pdxSimple && !Utf8Lexical.IsDx(pdxText))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadDx, DischargeColumn.PrincipalDx, "principal_dx is not an ICD-10 code in the 医保版 2.0 form (e.g. K35.800x001)");
        }

        var secondaryRaw = ParseList(Col(d, DischargeColumn.SecondaryDx), isDx: true, _secondary, out var secondaryBad);
        if (secondaryBad)
        {
            return Fail(line, CaseIdString(d), RejectReason.BadDx, DischargeColumn.SecondaryDx, "secondary_dx holds a code that is not an ICD-10 code in the 医保版 2.0 form; separate codes with ';'");
        }

        // 9 BAD_PROC.
        var pprocText = Col(d, DischargeColumn.PrincipalProc);
        var pprocSimple = FastLexical.TrySimpleCode(pprocText, FastLexical.ProcForm, 2, out var pprocPacked);
        if (!pprocText.IsEmpty && !pprocSimple && !Utf8Lexical.IsProc(pprocText))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadProc, DischargeColumn.PrincipalProc, "principal_proc is not an ICD-9-CM-3 code in the 医保版 2.0 form (e.g. 47.0900x001)");
        }

        var procsRaw = ParseList(Col(d, DischargeColumn.OtherProcs), isDx: false, _procs, out var procsBad);
        if (procsBad)
        {
            return Fail(line, CaseIdString(d), RejectReason.BadProc, DischargeColumn.OtherProcs, "other_procs holds a code that is not an ICD-9-CM-3 code in the 医保版 2.0 form; separate codes with ';'");
        }

        // 10 TOO_MANY_CODES (items as sent, before duplicates are merged).
        if (secondaryRaw > _options.MaxCodesPerList)
        {
            return Fail(line, CaseIdString(d), RejectReason.TooManyCodes, DischargeColumn.SecondaryDx, $"secondary_dx lists {secondaryRaw} codes; at most {_options.MaxCodesPerList} are allowed");
        }

        if (procsRaw > _options.MaxCodesPerList)
        {
            return Fail(line, CaseIdString(d), RejectReason.TooManyCodes, DischargeColumn.OtherProcs, $"other_procs lists {procsRaw} codes; at most {_options.MaxCodesPerList} are allowed");
        }

        // 11 DATE_ORDER.
        if (discharge < admit)
        {
            return Fail(line, CaseIdString(d), RejectReason.DateOrder, DischargeColumn.DischargeDate, "discharge_date is before admit_date");
        }

        // 12 COST_SPLIT.
        if (policy > total)
        {
            return Fail(line, CaseIdString(d), RejectReason.CostSplit, DischargeColumn.PolicyCost, "policy_cost is larger than total_cost");
        }

        if (policy + full + partial > total + 1)
        {
            return Fail(line, CaseIdString(d), RejectReason.CostSplit, DischargeColumn.FullSelfPay, "policy_cost + full_self_pay + partial_self_pay exceed total_cost by more than 0.01");
        }

        // 13 NEWBORN_FIELDS.
        if (ageYears == 0 && ageDays < 0)
        {
            return Fail(line, CaseIdString(d), RejectReason.NewbornFields, DischargeColumn.AgeDays, "age_days is required when age_years is 0");
        }

        if (ageYears == 0 && ageDays < 29 && birthWeight < 0)
        {
            return Fail(line, CaseIdString(d), RejectReason.NewbornFields, DischargeColumn.BirthWeightG, "birth_weight_g is required for a newborn under 29 days");
        }

        // 14 UNKNOWN_HOSPITAL.
        var hospitalIndex = _hospitals.Find(Col(d, DischargeColumn.HospitalId));
        if (hospitalIndex < 0)
        {
            return Fail(line, CaseIdString(d), RejectReason.UnknownHospital, DischargeColumn.HospitalId, "hospital_id is not in hospitals.csv");
        }

        // 15 DUPLICATE_CASE is checked in input order by CaseDeduplicator.

        // Accepted: normalise and append.
        ref var r = ref batch.Records[batch.Count];
        r = default;
        r.Line = line;
        r.CaseId = batch.AddText(caseId);
        r.HospitalId = batch.AddText(Col(d, DischargeColumn.HospitalId));
        r.PersonId = batch.AddText(Col(d, DischargeColumn.PersonId));
        r.PersonKey = _options.Pseudonymizer is not { } pseudonymizer ? Grouper.Privacy.Pseudonymizer.Unkeyed(Col(d, DischargeColumn.PersonId))
            : _deferKeys ? default // ParseAll computes the batch's keys together
            : pseudonymizer.Compute(Col(d, DischargeColumn.PersonId));
        r.HospitalIndex = hospitalIndex;
        r.InsuranceType = insurance;
        r.AssistanceClass = assistance;
        r.AdmitDate = admit;
        r.DischargeDate = discharge;
        r.LengthOfStay = Math.Max(1, discharge.DayNumber - admit.DayNumber);
        r.Sex = sex;
        r.DischargeMode = mode;
        r.CareLocation = care;
        r.ReferralStatus = referral;
        r.AgeYears = (short)ageYears;
        r.AgeDays = (short)ageDays;
        r.BirthWeightGrams = birthWeight;
        r.AdmitWeightGrams = admitWeight;
        r.VentHours = vent;
        r.TotalCostFen = total;
        r.PolicyCostFen = policy;
        r.FullSelfPayFen = full;
        r.PartialSelfPayFen = partial;

        var warnings = RecordWarnings.None;
        if (ageYears >= 1 && ageDays >= 0)
        {
            warnings |= RecordWarnings.AgeDaysIgnored;
            r.AgeDays = -1;
        }

        // A code too long to pack is interned only now, as before (the overflow ids follow that order).
        var pdx = pdxSimple ? pdxPacked : Code.FromUtf8(pdxText);
        r.PrincipalDx = pdx;

        // Secondary list: keep the first of duplicates, drop the principal if repeated.
        var secStart = batch.ReserveCodes(Math.Min(secondaryRaw, 255));
        var secCount = 0;
        ulong seen = 0; // one bit per code hash: a clear bit means no earlier equal code, without the search
        for (var i = 0; i < secondaryRaw; i++)
        {
            var code = _secondary[i];
            if (code == pdx)
            {
                warnings |= RecordWarnings.PdxRepeated;
                continue;
            }

            var bit = HashBit(code);
            if ((seen & bit) != 0 && Contains(batch.Codes.AsSpan(secStart, secCount), code))
            {
                warnings |= RecordWarnings.DuplicateCode;
                continue;
            }

            seen |= bit;

            batch.Codes[secStart + secCount++] = code;
        }

        batch.CodeCount = secStart + secCount;
        r.SecondaryDxStart = secStart;
        r.SecondaryDxCount = (byte)secCount;

        var pproc = pprocText.IsEmpty ? Code.Empty : pprocSimple ? pprocPacked : Code.FromUtf8(pprocText);
        var procStart = batch.ReserveCodes(Math.Min(procsRaw, 255));
        var procCount = 0;
        seen = 0;
        for (var i = 0; i < procsRaw; i++)
        {
            var code = _procs[i];
            var bit = HashBit(code);
            if ((seen & bit) != 0 && Contains(batch.Codes.AsSpan(procStart, procCount), code))
            {
                warnings |= RecordWarnings.DuplicateCode;
                continue;
            }

            seen |= bit;

            batch.Codes[procStart + procCount++] = code;
        }

        if (pproc.IsEmpty && procCount > 0)
        {
            // PROC_PROMOTED: the first other procedure becomes the principal.
            pproc = batch.Codes[procStart];
            batch.Codes.AsSpan(procStart + 1, procCount - 1).CopyTo(batch.Codes.AsSpan(procStart));
            procCount--;
            warnings |= RecordWarnings.ProcPromoted;
        }

        batch.CodeCount = procStart + procCount;
        r.PrincipalProc = pproc;
        r.OtherProcsStart = procStart;
        r.OtherProcsCount = (byte)procCount;

        var hasVentCode = pproc == VentCode || Contains(batch.Codes.AsSpan(procStart, procCount), VentCode);
        if ((vent >= 96) != hasVentCode)
        {
            warnings |= RecordWarnings.VentCodeMismatch;
        }

        if (vent > 24 * (r.LengthOfStay + 1))
        {
            warnings |= RecordWarnings.VentExceedsStay;
        }

        if (care == CareLocation.Local && referral is ReferralStatus.Registered or ReferralStatus.Unregistered)
        {
            warnings |= RecordWarnings.ReferralIgnored;
        }

        if (_options.InsuredRegion is not null && _expectedLocation[hospitalIndex] != care)
        {
            warnings |= RecordWarnings.LocationMismatch;
        }

        r.Warnings = warnings;
        batch.Count++;
        return null;
    }

    private static uint BuildRequiredBits()
    {
        var bits = 0u;
        for (var c = 0; c < DischargeColumns.Count; c++)
        {
            bits |= DischargeColumns.Required[c] ? 1u << c : 0u;
        }

        return bits;
    }

    private static int[] BuildRequired()
    {
        var n = 0;
        foreach (var r in DischargeColumns.Required)
        {
            n += r ? 1 : 0;
        }

        var list = new int[n];
        n = 0;
        for (var c = 0; c < DischargeColumns.Count; c++)
        {
            if (DischargeColumns.Required[c])
            {
                list[n++] = c;
            }
        }

        return list;
    }

    private CareLocation ExpectedLocation(Hospital h, string insuredRegion)
    {
        if (string.Equals(h.PoolingRegion, insuredRegion, StringComparison.Ordinal))
        {
            return CareLocation.Local;
        }

        return _insuredProvince is not null && h.RegionCode.StartsWith(_insuredProvince, StringComparison.Ordinal)
            ? CareLocation.OutOfCity
            : CareLocation.OutOfProvince;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HashBit(Code code) => 1UL << (int)((((ulong)code.Value ^ (ulong)(code.Value >> 64)) * 0x9E3779B97F4A7C15UL) >> 58);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Contains(ReadOnlySpan<Code> codes, Code code)
    {
        foreach (var c in codes)
        {
            if (c == code)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Splits a ';' list, trims items, skips empty ones, checks the form; returns the item count.</summary>
    private static int ParseList(ReadOnlySpan<byte> list, bool isDx, Code[] into, out bool bad)
    {
        bad = false;
        var form = isDx ? FastLexical.DxForm : FastLexical.ProcForm;
        var minLength = isDx ? 3 : 2;
        var n = 0;
        var i = 0;
        while (i < list.Length)
        {
            var start = i;
            var packed = FastLexical.ScanSimpleCode(list, start, form, minLength, (byte)';', out i);
            var code = new Code(packed);
            var item = list[start..i];
            i++; // the ';'
            if (item.IsEmpty)
            {
                continue;
            }

            if (packed == UInt128.Zero)
            {
                // Blanks, a dagger-asterisk pair, a long or a bad code: the general checks.
                item = Utf8Lexical.Trim(item);
                if (item.IsEmpty)
                {
                    continue;
                }

                if (isDx ? !Utf8Lexical.IsDx(item) : !Utf8Lexical.IsProc(item))
                {
                    bad = true;
                    return n;
                }

                // Packed only when kept, as before: a long code is interned in the overflow table.
                code = n < into.Length ? Code.FromUtf8(item) : default;
            }

            if (n < into.Length)
            {
                into[n] = code;
            }

            n++;
        }

        return n;
    }

    private bool Money(ReadOnlySpan<byte> d, DischargeColumn c, out long fen, out Reject? reject, long line)
    {
        reject = null;
        fen = 0;
        if (_colLength[(int)c] == 0)
        {
            return true; // optional money absent = 0 (required ones were checked by MISSING_FIELD)
        }

        if (FastLexical.TryParseMoney(Col(d, c), out fen))
        {
            return true;
        }

        reject = Fail(line, CaseIdString(d), RejectReason.BadNumber, c,
            $"{DischargeColumns.Name(c)} must be an amount in yuan such as 1234.50 (no sign, at most 2 decimals, at most 9 digits before the point)");
        return false;
    }

    private bool CheckText(ReadOnlySpan<byte> d, DischargeColumn c, int max, out string message)
    {
        message = string.Empty;
        if (FastLexical.IsCleanText(Col(d, c), max, out var tooLong))
        {
            return true;
        }

        message = tooLong
            ? $"{DischargeColumns.Name(c)} is longer than {max} characters"
            : $"{DischargeColumns.Name(c)} contains control characters or is not valid UTF-8";
        return false;
    }

    private string CaseIdString(ReadOnlySpan<byte> d) => System.Text.Encoding.UTF8.GetString(Col(d, DischargeColumn.CaseId));

    private string SafeCaseId(ReadOnlySpan<byte> d) =>
        Utf8Lexical.IsCleanText(Col(d, DischargeColumn.CaseId), 64, out _) ? CaseIdString(d) : string.Empty;
}
