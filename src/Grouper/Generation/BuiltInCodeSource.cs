namespace Grouper.Generation;

/// <summary>
/// A small hard-coded list of common real ICD-10 医保版 2.0 / ICD-9-CM-3 医保版 2.0 codes (all present in
/// the CHS-DRG 2.0 tables except a few everyday minor procedures outside them). Needs no files, so
/// tests and quick samples run anywhere. Weights are rough relative frequencies (Demo).
/// </summary>
public sealed class BuiltInCodeSource : IGeneratorCodeSource
{
    private const TemplateSex Any = TemplateSex.Any;
    private const TemplateSex F = TemplateSex.Female;
    private const TemplateSex M = TemplateSex.Male;

    public string Name => "built-in";

    public IReadOnlyList<CaseTemplate> CaseTemplates { get; } =
    [
        // Respiratory
        CaseTemplate.Of("J18.900", null, 60, CaseFamily.Medical),                                        // 肺炎
        CaseTemplate.Of("J18.000", null, 15, CaseFamily.Medical, Any, TemplateAge.Child),                // 支气管肺炎
        CaseTemplate.Of("J98.414", null, 15, CaseFamily.Medical, Any, TemplateAge.Elderly),              // 肺部感染
        CaseTemplate.Of("J44.100", null, 30, CaseFamily.Medical, Any, TemplateAge.Elderly),              // 慢阻肺急性加重
        CaseTemplate.Of("J44.000", null, 10, CaseFamily.Medical, Any, TemplateAge.Elderly),
        CaseTemplate.Of("J45.900", null, 6, CaseFamily.Medical),                                         // 哮喘
        CaseTemplate.Of("J06.900", null, 10, CaseFamily.Medical, Any, TemplateAge.Child),                // 急性上呼吸道感染
        CaseTemplate.Of("J21.900", null, 5, CaseFamily.Medical, Any, TemplateAge.Infant),                // 急性细支气管炎
        CaseTemplate.Of("J20.000", null, 6, CaseFamily.Medical, Any, TemplateAge.Child),
        CaseTemplate.Of("J03.900", null, 4, CaseFamily.Medical, Any, TemplateAge.Child),                 // 急性扁桃体炎
        CaseTemplate.Of("J35.000", "28.2x00x002", 3, CaseFamily.SurgicalMinor, Any, TemplateAge.Child),  // 扁桃体切除术
        CaseTemplate.Of("A09.001", null, 8, CaseFamily.Medical, Any, TemplateAge.Child),                 // 感染性胃肠炎

        // Circulatory and nervous
        CaseTemplate.Of("I63.900", null, 45, CaseFamily.MedicalSevere, Any, TemplateAge.Elderly),        // 脑梗死
        CaseTemplate.Of("I61.900x002", null, 8, CaseFamily.MedicalSevere, Any, TemplateAge.Elderly),     // 脑出血
        CaseTemplate.Of("G45.900", null, 6, CaseFamily.Medical, Any, TemplateAge.Elderly),               // TIA
        CaseTemplate.Of("I50.900", null, 20, CaseFamily.MedicalSevere, Any, TemplateAge.Elderly),        // 心力衰竭
        CaseTemplate.Of("I20.000", null, 25, CaseFamily.Medical, Any, TemplateAge.Adult),                // 不稳定型心绞痛
        CaseTemplate.Of("I20.000", "00.6600x004", 4, CaseFamily.SurgicalMajor, Any, TemplateAge.Adult),  // PTCA
        CaseTemplate.Of("I21.900", "36.0601", 8, CaseFamily.SurgicalMajor, Any, TemplateAge.Adult),      // 急性心梗 + 药物支架
        CaseTemplate.Of("I25.103", null, 20, CaseFamily.Medical, Any, TemplateAge.Elderly),              // 冠心病
        CaseTemplate.Of("I48.000", null, 6, CaseFamily.Medical, Any, TemplateAge.Elderly),               // 阵发性房颤
        CaseTemplate.Of("I10.x00x002", null, 10, CaseFamily.Medical, Any, TemplateAge.Adult),            // 高血压
        CaseTemplate.Of("R55.x00x001", null, 3, CaseFamily.Medical),                                     // 晕厥
        CaseTemplate.Of("S06.000", null, 6, CaseFamily.Medical),                                         // 脑震荡

        // Endocrine, digestive, kidney
        CaseTemplate.Of("E11.900", null, 15, CaseFamily.Medical, Any, TemplateAge.Adult),                // 2型糖尿病
        CaseTemplate.Of("E11.400", null, 5, CaseFamily.Medical, Any, TemplateAge.Adult),
        CaseTemplate.Of("K29.700", null, 8, CaseFamily.Medical, Any, TemplateAge.Adult),                 // 胃炎
        CaseTemplate.Of("K92.200x005", null, 6, CaseFamily.MedicalSevere, Any, TemplateAge.Adult),       // 胃肠道出血
        CaseTemplate.Of("K74.600", null, 5, CaseFamily.MedicalSevere, Any, TemplateAge.Adult),           // 肝硬变
        CaseTemplate.Of("K85.900", null, 6, CaseFamily.MedicalSevere, Any, TemplateAge.Adult),           // 急性胰腺炎
        CaseTemplate.Of("K80.100x001", null, 6, CaseFamily.Medical, Any, TemplateAge.Adult),             // 胆囊结石伴胆囊炎
        CaseTemplate.Of("K80.100x001", "51.2300", 15, CaseFamily.SurgicalMinor, Any, TemplateAge.Adult), // 腹腔镜胆囊切除
        CaseTemplate.Of("K35.800x001", "47.0901", 8, CaseFamily.SurgicalMinor),                          // 阑尾切除术
        CaseTemplate.Of("K35.800x001", "47.0100", 10, CaseFamily.SurgicalMinor),                         // 腹腔镜阑尾切除
        CaseTemplate.Of("K35.200", "47.0100", 3, CaseFamily.SurgicalMinor),
        CaseTemplate.Of("K40.900x003", "53.0002", 8, CaseFamily.SurgicalMinor, M, TemplateAge.Adult),    // 腹股沟疝修补
        CaseTemplate.Of("K63.500", "45.4200x003", 6, CaseFamily.ProcedureNonOr, Any, TemplateAge.Adult), // 结肠息肉切除
        CaseTemplate.Of("N39.000", null, 6, CaseFamily.Medical),                                         // 泌尿道感染
        CaseTemplate.Of("N18.500", "39.9500", 8, CaseFamily.ProcedureNonOr, Any, TemplateAge.Adult),     // CKD5 + 血液透析
        CaseTemplate.Of("N18.500", null, 4, CaseFamily.MedicalSevere, Any, TemplateAge.Adult),
        CaseTemplate.Of("N20.000", "98.5101", 5, CaseFamily.ProcedureNonOr, Any, TemplateAge.Adult),     // 肾结石 + 碎石
        CaseTemplate.Of("N40.x00", "60.2900x004", 5, CaseFamily.SurgicalMinor, M, TemplateAge.Elderly),  // 前列腺电切

        // Musculoskeletal, eye
        CaseTemplate.Of("M51.202", null, 10, CaseFamily.Medical, Any, TemplateAge.Adult),                // 腰椎间盘突出
        CaseTemplate.Of("M51.202", "80.5100x013", 4, CaseFamily.SurgicalMajor, Any, TemplateAge.Adult),
        CaseTemplate.Of("M17.900", null, 5, CaseFamily.Medical, Any, TemplateAge.Elderly),               // 膝关节病
        CaseTemplate.Of("M17.900", "81.5400", 5, CaseFamily.SurgicalMajor, Any, TemplateAge.Elderly),    // 全膝置换
        CaseTemplate.Of("S72.000", "81.5100", 6, CaseFamily.SurgicalMajor, Any, TemplateAge.Elderly),    // 股骨颈骨折 + 全髋
        CaseTemplate.Of("S72.000", "79.3500x016", 3, CaseFamily.SurgicalMajor, Any, TemplateAge.Elderly),
        CaseTemplate.Of("H25.900", "13.4100x001", 14, CaseFamily.SurgicalMinor, Any, TemplateAge.Elderly), // 白内障超声乳化

        // Tumours
        CaseTemplate.Of("Z51.103", "99.2500x038", 14, CaseFamily.Oncology, Any, TemplateAge.Adult),      // 维持性化疗
        CaseTemplate.Of("C34.900x001", null, 8, CaseFamily.Oncology, Any, TemplateAge.Elderly),          // 肺恶性肿瘤
        CaseTemplate.Of("C34.900x001", "32.4100", 3, CaseFamily.SurgicalMajor, Any, TemplateAge.Adult),  // 胸腔镜肺叶切除
        CaseTemplate.Of("C16.900", null, 5, CaseFamily.Oncology, Any, TemplateAge.Elderly),
        CaseTemplate.Of("C22.000", null, 5, CaseFamily.Oncology, Any, TemplateAge.Adult),
        CaseTemplate.Of("C18.900", null, 4, CaseFamily.Oncology, Any, TemplateAge.Elderly),
        CaseTemplate.Of("C50.900", null, 4, CaseFamily.Oncology, F, TemplateAge.Adult),
        CaseTemplate.Of("C50.900", "85.4300x003", 2, CaseFamily.SurgicalMajor, F, TemplateAge.Adult),
        CaseTemplate.Of("D25.900", "68.4100", 4, CaseFamily.SurgicalMajor, F, TemplateAge.Fertile),      // 子宫肌瘤 + 腹腔镜全子宫切除

        // Pregnancy and newborns
        CaseTemplate.Of("O80.000", "73.5900x002", 20, CaseFamily.Obstetric, F, TemplateAge.Fertile),     // 顺产 + 头位阴道助产
        CaseTemplate.Of("O80.000", null, 8, CaseFamily.Obstetric, F, TemplateAge.Fertile),
        CaseTemplate.Of("O82.000", "74.1x01", 15, CaseFamily.Obstetric, F, TemplateAge.Fertile),         // 剖宫产
        CaseTemplate.Of("O82.100", "74.1x01", 5, CaseFamily.Obstetric, F, TemplateAge.Fertile),
        CaseTemplate.Of("O48.x00", "74.1x01", 2, CaseFamily.Obstetric, F, TemplateAge.Fertile),          // 过期妊娠
        CaseTemplate.Of("O21.000", null, 2, CaseFamily.Obstetric, F, TemplateAge.Fertile),               // 妊娠剧吐
        CaseTemplate.Of("O02.100", "69.0201", 3, CaseFamily.Obstetric, F, TemplateAge.Fertile),          // 稽留流产 + 刮宫
        CaseTemplate.Of("P59.901", null, 10, CaseFamily.Neonatal, Any, TemplateAge.Neonate),             // 新生儿高胆红素血症
        CaseTemplate.Of("P23.900", null, 4, CaseFamily.Neonatal, Any, TemplateAge.Neonate),              // 先天性肺炎
        CaseTemplate.Of("P07.300", null, 5, CaseFamily.Neonatal, Any, TemplateAge.PretermNeonate),       // 早产儿
        CaseTemplate.Of("P07.200", null, 1, CaseFamily.Neonatal, Any, TemplateAge.PretermNeonate),       // 极度不成熟
        CaseTemplate.Of("P22.000", null, 2, CaseFamily.Neonatal, Any, TemplateAge.PretermNeonate),       // 新生儿呼吸窘迫

        // Psychiatry and rehabilitation (long stays)
        CaseTemplate.Of("F20.900", null, 6, CaseFamily.Psychiatric, Any, TemplateAge.Adult),             // 精神分裂症
        CaseTemplate.Of("F32.900", null, 3, CaseFamily.Psychiatric, Any, TemplateAge.Adult),             // 抑郁发作
        CaseTemplate.Of("I69.300", null, 5, CaseFamily.Rehabilitation, Any, TemplateAge.Elderly),        // 脑梗死后遗症
        CaseTemplate.Of("Z50.101", null, 2, CaseFamily.Rehabilitation, Any, TemplateAge.Elderly),        // 脑出血后康复
    ];

