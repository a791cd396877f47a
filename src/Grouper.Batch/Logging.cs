using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Grouper.Batch;

/// <summary>
/// Logs through <see cref="ILogger"/> to stderr (never stdout): one plain line per message, or JSON
/// lines with <c>--log-format json</c>. Built on the generic host's logging.
/// </summary>
public sealed class Logging : IDisposable
{
    private readonly IHost _host;

    private Logging(IHost host, bool interactive)
    {
        _host = host;
        Interactive = interactive;
        Factory = (ILoggerFactory)host.Services.GetService(typeof(ILoggerFactory))!;
    }

    public ILoggerFactory Factory { get; }

    /// <summary>True when stderr is a terminal and logs are plain text: the live progress display is used.</summary>
    public bool Interactive { get; }

    public static Logging Create(Settings settings)
    {
        var format = settings.GetOr("--log-format", "text");
        if (format is not ("text" or "json"))
        {
            throw new UsageException($"setting {Settings.Describe("--log-format")}: expected text or json, got '{format}'");
        }

        var level = settings.GetOr("--log-level", "information");
        if (!Enum.TryParse<LogLevel>(level, ignoreCase: true, out var minLevel))
        {
            throw new UsageException($"setting {Settings.Describe("--log-level")}: expected trace, debug, information, warning or error, got '{level}'");
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(minLevel);
        if (format == "json")
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        var host = builder.Build();
        return new Logging(host, format == "text" && !Console.IsErrorRedirected);
    }

    public void Dispose() => _host.Dispose();
}
