using Grouper.Core;
using Grouper.Ingest;
using static Grouper.Tests.Ingest.IngestHarness;

namespace Grouper.Tests.Ingest;

public class NormalisationTests
{
    private static (DischargeRecord Rec, string Sec, string Procs) One(string row, ValidationOptions? o = null)
    {
        var r = Read(Header + "\n" + row + "\n", o);
        Assert.Empty(r.Rejects);
        return (Assert.Single(r.Accepted), r.Secondary[0], r.Procs[0]);
    }

    [Fact]
    public void DuplicatesKeptOnceAtFirstPosition()
    {
        var (rec, sec, _) = One(Row(("secondary_dx", " I50.900 ; E87.600;;I50.900 ")));
        Assert.Equal("I50.900;E87.600", sec);
        Assert.Equal(RecordWarnings.DuplicateCode, rec.Warnings);
    }

    [Fact]
    public void PrincipalRepeatedAsSecondaryIsDropped()
    {
        var (rec, sec, _) = One(Row(("secondary_dx", "J18.900;I50.900")));
        Assert.Equal("I50.900", sec);
        Assert.Equal(RecordWarnings.PdxRepeated, rec.Warnings);
    }

    [Fact]
    public void FirstOtherProcedurePromoted()
    {
        var (rec, _, procs) = One(Row(("other_procs", "47.0901;54.5901")));
        Assert.Equal(Code.Parse("47.0901"), rec.PrincipalProc);
        Assert.Equal("54.5901", procs);
        Assert.Equal(RecordWarnings.ProcPromoted, rec.Warnings);
    }

    [Fact]
    public void AgeDaysIgnoredForOlderPatients()
    {
        var (rec, _, _) = One(Row(("age_days", "12")));
        Assert.Equal(-1, rec.AgeDays);
        Assert.Equal(RecordWarnings.AgeDaysIgnored, rec.Warnings);
    }

    [Fact]
    public void VentilationWarnings()
    {
        Assert.Equal(RecordWarnings.VentCodeMismatch, One(Row(("vent_hours", "100"))).Rec.Warnings);
        Assert.Equal(RecordWarnings.VentCodeMismatch, One(Row(("principal_proc", "96.7201"))).Rec.Warnings);
        Assert.Equal(RecordWarnings.ProcPromoted, One(Row(("vent_hours", "120"), ("other_procs", "96.7201"))).Rec.Warnings);
        Assert.Equal(RecordWarnings.None, One(Row(("vent_hours", "120"), ("principal_proc", "31.1x00"), ("other_procs", "96.7201"))).Rec.Warnings);

        // LOS 7 → at most 24 × 8 = 192 hours.
        Assert.Equal(RecordWarnings.None, One(Row(("vent_hours", "192"), ("principal_proc", "96.7201"))).Rec.Warnings);
        Assert.Equal(RecordWarnings.VentExceedsStay, One(Row(("vent_hours", "193"), ("principal_proc", "96.7201"))).Rec.Warnings);
    }

    [Fact]
    public void ReferralIgnoredOnLocalCare()
    {
        Assert.Equal(RecordWarnings.ReferralIgnored, One(Row(("referral_status", "registered"))).Rec.Warnings);
        Assert.Equal(RecordWarnings.None, One(Row(("referral_status", "emergency"))).Rec.Warnings);
    }

    [Fact]
    public void LocationMismatchAgainstInsuredRegion()
    {
        var o = new ValidationOptions { InsuredRegion = "350900" };
        Assert.Equal(RecordWarnings.None, One(Row(), o).Rec.Warnings);
        Assert.Equal(RecordWarnings.LocationMismatch, One(Row(("care_location", "out_of_city")), o).Rec.Warnings);
        Assert.Equal(RecordWarnings.None, One(Row(("hospital_id", "H2"), ("care_location", "out_of_city")), o).Rec.Warnings);
        Assert.Equal(RecordWarnings.None, One(Row(("hospital_id", "H3"), ("care_location", "out_of_province")), o).Rec.Warnings);
        Assert.Equal(RecordWarnings.LocationMismatch, One(Row(("hospital_id", "H3"), ("care_location", "out_of_city")), o).Rec.Warnings);
    }

    [Fact]
    public void LengthOfStayZeroCountsAsOne()
    {
        Assert.Equal(1, One(Row(("discharge_date", "2024-03-01"))).Rec.LengthOfStay);
    }
}