    public IReadOnlyList<WeightedCode> MccCodes { get; } =
    [
        WeightedCode.Of("I50.900", 30), WeightedCode.Of("J96.000", 20), WeightedCode.Of("N18.400", 8),
        WeightedCode.Of("J12.100", 4), WeightedCode.Of("A41.900", 8), WeightedCode.Of("R57.000", 3),
        WeightedCode.Of("N17.900", 8), WeightedCode.Of("I61.900x002", 3), WeightedCode.Of("E87.001", 4),
        WeightedCode.Of("L89.900", 3),
    ];

    public IReadOnlyList<WeightedCode> CcCodes { get; } =
    [
        WeightedCode.Of("I48.000", 20), WeightedCode.Of("I48.900x004", 15), WeightedCode.Of("I69.300", 20),
        WeightedCode.Of("M81.900", 12), WeightedCode.Of("E87.600", 25), WeightedCode.Of("S06.000", 3),
        WeightedCode.Of("K74.600", 6), WeightedCode.Of("E11.400", 10), WeightedCode.Of("J94.200", 2),
        WeightedCode.Of("I49.001", 2), WeightedCode.Of("E55.900", 4), WeightedCode.Of("E66.900", 5),
        WeightedCode.Of("G45.900", 4), WeightedCode.Of("K21.900x003", 6), WeightedCode.Of("K63.500", 3),
    ];

