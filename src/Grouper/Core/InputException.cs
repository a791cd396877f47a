namespace Grouper.Core;

/// <summary>
/// Bad input that stops a run: a missing file, a wrong header, a bad catalog or policy value, an
/// invalid hospitals.csv row. The message names the file, line and field and says what was expected;
/// the batch host prints it without a stack trace and exits with the bad-input code.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(string file, long line, string? field, string message)
        : base(Compose(file, line, field, message))
    {
        File = file;
        LineNumber = line;
        Field = field;
        Detail = message;
    }

    public InputException(string file, string message)
        : this(file, 0, null, message)
    {
    }

    public InputException()
        : base("bad input")
    {
        File = string.Empty;
        Detail = "bad input";
    }

    public InputException(string message)
        : base(message)
    {
        File = string.Empty;
        Detail = message;
    }

    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Detail = message;
    }

    public string File { get; }

    public long LineNumber { get; }

    public string? Field { get; }

    public string Detail { get; }

    private static string Compose(string file, long line, string? field, string message)
    {
        var where = line > 0 ? $"{file}, line {line}" : file;
        if (!string.IsNullOrEmpty(field))
        {
            where += $", field '{field}'";
        }

        return $"{where}: {message}";
    }
}
