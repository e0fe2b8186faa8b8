using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Running;
using OrderFlow.Actors.History;
using OrderFlow.Protocol.Trades;

namespace OrderFlow.Benchmarks;

/// <summary>Runs the chosen benchmarks, prints their table and writes it to bench/results.md.</summary>
public static class BenchmarkCommand
{

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.FirstOrDefault() == "micro")
        {
            BenchmarkSwitcher.FromTypes([typeof(MicroBenchmarks)]).Run(args[1..]);
            return 0;
        }

        if (args.FirstOrDefault() == "universe")
        {
            Console.WriteLine(UniverseHeader);
            Console.WriteLine(await UniverseRowAsync(Option(args, "--symbols", 1000), Option(args, "--rate", 5000),
                Option(args, "--settle-seconds", 30), Option(args, "--cpu-seconds", 60), Option(args, "--query-seconds", 20),
                store: !args.Contains("--store-off")));
            return 0;
        }

        if (args.FirstOrDefault() == "bars-memory")
        {
            Console.WriteLine(BarsMemory.Row(Option(args, "--symbols", 20), Option(args, "--spacing-ms", 500)));
            return 0;
        }
        if (args.FirstOrDefault() == "cluster")
        {
            Console.WriteLine(ClusterHeader);
            foreach (var row in await ClusterFailover.RunAsync(Option(args, "--symbols", 30), Option(args, "--rate", 300))) Console.WriteLine(row);
            return 0;
        }

        if (args.FirstOrDefault() == "host-flood")
        {
            Console.WriteLine(HostFloodHeader);
            Console.WriteLine(await HostFloodRowAsync(Option(args, "--trades", 1_000_000), Option(args, "--runs", 5)));
            return 0;
        }

        if (args.FirstOrDefault() == "price-range")
        {
            Console.WriteLine(PriceRange.BoardHeader);
            foreach (var row in PriceRange.BoardRows(2_000_000, 5)) Console.WriteLine(row);
            Console.WriteLine();
            Console.WriteLine(PriceRange.HostHeader);
            // Each pair's row is printed as it finishes; then the median.
            Console.WriteLine((await PriceRange.HostRowsAsync(Option(args, "--trades", 1_000_000), Option(args, "--pairs", 10)))[^1]);
            return 0;
        }

        if (args.FirstOrDefault() == "store")
        {
            var rows = new StringBuilder();
            await StoreRowsAsync(rows, Option(args, "--runs", 3));
            Console.WriteLine(rows);
            return 0;
        }

        if (args.FirstOrDefault() == "latency")
        {
            await WarmUpAsync(LatencyWarmUpAsync);
            await LatencyRowsAsync(new StringBuilder());
            return 0;
        }

        // `e2e` runs the end-to-end rows alone (`queries` only those under load, and `latency` the latency rows), for
        // quick iterations; they are printed, not written.
        var queriesOnly = args.FirstOrDefault() == "queries";
        var endToEndOnly = queriesOnly || args.FirstOrDefault() == "e2e";

        // Memory first, while the process holds nothing else.
        MemoryResult? memory = null;
        if (!endToEndOnly)
        {
            Console.WriteLine("filling 50 histories of 500,000 trades...");
            memory = await Memory.RunAsync(50, 500_000);
        }

        await WarmUpAsync(async () =>
        {
            await EndToEnd.RunAsync(2, 100_000, TimeSpan.FromMinutes(2));
            await EndToEnd.QueriesUnderLoadAsync(2, 100_000, TimeSpan.FromMinutes(2));
            await LatencyWarmUpAsync();
        });

        var trades = Option(args, "--trades", 1_000_000);
        var symbols = Option(args, "--symbols", 0);
        // The machine is shared and a run's ratio moves with its neighbours: each case runs several times and the
        // run with the median ratio is reported.
        var runsPerCase = Option(args, "--runs", 5);
        var report = new StringBuilder();
        report.AppendLine("# OrderFlow.Actors benchmark results").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
                                                        $"{RuntimeInformation.FrameworkDescription}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC.").AppendLine();
        report.AppendLine("## End to end: the full pipeline against a raw ClientWebSocket + Utf8JsonReader loop, same flood, same run").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Each row is the median (by ratio) of {runsPerCase} runs, with nothing else asking the host.").AppendLine();
        report.AppendLine("| symbols | trades | raw trades/s | pipeline trades/s | pipeline / raw | target ≥ 0.8 | gaps | duplicates | ratios of all runs | the pipeline run's profile |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        (int Symbols, int PerSymbol)[] cases = symbols > 0 ? [(symbols, trades / symbols)] : [(1, trades), (50, trades / 50)];
        foreach (var (count, perSymbol) in queriesOnly ? [] : cases)
        {
            Console.WriteLine($"flooding {count} symbol(s) with {perSymbol:N0} trades each...");
            var runs = new List<EndToEndResult>();
            for (var run = 0; run < runsPerCase; run++) runs.Add(await EndToEnd.RunAsync(count, perSymbol, TimeSpan.FromMinutes(5)));
            var result = runs.OrderBy(r => r.Ratio).ElementAt(runsPerCase / 2);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| {count} | {result.Trades:N0} | {result.RawPerSecond:N0} | {result.PipelinePerSecond:N0} | {result.Ratio:0.00} | " +
                $"{(result.Ratio >= 0.8 ? "met" : "**missed**")} | {result.Gaps} | {result.Duplicates} | " +
                $"{string.Join(", ", runs.Select(r => r.Ratio.ToString("0.00", CultureInfo.InvariantCulture)))} | {result.Profile} |");
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        report.AppendLine().AppendLine("## Query under load: GetMetrics from a planner process over remoting, asked back to back while the pipeline takes the flood").AppendLine();
        await QueryRowsAsync(report, cases, runsPerCase, perSecond: null);
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"## Query under a paced load: the same, while the tapes arrive at {PacedQueryLoad:N0} trades/s in all (no flood)").AppendLine();
        await QueryRowsAsync(report, cases.Select(entry => (entry.Symbols, (int)(PacedQueryLoad * PacedQueryFor.TotalSeconds) / entry.Symbols)).ToArray(), runsPerCase, PacedQueryLoad);

        if (endToEndOnly || memory is null) return 0;

        await LatencyRowsAsync(report);

        report.AppendLine().AppendLine("## A universe through the real host process (`orderflow run --symbols '*USDT'`), the exchange in another process").AppendLine();
        report.AppendLine(UniverseHeader);
        report.AppendLine(await UniverseRowAsync(1000, 5000, settleSeconds: 30, cpuSeconds: 60, querySeconds: 20));

        report.AppendLine().AppendLine("## One symbol flooded through the real host process, against a bare socket read of the same flood (sender in another process)").AppendLine();
        report.AppendLine(HostFloodHeader);
        report.AppendLine(await HostFloodRowAsync(1_000_000, runsPerCase));

        await StoreRowsAsync(report, runsPerCase);

        report.AppendLine().AppendLine("## History").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Bytes per trade held (500,000 trades, measured): {HistoryBytesPerTrade(500_000):0.00} (target ≤ 32).");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Process RSS with 50 symbols × 500,000 trades in history (and their metrics): {memory.RssAfterBytes / 1048576.0:N0} MiB " +
            $"({memory.RssBeforeBytes / 1048576.0:N0} MiB before filling; {memory.BytesPerTrade:0.0} bytes per trade held, managed heap {memory.ManagedAfterBytes / 1048576.0:N0} MiB).");
        Console.WriteLine(report.ToString());
        var path = Path.Combine(FindRepository(), "bench", "results.md");
        await File.WriteAllTextAsync(path, report.ToString());
        Console.WriteLine($"written to {path}");
        return 0;
    }

    /// <summary>Fifty times the busiest symbols' aggregate-trade rate on Binance, about what a hundred symbols peak at together.</summary>
    private const double PacedQueryLoad = 100_000;

    private static readonly TimeSpan PacedQueryFor = TimeSpan.FromSeconds(5);

    private static async Task QueryRowsAsync(StringBuilder report, (int Symbols, int PerSymbol)[] cases, int runsPerCase, double? perSecond)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"Each row is the median (by p99) of {runsPerCase} runs.").AppendLine();
        report.AppendLine("| symbols | trades | asks | p50 | p99 | max | target p99 ≤ 2 ms | p99 of all runs | the same planner before the load (1 s) | pipeline trades/s meanwhile | the run's profile |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (count, perSymbol) in cases)
        {
            Console.WriteLine(perSecond is null ? $"asking for metrics while {count} symbol(s) flood..." : $"asking for metrics while {count} symbol(s) stream {perSecond:N0} trades/s...");
            var runs = new List<QueryUnderLoadResult>();
            for (var run = 0; run < runsPerCase; run++) runs.Add(await EndToEnd.QueriesUnderLoadAsync(count, perSymbol, TimeSpan.FromMinutes(5), perSecond));
            var result = runs.OrderBy(r => r.Queries.P99Millis).ElementAt(runsPerCase / 2);
            var queries = result.Queries;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| {count} | {(long)count * perSymbol:N0} | {queries.Count} | {queries.P50Millis:0.00} ms | {queries.P99Millis:0.00} ms | {queries.MaxMillis:0.00} ms | " +
                $"{(queries.P99Millis <= 2 ? "met" : "**missed**")} | " +
                $"{string.Join(", ", runs.Select(r => r.Queries.P99Millis.ToString("0.0", CultureInfo.InvariantCulture)))} ms | " +
                $"{result.AtRest.Count} asks: p50 {result.AtRest.P50Millis:0.00} ms, p99 {result.AtRest.P99Millis:0.00} ms, max {result.AtRest.MaxMillis:0.00} ms | " +
                $"{result.PipelinePerSecond:N0} | {result.Profile} |");
            Console.WriteLine(line);
            report.AppendLine(line);
        }
    }

    /// <summary>
    /// Unmeasured rounds until the JIT is quiet (a round compiled fewer than 100 methods; 5 rounds at most), so no
    /// measured run pays for compiling, and then recompiling optimized (tiered compilation), the code it runs.
    /// </summary>
    private static async Task WarmUpAsync(Func<Task> round)
    {
        for (var number = 1; number <= 5; number++)
        {
            var before = JitInfo.GetCompiledMethodCount();
            await round();
            var compiled = JitInfo.GetCompiledMethodCount() - before;
            Console.WriteLine($"warm-up round {number}: {compiled:N0} methods compiled");
            if (compiled < 100) return;
        }
    }

    /// <summary>A second at each pace the latency rows measure.</summary>
    private static async Task LatencyWarmUpAsync()
    {
        foreach (var rate in new[] { 1_000, 10_000, 100_000 }) await Latency.RunAsync(rate, rate, TimeSpan.FromMinutes(2));
    }

    private static async Task LatencyRowsAsync(StringBuilder report)
    {
        report.AppendLine().AppendLine("## Latency: from the sender's write to the metrics update applied, at paced rates (one symbol)").AppendLine();
        report.AppendLine("| rate (trades/s) | trades | p50 | p99 | p99.9 | max | target (10k/s): p99 ≤ 1 ms, p99.9 ≤ 5 ms | p99 of each second, in order | the run's profile |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var rate in new[] { 1_000, 10_000, 100_000 })
        {
            Console.WriteLine($"pacing {rate:N0} trades/s for 5 s...");
            var latency = await Latency.RunAsync(rate, rate * 5, TimeSpan.FromMinutes(2));
            var verdict = rate != 10_000 ? "" : latency.P99Micros <= 1_000 && latency.P999Micros <= 5_000 ? "met" : "**missed**";
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| {rate:N0} | {latency.Trades:N0} | {latency.P50Micros:N0} µs | {latency.P99Micros:N0} µs | {latency.P999Micros:N0} µs | {latency.MaxMicros:N0} µs | {verdict} | " +
                $"{string.Join(", ", latency.PerSecondP99Micros.Select(p99 => p99.ToString("N0", CultureInfo.InvariantCulture)))} µs | {latency.Profile} |");
            Console.WriteLine(line);
            report.AppendLine(line);
        }
    }

    /// <summary>Bytes the ring allocates to hold <paramref name="capacity"/> trades, per trade: all it ever holds.</summary>
    public static double HistoryBytesPerTrade(int capacity)
    {
        var tape = Tapes.Make(capacity, seed: 7);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ring = new TradeRing(capacity);
        foreach (var trade in tape) ring.Append(trade);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(ring);
        return allocated / (double)capacity;
    }

    private const string ClusterHeader = """
        | three `orderflow run --cluster` processes, one shared store | took (failover target ≤ 15 s) | what it measured |
        |---|---|---|
        """;

    private const string UniverseHeader = """
        | symbols, load | every symbol streaming after (target ≤ 60 s) | connections | host CPU, steady (target ≤ 15% of one core) | host RSS | GetMetrics from a planner process (target p99 ≤ 2 ms) |
        |---|---|---|---|---|---|
        """;

    private static async Task<string> UniverseRowAsync(int symbols, int rate, int settleSeconds, int cpuSeconds, int querySeconds, bool store = true)
    {
        var result = await Universe.RunAsync(symbols, rate, TimeSpan.FromSeconds(settleSeconds), TimeSpan.FromSeconds(cpuSeconds),
            TimeSpan.FromSeconds(querySeconds), store);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {result.Symbols} symbols, {result.TradesPerSecond:0} trades/s in all, skewed (1/n){(store ? "" : ", store off")}; {result.ReceivedPerSecond:N0}/s received | {result.AllStreaming.TotalSeconds:0.0} s " +
            $"| {result.Connections} | {result.CpuPercentOfOneCore:0.0}% over {cpuSeconds} s, after {settleSeconds} s settling " +
            $"| {result.RssBytes / 1048576.0:0} MiB ({result.RssBytes / 1024.0 / result.Symbols:0} KiB per symbol) " +
            $"| {result.Queries.Count} asks in {querySeconds} s: p50 {result.Queries.P50Millis:0.00} ms, p99 {result.Queries.P99Millis:0.00} ms, max {result.Queries.MaxMillis:0.00} ms |");
    }

    private const string HostFloodHeader = """
        | trades | half | bare read trades/s | host trades/s | host / bare (target ≥ 0.85) | ratios of all runs | gaps | duplicates |
        |---|---|---|---|---|---|---|---|
        """;

    /// <summary>Two lines, the median run of <paramref name="runs"/> for each half, by its ratio.</summary>
    private static async Task<string> HostFloodRowAsync(int trades, int runs)
    {
        await HostFlood.WarmUpAsync("BTCUSDT", trades, TimeSpan.FromMinutes(2));
        var results = new List<HostFloodResult>();
        for (var run = 0; run < runs; run++)
        {
            results.Add(await HostFlood.RunAsync("BTCUSDT", trades, TimeSpan.FromMinutes(2)));
            Console.WriteLine($"run {run + 1}: ratio {results[^1].ColdRatio:0.00} cold, {results[^1].WarmRatio:0.00} warm");
        }
        string Line(string half, Func<HostFloodResult, double> ratio, Func<Halves, TimeSpan> of)
        {
            var median = results.OrderBy(ratio).ElementAt(runs / 2);
            return string.Create(CultureInfo.InvariantCulture,
                $"| {trades:N0} | {half} | {trades / of(median.Bare).TotalSeconds:N0} | {trades / of(median.Host).TotalSeconds:N0} " +
                $"| {ratio(median):0.00} ({(ratio(median) >= 0.85 ? "met" : "**missed**")}) " +
                $"| {string.Join(", ", results.Select(r => ratio(r).ToString("0.00", CultureInfo.InvariantCulture)))} | {median.Gaps} | {median.Duplicates} |");
        }
        return Line("first (a fresh process)", r => r.ColdRatio, h => h.First) + "\n" + Line("second (warm)", r => r.WarmRatio, h => h.Second);
    }

    /// <summary>The tape store's rows: SQLite's write rate and bytes per trade, PostgreSQL's write rate, the flood with the store on and off, a restart.</summary>
    private static async Task StoreRowsAsync(StringBuilder report, int runs)
    {
        report.AppendLine().AppendLine("## The tape store (SQLite, the default)").AppendLine();
        report.AppendLine("| case | result | target |").AppendLine("|---|---|---|");
        foreach (var (symbols, perSymbol) in new[] { (1, 1_000_000), (50, 20_000) })
        {
            var written = new List<StoreWriteResult>();
            for (var run = 0; run < runs; run++) written.Add(await StoreBench.WriteAsync(symbols, perSymbol));
            var median = written.OrderBy(w => w.TradesPerSecond).ElementAt(runs / 2);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| write {median.Trades:N0} trades of {symbols} symbol(s) in the recorders' batches of 1,000 | {median.TradesPerSecond:N0} trades/s " +
                $"(runs {string.Join(", ", written.Select(w => w.TradesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}); {median.BytesPerTrade:0.0} bytes per trade on disk " +
                $"| ≥ 200,000/s ({(median.TradesPerSecond >= 200_000 ? "met" : "**missed**")}); ≤ 40 B ({(median.BytesPerTrade <= 40 ? "met" : "**missed**")}) |");
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        foreach (var (symbols, perSymbol) in new[] { (1, 1_000_000), (50, 20_000) })
        {
            var written = new List<StoreWriteResult>();
            for (var run = 0; run < runs; run++) written.Add(await StoreBench.WritePostgresAsync(symbols, perSymbol));
            var median = written.OrderBy(w => w.TradesPerSecond).ElementAt(runs / 2);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| PostgreSQL (binary COPY), {median.Trades:N0} trades of {symbols} symbol(s), the same batches | {median.TradesPerSecond:N0} trades/s " +
                $"(runs {string.Join(", ", written.Select(w => w.TradesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}) " +
                $"| ≥ 100,000/s ({(median.TradesPerSecond >= 100_000 ? "met" : "**missed**")}) |");
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var on = new List<HostFloodResult>();
        var off = new List<HostFloodResult>();
        for (var run = 0; run < runs; run++)
        {
            on.Add(await HostFlood.RunAsync("BTCUSDT", 1_000_000, TimeSpan.FromMinutes(2)));
            off.Add(await HostFlood.RunAsync("BTCUSDT", 1_000_000, TimeSpan.FromMinutes(2), "orderflow.store.kind = off\n"));
        }
        double Rate(HostFloodResult r) => r.Trades / r.Host.Second.TotalSeconds;
        var (withStore, without) = (on.Select(Rate).Order().ElementAt(runs / 2), off.Select(Rate).Order().ElementAt(runs / 2));
        var flood = string.Create(CultureInfo.InvariantCulture,
            $"| one symbol flooded through the real host (the warm million), store on against off | {withStore:N0} against {without:N0} trades/s: " +
            $"{withStore / without:0.00} (on: {string.Join(", ", on.Select(r => Rate(r).ToString("N0", CultureInfo.InvariantCulture)))}; " +
            $"off: {string.Join(", ", off.Select(r => Rate(r).ToString("N0", CultureInfo.InvariantCulture)))}) | ≥ 0.95 ({(withStore / without >= 0.95 ? "met" : "**missed**")}) |");
        Console.WriteLine(flood);
        report.AppendLine(flood);

        // The same comparison at a load a user runs: a universe at its paced rate, where the store's cost is CPU and latency.
        var universeOn = new List<UniverseResult>();
        var universeOff = new List<UniverseResult>();
        for (var run = 0; run < runs; run++)
        {
            universeOn.Add(await Universe.RunAsync(1000, 5000, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), store: true));
            universeOff.Add(await Universe.RunAsync(1000, 5000, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), store: false));
        }
        UniverseResult Median(List<UniverseResult> results) => results.OrderBy(r => r.ReceivedPerSecond).ElementAt(runs / 2);
        var (universeWith, universeWithout) = (Median(universeOn), Median(universeOff));
        var ratio = universeWith.ReceivedPerSecond / universeWithout.ReceivedPerSecond;
        string Runs(List<UniverseResult> results) => string.Join(", ", results.Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.ReceivedPerSecond:N0}/s at {r.CpuPercentOfOneCore:0}%")));
        var universe = string.Create(CultureInfo.InvariantCulture,
            $"| 1000 symbols at 5,000 trades/s in all (skewed), through the real host, store on against off | {universeWith.ReceivedPerSecond:N0} against " +
            $"{universeWithout.ReceivedPerSecond:N0} trades/s received: {ratio:0.00}; host CPU {universeWith.CpuPercentOfOneCore:0.0}% against " +
            $"{universeWithout.CpuPercentOfOneCore:0.0}% of one core; GetMetrics p99 {universeWith.Queries.P99Millis:0.00} against " +
            $"{universeWithout.Queries.P99Millis:0.00} ms (on: {Runs(universeOn)}; off: {Runs(universeOff)}) | ≥ 0.95 ({(ratio >= 0.95 ? "met" : "**missed**")}) |");
        Console.WriteLine(universe);
        report.AppendLine(universe);

        var replays = new List<double>();
        for (var run = 0; run < runs; run++) replays.Add(await StoreBench.ReplayAsync(1_000_000));
        var replay = replays.Order().ElementAt(runs / 2);
        var replayLine = string.Create(CultureInfo.InvariantCulture,
            $"| `orderflow replay --speed max` of 1,000,000 recorded trades (one symbol, SQLite), the real host | {replay:N0} trades/s " +
            $"(runs {string.Join(", ", replays.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}) | ≥ 500,000/s ({(replay >= 500_000 ? "met" : "**missed**")}) |");
        Console.WriteLine(replayLine);
        report.AppendLine(replayLine);

        var ready = await StoreBench.RestartToReadyAsync();
        var restart = string.Create(CultureInfo.InvariantCulture,
            $"| restart to a ready 1h window, the store holding the hour (BTCUSDT, 20 trades/s, 72,000 trades) | {ready.TotalSeconds:0.0} s from the process's start | |");
        Console.WriteLine(restart);
        report.AppendLine(restart);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "OrderFlow.Actors.sln"))) return directory.FullName;
        return Directory.GetCurrentDirectory();
    }
}
