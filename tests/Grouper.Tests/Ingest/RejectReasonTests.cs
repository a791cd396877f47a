using Grouper.Core;
using Grouper.Ingest;
using static Grouper.Tests.Ingest.IngestHarness;

namespace Grouper.Tests.Ingest;

/// <summary>Every reject reason of records.md, each triggered by one line, with the exact reason and field asserted.</summary>
public class RejectReasonTests
{
    private static Reject Single(string row)
    {
        var r = Read(Header + "\n" + row + "\n");
        Assert.Empty(r.Accepted);
        return Assert.Single(r.Rejects);
    }

    [Fact]
    public void ValidRowIsAccepted()
    {
        var r = Read(Header + "\n" + Row() + "\n");
        Assert.Empty(r.Rejects);
        var rec = Assert.Single(r.Accepted);
        Assert.Equal(2, rec.Line);
        Assert.Equal(2_000_000, rec.TotalCostFen);
        Assert.Equal(1_700_000, rec.PolicyCostFen);
        Assert.Equal(7, rec.LengthOfStay);
        Assert.Equal(Code.Parse("J18.900"), rec.PrincipalDx);
        Assert.Equal("I50.900;E87.600", r.Secondary[0]);
        Assert.Equal(RecordWarnings.None, rec.Warnings);
    }

    [Fact]
    public void LineTooLong()
    {
        var rej = Single(Row(("secondary_dx", string.Join(';', Enumerable.Repeat("I50.900", 10_000)))));
        Assert.Equal(RejectReason.LineTooLong, rej.Reason);
        Assert.Equal(2, rej.Line);
        Assert.Equal(string.Empty, rej.CaseId);
    }

    [Fact]
    public void FieldCount()
    {
        var rej = Single(Row() + ",extra");
        Assert.Equal(RejectReason.FieldCount, rej.Reason);
        Assert.Contains("25 fields", rej.Message, StringComparison.Ordinal);
        Assert.Equal(RejectReason.FieldCount, Single("C1,H1").Reason);
    }

