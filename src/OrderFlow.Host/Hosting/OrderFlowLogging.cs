using System.Globalization;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Logger.Serilog;
using OrderFlow.Actors.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace OrderFlow.Host.Hosting;

/// <summary>
/// One Serilog pipeline for every line the process logs: the service's actors and Akka's own (through
/// Akka.Logger.Serilog, which logs to the static <see cref="Log.Logger"/>), Kestrel and the generic host (through
/// Microsoft.Extensions.Logging), and the demo's narration. Text keeps the seed's wording and emoji; JSON is one
/// compact Serilog object (CLEF) per line.
/// </summary>
public static class OrderFlowLogging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}";

    private static Serilog.ILogger? _started;

    /// <summary>
    /// Sets <see cref="Log.Logger"/> from the settings, once per process (the demo starts it before its exchange,
    /// the host again), and returns it; call before the actor system starts.
    /// </summary>
    public static Serilog.ILogger Start(LogSettings settings) => _started ??= Log.Logger = Create(settings);

    private static Serilog.ILogger Create(LogSettings settings)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilog(settings.Level))
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning);
        foreach (var (source, level) in settings.Levels) configuration.MinimumLevel.Override(source, ToSerilog(level));
        configuration = settings.Format == LogFormat.Json
            ? configuration.WriteTo.Console(new CompactJsonFormatter())
            : configuration.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: CultureInfo.InvariantCulture);
        return configuration.CreateLogger();
    }

    /// <summary>
    /// Akka logs through Serilog with Serilog's templates. Akka's own filter passes at least what any source asks for
    /// (or what <c>akka.loglevel</c> says, when the user set it). What Akka prints before its loggers start and after
    /// they stop (remoting's last words at shutdown) goes through Serilog too, by <see cref="StartAndEndLogger"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithOrderFlowLogging(this AkkaConfigurationBuilder builder, LogSettings settings, Config userConfig) =>
        builder
            .AddHocon($"akka.stdout-logger-class = \"{typeof(StartAndEndLogger).FullName}, {typeof(StartAndEndLogger).Assembly.GetName().Name}\"",
                HoconAddMode.Prepend)
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddSerilogLogging(enableSerilogFormatter: true);
                loggers.LogLevel = userConfig.HasPath("akka.loglevel")
                    ? Logging.LogLevelFor(userConfig.GetString("akka.loglevel").ToUpperInvariant())
                    : settings.Lowest;
            });

    private static LogEventLevel ToSerilog(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => LogEventLevel.Debug,
        LogLevel.InfoLevel => LogEventLevel.Information,
        LogLevel.WarningLevel => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };

    /// <summary>Akka's logger for the moments its logging actors are not running: writes to Serilog as they would.</summary>
    public sealed class StartAndEndLogger : MinimalLogger
    {
        protected override void Log(object message)
        {
            if (message is not Akka.Event.LogEvent e) return;
            Serilog.Log.Logger.ForContext("LogSource", e.LogSource).Write(ToSerilog(e.LogLevel()), e.Cause, "{AkkaMessage:l}", e.Message);
        }
    }
}
