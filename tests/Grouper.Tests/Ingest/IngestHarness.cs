using System.Text;
using Grouper.Core;
using Grouper.Ingest;

namespace Grouper.Tests.Ingest;

/// <summary>Runs the real reader and parser over in-memory CSV text.</summary>
internal static class IngestHarness
{
    public const string Header =
        "case_id,hospital_id,person_id,insurance_type,assistance_class,admit_date,discharge_date,sex,age_years,age_days," +
        "birth_weight_g,admit_weight_g,discharge_mode,principal_dx,secondary_dx,principal_proc,other_procs,vent_hours," +
        "total_cost,policy_cost,full_self_pay,partial_self_pay,care_location,referral_status";

    public static HospitalTable Hospitals { get; } = new(
    [
        new Hospital("H1", "Ningde City Hospital", "350902", new HospitalLevel(3, 'A'), HospitalKind.General, HospitalLocation.City, false, PaymentMethod.Dip, false),
        new Hospital("H2", "Fuzhou Hospital", "350102", new HospitalLevel(3, 'A'), HospitalKind.General, HospitalLocation.City, false, PaymentMethod.Dip, false),
        new Hospital("H3", "Ningbo Hospital", "330203", new HospitalLevel(2, '\0'), HospitalKind.Tcm, HospitalLocation.County, false, PaymentMethod.Drg, true),
    ]);

    /// <summary>A valid row; override columns by name.</summary>
    public static string Row(params (string Column, string Value)[] overrides)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["case_id"] = "C1",
            ["hospital_id"] = "H1",
            ["person_id"] = "P1",
            ["insurance_type"] = "390",
            ["assistance_class"] = "",
            ["admit_date"] = "2024-03-01",
            ["discharge_date"] = "2024-03-08",
            ["sex"] = "1",
            ["age_years"] = "45",
            ["age_days"] = "",
            ["birth_weight_g"] = "",
            ["admit_weight_g"] = "",
            ["discharge_mode"] = "1",
            ["principal_dx"] = "J18.900",
            ["secondary_dx"] = "I50.900;E87.600",
            ["principal_proc"] = "",
            ["other_procs"] = "",
            ["vent_hours"] = "",
            ["total_cost"] = "20000.00",
            ["policy_cost"] = "17000.00",
            ["full_self_pay"] = "2000.00",
            ["partial_self_pay"] = "1000.00",
            ["care_location"] = "local",
            ["referral_status"] = "",
        };
        foreach (var (c, v) in overrides)
        {
            Assert.True(values.ContainsKey(c), "unknown column " + c);
            values[c] = v;
        }

        return string.Join(',', DischargeColumns.Names.Select(n => values[n]));
    }

    public sealed record Result(List<DischargeRecord> Accepted, List<Reject> Rejects, DischargeBatch LastBatch, List<string> CaseIds, List<string> Secondary, List<string> Procs);

    public static Result Read(string csv, ValidationOptions? options = null, int batchSize = 4096) =>
        ReadBytes(Encoding.UTF8.GetBytes(csv), options, batchSize);

    public static Result ReadBytes(byte[] bytes, ValidationOptions? options = null, int batchSize = 4096)
    {
        return ReadAsync(bytes, options, batchSize).GetAwaiter().GetResult();
    }

    private static async Task<Result> ReadAsync(byte[] bytes, ValidationOptions? options, int batchSize)
    {
        await using var reader = await DischargeReader.OpenAsync(new MemoryStream(bytes), "discharges.csv", options);
        var parser = new DischargeRecordParser(reader.Header, Hospitals, options);
        var accepted = new List<DischargeRecord>();
        var rejects = new List<Reject>();
        var ids = new List<string>();
        var sec = new List<string>();
        var procs = new List<string>();
        DischargeBatch? last = null;
        await reader.ReadAllAsync(parser, () => new DischargeBatch(batchSize), b =>
        {
            for (var i = 0; i < b.Count; i++)
            {
                accepted.Add(b.Records[i]);
                ids.Add(b.StringOf(b.Records[i].CaseId));
                sec.Add(string.Join(';', b.SecondaryDx(in b.Records[i]).ToArray().Select(c => c.ToString())));
                procs.Add(string.Join(';', b.OtherProcs(in b.Records[i]).ToArray().Select(c => c.ToString())));
            }

            rejects.AddRange(b.Rejects);
            last = b;
            return ValueTask.CompletedTask;
        });
        return new Result(accepted, rejects, last!, ids, sec, procs);
    }
}
