// A frozen copy of DischargeRecordParser as it was before the fast parser (commit 3f50b23), with
// the lexical helpers and the hospital lookup it used: the oracle of the differential tests and
// the baseline of bench/Grouper.Benchmarks/ParseBenchmarks. Do not optimise it.
using Grouper.Core;
using Grouper.Ingest;

namespace Grouper.Tests.Ingest;

/// <summary>
/// Splits one CSV record of discharges.csv into fields, validates it in the order of records.md and
/// either appends it to a <see cref="DischargeBatch"/> or returns a <see cref="Reject"/>. Single
/// threaded: it owns the run's duplicate-case set. Accepted records allocate nothing.
/// </summary>
internal sealed class ReferenceDischargeRecordParser
{
    private static readonly Code VentCode = Code.Parse("96.7201");

    private readonly int _fieldCount;
    private readonly int[] _columnOfField;
    private readonly HospitalTable _hospitals;
    private readonly ReferenceHospitalIds _hospitalIds;
    private readonly ValidationOptions _options;
    private readonly int[] _fieldStart;
    private readonly int[] _fieldLength;
    private readonly int[] _colStart = new int[DischargeColumns.Count];
    private readonly int[] _colLength = new int[DischargeColumns.Count];
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

    public ReferenceDischargeRecordParser(IReadOnlyList<string> header, HospitalTable hospitals, ValidationOptions? options = null)
    {
        _fieldCount = header.Count;
        _columnOfField = new int[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            _columnOfField[i] = Array.IndexOf(DischargeColumns.Names, header[i]);
        }

        _hospitals = hospitals;
        _hospitalIds = new ReferenceHospitalIds(hospitals);
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
        if (record.IndexOf((byte)'"') >= 0)
        {
            if (!Unquote(record, out var unquotedLength, out var quoteError))
            {
                return new Reject(line, string.Empty, RejectReason.FieldCount, string.Empty, quoteError);
            }

            data = _unquoted.AsSpan(0, unquotedLength);
        }
        else
        {
            var n = SplitPlain(record);
            if (n != _fieldCount)
            {
                return FieldCountReject(line, n);
            }
        }

        for (var f = 0; f < _fieldCount; f++)
        {
            var c = _columnOfField[f];
            if (c >= 0)
            {
                // Values are trimmed of surrounding spaces; empty means absent.
                var start = _fieldStart[f];
                var end = start + _fieldLength[f];
                while (start < end && data[start] is (byte)' ' or (byte)'\t')
                {
                    start++;
                }

                while (end > start && data[end - 1] is (byte)' ' or (byte)'\t')
                {
                    end--;
                }

                _colStart[c] = start;
                _colLength[c] = end - start;
            }
        }

        return Validate(data, line, batch);
    }

    private Reject FieldCountReject(long line, int n) =>
        new(line, string.Empty, RejectReason.FieldCount, string.Empty, $"the line has {n} fields; the header has {_fieldCount}");

    private ReadOnlySpan<byte> Col(ReadOnlySpan<byte> data, DischargeColumn c) => data.Slice(_colStart[(int)c], _colLength[(int)c]);