    public IReadOnlyList<WeightedCode> OrdinarySecondaryCodes { get; } =
    [
        WeightedCode.Of("I10.x00x002", 120), WeightedCode.Of("E11.900", 70), WeightedCode.Of("E78.500", 50),
        WeightedCode.Of("I25.103", 50), WeightedCode.Of("K76.000", 30), WeightedCode.Of("D64.900", 25),
        WeightedCode.Of("E87.102", 15), WeightedCode.Of("N18.300", 10), WeightedCode.Of("E03.900", 10),
        WeightedCode.Of("J98.414", 20), WeightedCode.Of("F03.x00", 6), WeightedCode.Of("M54.500", 8),
        WeightedCode.Of("H40.900", 4), WeightedCode.Of("J90.x00", 8), WeightedCode.Of("I27.900", 6),
        WeightedCode.Of("N39.000", 12), WeightedCode.Of("K80.200x003", 12), WeightedCode.Of("E87.500", 5),
        WeightedCode.Of("R31.x00", 3), WeightedCode.Of("D69.600", 5), WeightedCode.Of("K29.700", 15),
        WeightedCode.Of("E87.200x002", 2), WeightedCode.Of("G93.100", 2),
        WeightedCode.Of("J81.x00", 3), WeightedCode.Of("I25.102", 10), WeightedCode.Of("I10.x00x008", 5),
        WeightedCode.Of("I63.900", 15), WeightedCode.Of("M17.900", 6), WeightedCode.Of("J44.100", 10),
        WeightedCode.Of("I20.000", 8), WeightedCode.Of("R50.900", 4), WeightedCode.Of("J18.900", 8),
        WeightedCode.Of("N20.000", 4), WeightedCode.Of("N40.x00", 5),
    ];

