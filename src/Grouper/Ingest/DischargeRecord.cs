using System.Runtime.InteropServices;
using Grouper.Core;

namespace Grouper.Ingest;

/// <summary>A slice of a batch's text arena (UTF-8 bytes of case_id, hospital_id, person_id).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TextRef(int Offset, int Length);

/// <summary>
/// One validated inpatient settlement (医疗保障基金结算清单), as parsed from discharges.csv.
/// Plain data: text lives in the owning <see cref="DischargeBatch"/>'s arena and code lists in its
/// code pool, so a record holds no references and a batch is reused without allocation.
/// </summary>
/// <remarks>Money is integer fen. Absent optional ints are −1.</remarks>
public struct DischargeRecord
{
    /// <summary>Physical line (1-based, header = 1) on which the record starts.</summary>
    public long Line;

    public TextRef CaseId;
    public TextRef HospitalId;
    public TextRef PersonId;

    /// <summary>
    /// The person's key for year-to-date state and outputs: the keyed pseudonym when
    /// pseudonymization is on, else an unkeyed hash used only inside the run.
    /// </summary>
    public UInt128 PersonKey;

    /// <summary>Index of the hospital in the run's <see cref="HospitalTable"/>.</summary>
    public int HospitalIndex;

    public InsuranceType InsuranceType;
    public AssistanceClass AssistanceClass;
    public DateOnly AdmitDate;
    public DateOnly DischargeDate;

    /// <summary>Length of stay in days: discharge − admit, 0 counted as 1.</summary>
    public int LengthOfStay;

    public Sex Sex;
    public DischargeMode DischargeMode;
    public CareLocation CareLocation;
    public ReferralStatus ReferralStatus;

    public short AgeYears;

    /// <summary>Age in days, −1 when absent.</summary>
    public short AgeDays;

    /// <summary>Birth weight in grams, −1 when absent.</summary>
    public int BirthWeightGrams;

    /// <summary>Admission weight in grams, −1 when absent.</summary>
    public int AdmitWeightGrams;

    public int VentHours;

    public Code PrincipalDx;

    /// <summary>Principal procedure after normalisation (may be promoted from other_procs); empty when none.</summary>
    public Code PrincipalProc;

    /// <summary>Start of the secondary diagnoses in the batch code pool.</summary>
    public int SecondaryDxStart;
    public byte SecondaryDxCount;

    /// <summary>Start of the other procedures in the batch code pool (after normalisation).</summary>
    public int OtherProcsStart;
    public byte OtherProcsCount;

    public long TotalCostFen;
    public long PolicyCostFen;
    public long FullSelfPayFen;
    public long PartialSelfPayFen;

    public RecordWarnings Warnings;

    /// <summary>
    /// A reject found by a later stage (e.g. <see cref="RejectReason.NoPolicy"/> at pricing), with
    /// its message in <see cref="PendingRejectMessage"/>; the sequencer moves the record to the
    /// rejects in input order, after the duplicate check (records.md order 15 before 16).
    /// </summary>
    public RejectReason PendingReject;

    /// <summary>Index into <see cref="DischargeBatch.PendingMessages"/> for <see cref="PendingReject"/>.</summary>
    public int PendingRejectMessage;

    /// <summary>超限价自费 = total − policy − full self-pay − class-B first self-pay (never negative after validation's 0.01 tolerance is clamped).</summary>
    public readonly long OverLimitSelfPayFen => Math.Max(0, TotalCostFen - PolicyCostFen - FullSelfPayFen - PartialSelfPayFen);
}
