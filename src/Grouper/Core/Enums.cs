namespace Grouper.Core;

/// <summary>险种类型. CSV values 310 and 390.</summary>
public enum InsuranceType : byte
{
    /// <summary>职工基本医疗保险 (310).</summary>
    Employee = 1,

    /// <summary>城乡居民基本医疗保险 (390).</summary>
    Resident = 2,
}

/// <summary>GB/T 2261.1 sex code.</summary>
public enum Sex : byte
{
    Male = 1,
    Female = 2,
    NotStated = 9,
}

/// <summary>离院方式.</summary>
public enum DischargeMode : byte
{
    /// <summary>1 医嘱离院.</summary>
    OnAdvice = 1,

    /// <summary>2 医嘱转院.</summary>
    TransferHospital = 2,

    /// <summary>3 医嘱转社区卫生服务机构/乡镇卫生院.</summary>
    TransferCommunity = 3,

    /// <summary>4 非医嘱离院.</summary>
    AgainstAdvice = 4,

    /// <summary>5 死亡.</summary>
    Died = 5,

    /// <summary>9 其他.</summary>
    Other = 9,
}

/// <summary>医疗救助对象类别; <see cref="None"/> when the CSV value is empty.</summary>
public enum AssistanceClass : byte
{
    None = 0,

    /// <summary>特困人员 (tekun).</summary>
    ExtremelyPoor = 1,

    /// <summary>孤儿 incl. de-facto unsupported children (orphan).</summary>
    Orphan = 2,

    /// <summary>低保对象 (dibao).</summary>
    MinimumLivelihood = 3,

    /// <summary>返贫致贫人口 (fanpin).</summary>
    ReturnedToPoverty = 4,

    /// <summary>低保边缘家庭成员 (dibao_edge).</summary>
    NearMinimumLivelihood = 5,

    /// <summary>农村易返贫致贫人口 (yifanpin).</summary>
    AtRiskOfPoverty = 6,

    /// <summary>因病致贫重病患者 (yinbing).</summary>
    ImpoverishedByIllness = 7,
}

/// <summary>Where care happened relative to the insured's pooling region.</summary>
public enum CareLocation : byte
{
    Local = 1,
    OutOfCity = 2,
    OutOfProvince = 3,
}

/// <summary>备案/转诊 status of out-of-region care.</summary>
public enum ReferralStatus : byte
{
    None = 0,
    Registered = 1,
    Unregistered = 2,
    Emergency = 3,
    Resident = 4,
}

/// <summary>Hospital kind (机构类别).</summary>
public enum HospitalKind : byte
{
    General = 1,
    Tcm = 2,
    Specialty = 3,
    MaternalChild = 4,
    Psychiatric = 5,
    Rehab = 6,
}

/// <summary>Administrative level of the hospital's site: 市级 / 县级 / 乡级.</summary>
public enum HospitalLocation : byte
{
    City = 1,
    County = 2,
    Township = 3,
}

/// <summary>How the region pays the hospital.</summary>
public enum PaymentMethod : byte
{
    /// <summary>Region default from the policy.</summary>
    Default = 0,
    Dip = 1,
    Drg = 2,
    Ffs = 3,
}

/// <summary>Warnings (record accepted, counted, listed on the case). Flags, so a case carries several.</summary>
[Flags]
public enum RecordWarnings : ushort
{
    None = 0,
    DuplicateCode = 1 << 0,
    PdxRepeated = 1 << 1,
    ProcPromoted = 1 << 2,
    AgeDaysIgnored = 1 << 3,
    VentCodeMismatch = 1 << 4,
    VentExceedsStay = 1 << 5,
    ReferralIgnored = 1 << 6,
    LocationMismatch = 1 << 7,
}
