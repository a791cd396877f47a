namespace Grouper.Ingest;

/// <summary>The columns of discharges.csv (records.md), in table order: that order decides which field a reject names.</summary>
public enum DischargeColumn
{
    CaseId,
    HospitalId,
    PersonId,
    InsuranceType,
    AssistanceClass,
    AdmitDate,
    DischargeDate,
    Sex,
    AgeYears,
    AgeDays,
    BirthWeightG,
    AdmitWeightG,
    DischargeMode,
    PrincipalDx,
    SecondaryDx,
    PrincipalProc,
    OtherProcs,
    VentHours,
    TotalCost,
    PolicyCost,
    FullSelfPay,
    PartialSelfPay,
    CareLocation,
    ReferralStatus,
}

public static class DischargeColumns
{
    public const int Count = 24;

    public static readonly string[] Names =
    [
        "case_id", "hospital_id", "person_id", "insurance_type", "assistance_class", "admit_date", "discharge_date",
        "sex", "age_years", "age_days", "birth_weight_g", "admit_weight_g", "discharge_mode", "principal_dx",
        "secondary_dx", "principal_proc", "other_procs", "vent_hours", "total_cost", "policy_cost", "full_self_pay",
        "partial_self_pay", "care_location", "referral_status",
    ];

    /// <summary>Columns whose value may not be empty (age_days and birth_weight_g are conditional: NEWBORN_FIELDS).</summary>
    public static readonly bool[] Required =
    [
        true, true, true, true, false, true, true,
        true, true, false, false, false, true, true,
        false, false, false, false, true, true, false,
        false, true, false,
    ];

    public static string Name(DischargeColumn c) => Names[(int)c];
}
