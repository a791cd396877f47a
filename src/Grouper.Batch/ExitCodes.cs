namespace Grouper.Batch;

/// <summary>Process exit codes (documented in the README).</summary>
public static class ExitCodes
{
    /// <summary>Completed; every record accepted.</summary>
    public const int Success = 0;

    /// <summary>Unexpected internal failure (a bug): the message says so; no output looks complete.</summary>
    public const int Failure = 1;

    /// <summary>Bad input or configuration: missing file, wrong header, bad catalog/policy/hospitals value, bad flag.</summary>
    public const int BadInput = 2;

    /// <summary>Completed; some records were rejected (see rejects.csv).</summary>
    public const int SuccessWithRejects = 3;

    /// <summary>Stopped by Ctrl-C / SIGTERM: outputs not committed, state unchanged.</summary>
    public const int Cancelled = 130;
}
