using System.CommandLine;
using System.Globalization;
using OrderFlow.Client;
using OrderFlow.Protocol;
using Symbol = OrderFlow.Protocol.Symbol;
using OrderFlow.Protocol.Metrics;
using OrderFlow.Protocol.Streams;

namespace OrderFlow.Host.Cli;

/// <summary>
/// <c>orderflow watch</c>: every symbol's order flow at a glance, in the terminal, live: the streams' states, and
/// each symbol's window from the host's event stream, redrawn every interval until Ctrl+C (<c>--once</c>: one frame).
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var window = new Option<string>("--window") { Description = "The window to show (default 1m)", DefaultValueFactory = _ => "1m" };
        var every = new Option<string>("--every") { Description = "How often to redraw (default 1s)", DefaultValueFactory = _ => "1s" };
        var once = new Option<bool>("--once") { Description = "Print one frame and exit" };
        return QueryCommands.Verb("watch", "Every symbol's order flow, live in the terminal", [window, every, once], async (parsed, client, json, cancel) =>
        {
            var span = QueryCommands.ParseWindow(parsed.GetValue(window)!, "--window");
            var interval = QueryCommands.ParseWindow(parsed.GetValue(every)!, "--every");
            if (interval < TimeSpan.FromMilliseconds(100)) throw new UsageException($"--every {parsed.GetValue(every)}: at least 100ms", "--every");
            var http = (OrderFlowHttpClient)client;
            var board = new Board();
            board.Apply(await client.GetStatusAsync().ConfigureAwait(false));
            if (parsed.GetValue(once))
            {
                foreach (var stream in board.Symbols) board.Apply(await client.GetMetricsAsync(stream, span).ConfigureAwait(false));
                board.Print(client.Address, span, clear: false);
                return OrderFlowCli.Success;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            var listening = ListenAsync(http, board, span, interval, stop.Token);
            try
            {
                using var timer = new PeriodicTimer(interval);
                var statusEvery = Math.Max(1, (int)(TimeSpan.FromSeconds(3) / interval));
                for (var frame = 1; await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false); frame++)
                {
                    if (listening.IsCompleted) await listening.ConfigureAwait(false); // the host went: say so
                    if (frame % statusEvery == 0) board.Apply(await client.GetStatusAsync().ConfigureAwait(false));
                    board.Print(client.Address, span, clear: !Console.IsOutputRedirected);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            return OrderFlowCli.Success;
        });
    }

    private static async Task ListenAsync(OrderFlowHttpClient client, Board board, TimeSpan window, TimeSpan every, CancellationToken stop)
    {
        await foreach (var message in client.EventsAsync(window, every, cancel: stop).ConfigureAwait(false)) board.Apply(message);
        throw new OrderFlowUnreachableException($"the host at {client.Address} closed its event stream: is it still running?");
    }

    /// <summary>What the screen shows, as the events and status answers bring it.</summary>
    private sealed class Board
    {
        private readonly Lock _lock = new();
        private readonly SortedDictionary<Symbol, (string State, string? Problem)> _states = new();
        private readonly Dictionary<Symbol, MetricsSnapshot> _metrics = new();

        public IReadOnlyList<Symbol> Symbols
        {
            get { lock (_lock) return _states.Keys.ToList(); }
        }

        public void Apply(object message)
        {
            lock (_lock)
            {
                switch (message)
                {
                    case StatusReport report:
                        _states.Clear();
                        foreach (var s in report.Streams) _states[s.Symbol] = (s.State.ToString(), s.State == StreamState.Connected ? null : s.LastError);
                        break;
                    case MetricsSnapshot snapshot: _metrics[snapshot.Symbol] = snapshot; break;
                    case Connected connected: _states[connected.Symbol] = (nameof(StreamState.Connected), null); break;
                    case Failed failed: _states[failed.Symbol] = ("Failed", failed.Reason); break;
                    case TimedOut timedOut: _states[timedOut.Symbol] = ("TimedOut", $"phase: {timedOut.Phase.ToWireName()}"); break;
                }
            }
        }

        public void Print(string address, TimeSpan window, bool clear)
        {
            List<string[]> rows;
            lock (_lock)
            {
                rows = _states.Select(pair => Row(pair.Key, pair.Value.State, pair.Value.Problem, _metrics.GetValueOrDefault(pair.Key))).ToList();
            }
            var height = clear ? Math.Max(5, Console.WindowHeight - 3) : int.MaxValue;
            if (clear) Console.Write("\u001b[H\u001b[2J");
            Console.WriteLine($"OrderFlow at {address}: {rows.Count} symbols, {DurationText.Format(window)} window, " +
                              $"{DateTimeOffset.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC" + (clear ? " (Ctrl+C to stop)" : ""));
            QueryCommands.Table(["SYMBOL", "STATE", "TRADES/S", "LAST", "DELTA %", "CVD", "QUALITY"], rows.Take(height), 120);
            if (rows.Count > height) Console.WriteLine($"… and {rows.Count - height} more (a taller terminal shows them)");
        }

        private static string[] Row(Symbol symbol, string state, string? problem, MetricsSnapshot? m) =>
        [
            symbol.Value, problem is null ? state : $"{state}: {problem}",
            m is null ? "-" : m.TradesPerSecond.ToString("0.##", CultureInfo.InvariantCulture),
            m?.Last is { } last ? Actors.HumanFormat.Money(last) : "-",
            m?.DeltaPercent is { } d ? (d * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) : "-",
            m is null ? "-" : Actors.HumanFormat.Signed(decimal.Round(m.Cvd.Value, 4)),
            m is null ? "-" : Quality(m),
        ];

        private static string Quality(MetricsSnapshot m) =>
            !m.Ready ? $"not ready: {m.Coverage.NotReadyBecause}"
            : m.Quality.UnrecoveredGapsInWindow > 0 ? $"{m.Quality.UnrecoveredGapsInWindow} unrecovered gap(s)"
            : m.Quality.SecondsSinceLastTrade is > 30 ? $"no trade for {m.Quality.SecondsSinceLastTrade:0}s"
            : "ok";
    }
}
