namespace Grouper.Drg.Internals;

/// <summary>
/// Where the grouper's rule steps go. The grouper is generic over a struct sink, so the JIT compiles
/// the plain <see cref="NoTrace"/> path with every trace branch (and its string building) removed,
/// and the trace path as a separate copy of the same code: one rule implementation, two speeds.
/// </summary>
internal interface ITraceSink
{
    static abstract bool Enabled { get; }

    void Add(string step);
}

/// <summary>No trace: <see cref="Enabled"/> is a constant false.</summary>
internal readonly struct NoTrace : ITraceSink
{
    public static bool Enabled => false;

    public void Add(string step)
    {
    }
}

/// <summary>Appends each step to a caller's collection.</summary>
internal readonly struct ListTrace(ICollection<string> steps) : ITraceSink
{
    public static bool Enabled => true;

    public void Add(string step) => steps.Add(step);
}