    private int SplitPlain(ReadOnlySpan<byte> record)
    {
        var n = 0;
        var start = 0;
        while (true)
        {
            var comma = record[start..].IndexOf((byte)',');
            if (n > _fieldCount)
            {
                return n + 1 + record[start..].Count((byte)',');
            }

            if (comma < 0)
            {
                _fieldStart[n] = start;
                _fieldLength[n] = record.Length - start;
                return n + 1;
            }

            _fieldStart[n] = start;
            _fieldLength[n] = comma;
            n++;
            start += comma + 1;
        }
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
        // 3 MISSING_FIELD, columns in table order.
        for (var c = 0; c < DischargeColumns.Count; c++)
        {
            if (DischargeColumns.Required[c] && _colLength[c] == 0)
            {
                return Fail(line, SafeCaseId(d), RejectReason.MissingField, (DischargeColumn)c,
                    $"required value {DischargeColumns.Names[c]} is empty");
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
        if (!ReferenceLexical.TryParseDate(Col(d, DischargeColumn.AdmitDate), out var admit))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadDate, DischargeColumn.AdmitDate, "admit_date is not a real date in the form yyyy-MM-dd (e.g. 2024-03-01)");
        }

        if (!ReferenceLexical.TryParseDate(Col(d, DischargeColumn.DischargeDate), out var discharge))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadDate, DischargeColumn.DischargeDate, "discharge_date is not a real date in the form yyyy-MM-dd (e.g. 2024-03-01)");
        }

        // 6 BAD_NUMBER, table order.
        if (!ReferenceLexical.TryParseInt(Col(d, DischargeColumn.AgeYears), 0, 150, out var ageYears))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.AgeYears, "age_years must be a whole number from 0 to 150");
        }

        var ageDays = -1;
        if (_colLength[(int)DischargeColumn.AgeDays] > 0 && !ReferenceLexical.TryParseInt(Col(d, DischargeColumn.AgeDays), 0, 365, out ageDays))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.AgeDays, "age_days must be a whole number from 0 to 365");
        }

        var birthWeight = -1;
        if (_colLength[(int)DischargeColumn.BirthWeightG] > 0 && !ReferenceLexical.TryParseInt(Col(d, DischargeColumn.BirthWeightG), 100, 9999, out birthWeight))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.BirthWeightG, "birth_weight_g must be a whole number of grams from 100 to 9999");
        }

        var admitWeight = -1;
        if (_colLength[(int)DischargeColumn.AdmitWeightG] > 0 && !ReferenceLexical.TryParseInt(Col(d, DischargeColumn.AdmitWeightG), 100, 99999, out admitWeight))
        {
            return Fail(line, CaseIdString(d), RejectReason.BadNumber, DischargeColumn.AdmitWeightG, "admit_weight_g must be a whole number of grams from 100 to 99999");
        }

        var vent = 0;
        if (_colLength[(int)DischargeColumn.VentHours] > 0 && !ReferenceLexical.TryParseInt(Col(d, DischargeColumn.VentHours), 0, 99999, out vent))
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
        if (!ReferenceLexical.IsDx(pdxText))
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
        if (!pprocText.IsEmpty && !ReferenceLexical.IsProc(pprocText))
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
        var hospitalIndex = _hospitalIds.Find(Col(d, DischargeColumn.HospitalId));
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

        var pdx = Code.FromUtf8(pdxText);
        r.PrincipalDx = pdx;

        // Secondary list: keep the first of duplicates, drop the principal if repeated.
        var secStart = batch.ReserveCodes(Math.Min(secondaryRaw, 255));
        var secCount = 0;
        for (var i = 0; i < secondaryRaw; i++)
        {
            var code = _secondary[i];
            if (code == pdx)
            {
                warnings |= RecordWarnings.PdxRepeated;
                continue;
            }

            if (Contains(batch.Codes.AsSpan(secStart, secCount), code))
            {
                warnings |= RecordWarnings.DuplicateCode;
                continue;
            }

            batch.Codes[secStart + secCount++] = code;
        }

        batch.CodeCount = secStart + secCount;
        r.SecondaryDxStart = secStart;
        r.SecondaryDxCount = (byte)secCount;

        var pproc = pprocText.IsEmpty ? Code.Empty : Code.FromUtf8(pprocText);
        var procStart = batch.ReserveCodes(Math.Min(procsRaw, 255));
        var procCount = 0;
        for (var i = 0; i < procsRaw; i++)
        {
            var code = _procs[i];
            if (Contains(batch.Codes.AsSpan(procStart, procCount), code))
            {
                warnings |= RecordWarnings.DuplicateCode;
                continue;
            }

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
        var n = 0;
        while (!list.IsEmpty)
        {
            var semi = list.IndexOf((byte)';');
            var item = ReferenceLexical.Trim(semi < 0 ? list : list[..semi]);
            list = semi < 0 ? default : list[(semi + 1)..];
            if (item.IsEmpty)
            {
                continue;
            }

            if (isDx ? !ReferenceLexical.IsDx(item) : !ReferenceLexical.IsProc(item))
            {
                bad = true;
                return n;
            }

            if (n < into.Length)
            {
                into[n] = Code.FromUtf8(item);
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

        if (ReferenceLexical.TryParseMoney(Col(d, c), out fen))
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
        if (ReferenceLexical.IsCleanText(Col(d, c), max, out var tooLong))
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
        ReferenceLexical.IsCleanText(Col(d, DischargeColumn.CaseId), 64, out _) ? CaseIdString(d) : string.Empty;
}
