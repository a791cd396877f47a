namespace Grouper.Ingest;

/// <summary>
/// Stable reject reason codes of records.md, in validation order: a record gets the first one that
/// fails. The numeric value is the order; <see cref="RejectReasons.Name"/> gives the stable text.
/// </summary>
public enum RejectReason : byte
{
    None = 0,
    LineTooLong = 1,
    FieldCount = 2,
    MissingField = 3,
    BadText = 4,
    BadDate = 5,
    BadNumber = 6,
    BadCode = 7,
    BadDx = 8,
    BadProc = 9,
    TooManyCodes = 10,
    DateOrder = 11,
    CostSplit = 12,
    NewbornFields = 13,
    UnknownHospital = 14,
    DuplicateCase = 15,
    NoPolicy = 16,
}

public static class RejectReasons
{
    private static readonly string[] Names =
    [
        "NONE", "LINE_TOO_LONG", "FIELD_COUNT", "MISSING_FIELD", "BAD_TEXT", "BAD_DATE", "BAD_NUMBER", "BAD_CODE",
        "BAD_DX", "BAD_PROC", "TOO_MANY_CODES", "DATE_ORDER", "COST_SPLIT", "NEWBORN_FIELDS", "UNKNOWN_HOSPITAL",
        "DUPLICATE_CASE", "NO_POLICY",
    ];

    public static string Name(RejectReason reason) => Names[(int)reason];

    public static IReadOnlyList<RejectReason> All { get; } = Enum.GetValues<RejectReason>().Where(r => r != RejectReason.None).ToArray();
}

/// <summary>One line of rejects.csv. Never carries field contents beyond the case id.</summary>
public sealed record Reject(long Line, string CaseId, RejectReason Reason, string Field, string Message);
