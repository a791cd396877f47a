namespace Grouper.Core;

/// <summary>Maps enums to and from their stable CSV / output spellings.</summary>
public static class CodeNames
{
    public static string Csv(InsuranceType t) => t == InsuranceType.Employee ? "310" : "390";

    public static string Csv(AssistanceClass c) => c switch
    {
        AssistanceClass.ExtremelyPoor => "tekun",
        AssistanceClass.Orphan => "orphan",
        AssistanceClass.MinimumLivelihood => "dibao",
        AssistanceClass.ReturnedToPoverty => "fanpin",
        AssistanceClass.NearMinimumLivelihood => "dibao_edge",
        AssistanceClass.AtRiskOfPoverty => "yifanpin",
        AssistanceClass.ImpoverishedByIllness => "yinbing",
        _ => string.Empty,
    };

    public static string Csv(CareLocation c) => c switch
    {
        CareLocation.Local => "local",
        CareLocation.OutOfCity => "out_of_city",
        _ => "out_of_province",
    };

    public static string Csv(ReferralStatus r) => r switch
    {
        ReferralStatus.Registered => "registered",
        ReferralStatus.Unregistered => "unregistered",
        ReferralStatus.Emergency => "emergency",
        ReferralStatus.Resident => "resident",
        _ => "none",
    };

    public static string Csv(HospitalKind k) => k switch
    {
        HospitalKind.General => "general",
        HospitalKind.Tcm => "tcm",
        HospitalKind.Specialty => "specialty",
        HospitalKind.MaternalChild => "maternal_child",
        HospitalKind.Psychiatric => "psychiatric",
        _ => "rehab",
    };

    public static string Csv(HospitalLocation l) => l switch
    {
        HospitalLocation.City => "city",
        HospitalLocation.County => "county",
        _ => "township",
    };

    public static readonly (RecordWarnings Flag, string Name)[] WarningNames =
    [
        (RecordWarnings.DuplicateCode, "DUPLICATE_CODE"),
        (RecordWarnings.PdxRepeated, "PDX_REPEATED"),
        (RecordWarnings.ProcPromoted, "PROC_PROMOTED"),
        (RecordWarnings.AgeDaysIgnored, "AGE_DAYS_IGNORED"),
        (RecordWarnings.VentCodeMismatch, "VENT_CODE_MISMATCH"),
        (RecordWarnings.VentExceedsStay, "VENT_EXCEEDS_STAY"),
        (RecordWarnings.ReferralIgnored, "REFERRAL_IGNORED"),
        (RecordWarnings.LocationMismatch, "LOCATION_MISMATCH"),
    ];

    public static bool TryParseAssistance(ReadOnlySpan<byte> v, out AssistanceClass c)
    {
        c = AssistanceClass.None;
        if (v.IsEmpty) return true;
        if (v.SequenceEqual("tekun"u8)) { c = AssistanceClass.ExtremelyPoor; return true; }
        if (v.SequenceEqual("orphan"u8)) { c = AssistanceClass.Orphan; return true; }
        if (v.SequenceEqual("dibao"u8)) { c = AssistanceClass.MinimumLivelihood; return true; }
        if (v.SequenceEqual("fanpin"u8)) { c = AssistanceClass.ReturnedToPoverty; return true; }
        if (v.SequenceEqual("dibao_edge"u8)) { c = AssistanceClass.NearMinimumLivelihood; return true; }
        if (v.SequenceEqual("yifanpin"u8)) { c = AssistanceClass.AtRiskOfPoverty; return true; }
        if (v.SequenceEqual("yinbing"u8)) { c = AssistanceClass.ImpoverishedByIllness; return true; }
        return false;
    }

    public static bool TryParseCareLocation(ReadOnlySpan<byte> v, out CareLocation c)
    {
        c = default;
        if (v.SequenceEqual("local"u8)) { c = CareLocation.Local; return true; }
        if (v.SequenceEqual("out_of_city"u8)) { c = CareLocation.OutOfCity; return true; }
        if (v.SequenceEqual("out_of_province"u8)) { c = CareLocation.OutOfProvince; return true; }
        return false;
    }

    public static bool TryParseReferral(ReadOnlySpan<byte> v, out ReferralStatus r)
    {
        r = ReferralStatus.None;
        if (v.IsEmpty || v.SequenceEqual("none"u8)) return true;
        if (v.SequenceEqual("registered"u8)) { r = ReferralStatus.Registered; return true; }
        if (v.SequenceEqual("unregistered"u8)) { r = ReferralStatus.Unregistered; return true; }
        if (v.SequenceEqual("emergency"u8)) { r = ReferralStatus.Emergency; return true; }
        if (v.SequenceEqual("resident"u8)) { r = ReferralStatus.Resident; return true; }
        return false;
    }
}