    public IReadOnlyList<WeightedCode> OtherProcedures { get; } =
    [
        WeightedCode.Of("38.9300", 20),      // 静脉导管插入术 (outside the ADRG tables)
        WeightedCode.Of("33.2302", 5),       // 电子支气管镜检查
        WeightedCode.Of("34.9101", 4),       // 胸腔穿刺抽液术
        WeightedCode.Of("99.6000", 1),       // 心肺复苏
        WeightedCode.Of("04.8900", 3),       // 其他物质注射
        WeightedCode.Of("99.2902", 6),       // 穴位注射
        WeightedCode.Of("99.6200x001", 1),   // 电除颤
        WeightedCode.Of("34.0400x001", 1),   // 胸腔引流管置换术
        WeightedCode.Of("96.0400", 3),       // 气管内插管
        WeightedCode.Of("93.9001", 3),       // CPAP
        WeightedCode.Of("39.9500", 3),       // 血液透析
        WeightedCode.Of("45.4200x003", 3),   // 结肠息肉切除
        WeightedCode.Of("13.7100x001", 4),   // 人工晶体一期置入
        WeightedCode.Of("99.2500x038", 3),   // 化疗药物注射
        WeightedCode.Of("00.6600x004", 2),   // 冠状动脉球囊扩张
    ];
}