    [Theory]
    [InlineData("case_id")]
    [InlineData("hospital_id")]
    [InlineData("person_id")]
    [InlineData("insurance_type")]
    [InlineData("admit_date")]
    [InlineData("discharge_date")]
    [InlineData("sex")]
    [InlineData("age_years")]
    [InlineData("discharge_mode")]
    [InlineData("principal_dx")]
    [InlineData("total_cost")]
    [InlineData("policy_cost")]
    [InlineData("care_location")]
    public void MissingField(string column)
    {
        var rej = Single(Row((column, "  ")));
        Assert.Equal(RejectReason.MissingField, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Theory]
    [InlineData("case_id", "C\u0001X")]
    [InlineData("hospital_id", "H1234567890123456789012345678901234")]
    [InlineData("person_id", "P\u007f")]
    public void BadText(string column, string value)
    {
        var rej = Single(Row((column, value)));
        Assert.Equal(RejectReason.BadText, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Fact]
    public void BadTextNeverEchoesAControlCharacterCaseId()
    {
        var rej = Single(Row(("case_id", "C\u0001X")));
        Assert.Equal(string.Empty, rej.CaseId);
    }

    [Theory]
    [InlineData("admit_date", "2024-02-30")]
    [InlineData("admit_date", "2024/03/01")]
    [InlineData("discharge_date", "2023-13-01")]
    [InlineData("discharge_date", "24-03-01")]
    public void BadDate(string column, string value)
    {
        var rej = Single(Row((column, value)));
        Assert.Equal(RejectReason.BadDate, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Theory]
    [InlineData("age_years", "151")]
    [InlineData("age_years", "-1")]
    [InlineData("age_days", "366")]
    [InlineData("birth_weight_g", "99")]
    [InlineData("admit_weight_g", "100000")]
    [InlineData("vent_hours", "1e3")]
    [InlineData("total_cost", "100.123")]
    [InlineData("total_cost", "-5")]
    [InlineData("policy_cost", "1 000")]
    [InlineData("full_self_pay", "1234567890")]
    [InlineData("partial_self_pay", "1.")]
    public void BadNumber(string column, string value)
    {
        var rej = Single(Row((column, value)));
        Assert.Equal(RejectReason.BadNumber, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Theory]
    [InlineData("insurance_type", "320")]
    [InlineData("assistance_class", "poor")]
    [InlineData("sex", "0")]
    [InlineData("discharge_mode", "6")]
    [InlineData("care_location", "abroad")]
    [InlineData("referral_status", "yes")]
    public void BadCode(string column, string value)
    {
        var rej = Single(Row((column, value)));
        Assert.Equal(RejectReason.BadCode, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Theory]
    [InlineData("principal_dx", "j18.900")]
    [InlineData("principal_dx", "J18-900")]
    [InlineData("secondary_dx", "I50.900;50.900")]
    [InlineData("principal_dx", "A01.002+G01")]
    public void BadDx(string column, string value)
    {
        var rej = Single(Row((column, value)));
        Assert.Equal(RejectReason.BadDx, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Theory]
    [InlineData("principal_proc", "4.09")]
    [InlineData("other_procs", "47.0901;K47")]
    public void BadProc(string column, string value)
    {
        var rej = Single(Row((column, value)));
        Assert.Equal(RejectReason.BadProc, rej.Reason);
        Assert.Equal(column, rej.Field);
    }

    [Fact]
    public void TooManyCodes()
    {
        var dx41 = string.Join(';', Enumerable.Range(0, 41).Select(i => $"I{10 + (i % 80):00}.{i:000}"));
        var rej = Single(Row(("secondary_dx", dx41)));
        Assert.Equal(RejectReason.TooManyCodes, rej.Reason);
        Assert.Equal("secondary_dx", rej.Field);

        var p41 = string.Join(';', Enumerable.Range(0, 41).Select(i => $"47.{i:0000}"));
        rej = Single(Row(("other_procs", p41)));
        Assert.Equal(RejectReason.TooManyCodes, rej.Reason);
        Assert.Equal("other_procs", rej.Field);

        var dx40 = string.Join(';', Enumerable.Range(0, 40).Select(i => $"I{10 + (i % 80):00}.{i:000}"));
        var ok = Read(Header + "\n" + Row(("secondary_dx", dx40)) + "\n");
        Assert.Equal(40, Assert.Single(ok.Accepted).SecondaryDxCount);
    }

    [Fact]
    public void DateOrder()
    {
        var rej = Single(Row(("admit_date", "2024-03-09")));
        Assert.Equal(RejectReason.DateOrder, rej.Reason);
        Assert.Equal("discharge_date", rej.Field);
    }

    [Fact]
    public void CostSplit()
    {
        Assert.Equal(RejectReason.CostSplit, Single(Row(("policy_cost", "20000.01"))).Reason);
        Assert.Equal(RejectReason.CostSplit, Single(Row(("full_self_pay", "2000.02"))).Reason);

        // Within the 0.01 tolerance: accepted.
        var ok = Read(Header + "\n" + Row(("full_self_pay", "2000.01")) + "\n");
        Assert.Single(ok.Accepted);
    }

    [Fact]
    public void NewbornFields()
    {
        var rej = Single(Row(("age_years", "0")));
        Assert.Equal(RejectReason.NewbornFields, rej.Reason);
        Assert.Equal("age_days", rej.Field);

        rej = Single(Row(("age_years", "0"), ("age_days", "28")));
        Assert.Equal(RejectReason.NewbornFields, rej.Reason);
        Assert.Equal("birth_weight_g", rej.Field);

        var ok = Read(Header + "\n" + Row(("age_years", "0"), ("age_days", "29")) + "\n");
        Assert.Single(ok.Accepted);
    }

    [Fact]
    public void UnknownHospital()
    {
        var rej = Single(Row(("hospital_id", "H9")));
        Assert.Equal(RejectReason.UnknownHospital, rej.Reason);
        Assert.Equal("hospital_id", rej.Field);
        Assert.Equal("C1", rej.CaseId);
    }

    [Fact]
    public void DuplicateCaseRejectsTheLaterLineOnlyAgainstAcceptedRecords()
    {
        var csv = Header + "\n"
            + Row(("case_id", "C1"), ("sex", "0")) + "\n" // rejected: BAD_CODE, does not reserve C1
            + Row(("case_id", "C1")) + "\n"               // accepted
            + Row(("case_id", "C1")) + "\n";              // DUPLICATE_CASE
        var r = Read(csv);
        Assert.Single(r.Accepted);
        Assert.Equal(3, r.Accepted[0].Line);
        Assert.Equal([RejectReason.BadCode, RejectReason.DuplicateCase], r.Rejects.Select(x => x.Reason));
        Assert.Equal(4, r.Rejects[1].Line);
    }

    [Fact]
    public void FirstFailingCheckWinsInValidationOrder()
    {
        // BAD_DATE (5) precedes BAD_NUMBER (6) and BAD_CODE (7) even when those columns come first.
        var rej = Single(Row(("age_years", "x"), ("sex", "7"), ("discharge_date", "2024-02-31")));
        Assert.Equal(RejectReason.BadDate, rej.Reason);

        // Within one check, columns in table order: admit_date before discharge_date.
        rej = Single(Row(("admit_date", "x"), ("discharge_date", "y")));
        Assert.Equal("admit_date", rej.Field);
    }

    [Fact]
    public void EveryReasonHasAStableName()
    {
        Assert.Equal(
            ["LINE_TOO_LONG", "FIELD_COUNT", "MISSING_FIELD", "BAD_TEXT", "BAD_DATE", "BAD_NUMBER", "BAD_CODE", "BAD_DX", "BAD_PROC",
             "TOO_MANY_CODES", "DATE_ORDER", "COST_SPLIT", "NEWBORN_FIELDS", "UNKNOWN_HOSPITAL", "DUPLICATE_CASE", "NO_POLICY"],
            RejectReasons.All.Select(RejectReasons.Name));
    }
}
