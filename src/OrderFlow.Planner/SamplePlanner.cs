using System.Collections.Concurrent;
using System.Globalization;
using OrderFlow.Client;
using OrderFlow.Protocol;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Planner;

/// <summary>
/// Waits for the host, then every few seconds prints a plan bias per symbol from one rolling window. It never plans
/// on missing data: a window that is not ready is waited for, saying what is missing, and a stream that fails or
/// times out pauses that symbol's plans until the window is whole again.
/// </summary>
public static class SamplePlanner
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var options = Options.Parse(args);
        if (options.Error is { } error)
        {
            Console.Error.WriteLine($"orderflow-planner: {error} (see orderflow-planner --help)");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            await using var client = await ConnectAsync(options.Akka ?? HostEndpoints.FindRunning()?.Akka ?? OrderFlowClient.DefaultAddress, stop.Token);
            var symbols = options.Symbols ?? (await client.GetStatusAsync()).Streams.Select(s => s.Symbol).ToList();
            var paused = new ConcurrentDictionary<Symbol, string>();
            // Only the symbols it plans: the host streams others it has no word to say about.
            client.Lifecycle += e =>
            {
                if (symbols.Contains(e.Symbol)) OnLifecycle(e, paused);
            };
            client.Disconnected += () => Say("🔌 the host went away: every plan is paused; restart the planner once it is back");
            await client.SubscribeLifecycleAsync();

            Say($"🧭 planning {string.Join(", ", symbols)} from the {Window(options.Window)} window every {options.Every.TotalSeconds:0.#}s");
            var previousCvd = new Dictionary<Symbol, decimal>();
            while (!stop.IsCancellationRequested)
            {
                foreach (var symbol in symbols) await PlanAsync(client, symbol, options.Window, paused, previousCvd);
                await Task.Delay(options.Every, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (OrderFlowClientException e)
        {
            Console.Error.WriteLine($"orderflow-planner: {e.Message}");
            return 1;
        }
        return 0;
    }

    private static async Task<OrderFlowClient> ConnectAsync(string remote, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                return await OrderFlowClient.ConnectAsync(remote);
            }
            catch (OrderFlowUnreachableException e)
            {
                Say($"⏳ waiting for the host: {e.Message}");
                await Task.Delay(TimeSpan.FromSeconds(3), stop);
            }
        }
    }

    private static void OnLifecycle(IStreamLifecycleEvent e, ConcurrentDictionary<Symbol, string> paused)
    {
        switch (e)
        {
            case TimedOut timedOut:
                paused[e.Symbol] = $"its stream timed out (phase: {timedOut.Phase.ToWireName()})";
                Say($"⏸ {e.Symbol}: PLANS PAUSED: {paused[e.Symbol]}");
                break;
            case Failed failed:
                paused[e.Symbol] = $"its stream failed: {failed.Reason}";
                Say($"⏸ {e.Symbol}: PLANS PAUSED: {paused[e.Symbol]}");
                break;
            case Connected:
                Say($"🔗 {e.Symbol}: stream connected again; plans resume once the window is whole");
                break;
        }
    }

    private static async Task PlanAsync(OrderFlowClient client, Symbol symbol, TimeSpan window,
        ConcurrentDictionary<Symbol, string> paused, Dictionary<Symbol, decimal> previousCvd)
    {
        try
        {
            var metrics = await client.GetMetricsAsync(symbol, window);
            if (!metrics.Ready)
            {
                Say($"⏳ {symbol}: no plan: waiting for the {Window(window)} window ({metrics.Coverage.Fraction * 100:0.0}% covered): {metrics.Coverage.NotReadyBecause}");
                return;
            }
            // A ready window proves the tape whole again: whatever paused the plans is over.
            if (paused.TryRemove(symbol, out var why)) Say($"▶ {symbol}: plans resume (they were paused because {why})");
            var (bias, reasons) = PlanBias.Read(metrics, previousCvd.TryGetValue(symbol, out var before) ? before : null);
            previousCvd[symbol] = metrics.Cvd.Value;
            var icon = bias switch { Bias.Long => "🟢", Bias.Short => "🔴", _ => "⚪" };
            Say($"{icon} {symbol}: {bias.ToString().ToUpperInvariant()} bias: {reasons}");
        }
        catch (OrderFlowClientException e)
        {
            Say($"⚠️ {symbol}: no plan: {e.Message}");
        }
    }

    private static void Say(string line) =>
        Console.WriteLine($"[{DateTimeOffset.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {line}");

    private static string Window(TimeSpan window) => DurationText.Format(window);

    private const string Usage = """
        usage: orderflow-planner [--akka HOST:PORT] [--symbols BTCUSDT,ETHUSDT] [--window 5m] [--every 5s]

        Prints a long/short/neutral bias per symbol from a running host's order flow, never from a window that is not ready.
          --akka HOST:PORT   the host's Akka.Remote address, its --akka-port (default: the host running on this machine,
                             found by itself; else 127.0.0.1:4053)
          --symbols A,B      the symbols to plan (default: every symbol the host streams)
          --window 5m        the window to read (one the host keeps: 1m, 5m, 15m, 1h)
          --every 5s         how often to plan
        """;

    private sealed record Options(string? Akka, IReadOnlyList<Symbol>? Symbols, TimeSpan Window, TimeSpan Every, string? Error)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(null, null, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), null);
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                if (value is null) return options with { Error = $"{args[i]} needs a value" };
                options = args[i] switch
                {
                    "--akka" => OrderFlowQueryClient.TryParseAddress(value, out _, out _) ? options with { Akka = value }
                        : options with { Error = $"--akka {value}: use HOST:PORT, the host's --akka-port, such as {OrderFlowClient.DefaultAddress}" },
                    "--symbols" => ParseSymbols(options, value),
                    "--window" => ParseDuration(value) is { } w ? options with { Window = w } : options with { Error = $"--window {value}: use 1m, 5m, 15m or 1h" },
                    "--every" => ParseDuration(value) is { } e ? options with { Every = e } : options with { Error = $"--every {value}: use a duration such as 5s" },
                    _ => options with { Error = $"unknown option {args[i]}" },
                };
                if (options.Error is not null) return options;
                i++;
            }
            return options;
        }

        private static Options ParseSymbols(Options options, string value)
        {
            var symbols = new List<Symbol>();
            foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Symbol.TryParse(name, out var symbol, out var error)) return options with { Error = error };
                symbols.Add(symbol);
            }
            return options with { Symbols = symbols };
        }

        private static TimeSpan? ParseDuration(string text) => DurationText.TryParse(text, out var span) && span > TimeSpan.Zero ? span : null;
    }
}
