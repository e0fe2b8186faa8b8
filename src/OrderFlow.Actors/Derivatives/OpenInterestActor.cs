using Akka.Actor;
using Akka.Event;
using OrderFlow.Actors.Binance;
using OrderFlow.Actors.Configuration;
using OrderFlow.Actors.Metrics;
using OrderFlow.Protocol;

namespace OrderFlow.Actors.Derivatives;

/// <summary>
/// One futures market's open interest, by REST within the market's weight budget: Binance's 5-minute record
/// (<c>openInterestHist</c>) for each of the market's symbols this node streams, the last day of it when the symbol
/// first shows, then the newest samples once each 5-minute mark has passed (Binance publishes a sample a little after
/// its time); and for the configured symbols the current value every poll interval. The calls run detached and pipe
/// back; a failure is said once (until the symbol's next success) and tried again at the next round.
/// </summary>
public sealed class OpenInterestActor : ReceiveActor, IWithTimers
{
    private sealed record Round : ILocalMessage
    {
        public static readonly Round Now = new();
    }

    private sealed record Poll : ILocalMessage
    {
        public static readonly Poll Now = new();
    }

    private sealed record RecordRead(Symbol Symbol, long Through, IReadOnlyList<OpenInterestSample> Samples) : ILocalMessage;

    private sealed record NowRead(Symbol Symbol, OpenInterestSample Sample) : ILocalMessage;

    private sealed record ReadFailed(Symbol Symbol, string Problem) : ILocalMessage;

    private const long PeriodMs = 300_000;
    /// <summary>How long after a 5-minute mark its sample is asked for.</summary>
    private const long PublishedAfterMs = 15_000;
    private const int FirstRecord = 288; // a day of samples
    private static readonly TimeSpan RoundEvery = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _market;
    private readonly BinanceRestClient _rest;
    private readonly MetricsBoards _boards;
    private readonly DerivativesSettings _settings;
    /// <summary>Each symbol's newest 5-minute mark asked for (absent: its record not read yet); asks under way are marked ahead.</summary>
    private readonly Dictionary<Symbol, long> _through = new();
    private readonly HashSet<Symbol> _asking = new();
    private readonly HashSet<Symbol> _failing = new();

    public OpenInterestActor(string market, BinanceRestClient rest, MetricsBoards boards, DerivativesSettings settings)
    {
        (_market, _rest, _boards, _settings) = (market, rest, boards, settings);
        Receive<Round>(_ => AskRecords());
        Receive<Poll>(_ => AskNow());
        Receive<RecordRead>(read =>
        {
            _asking.Remove(read.Symbol);
            if (_boards.TryGet(read.Symbol, out var board)) board.Add(read.Samples);
            _through[read.Symbol] = read.Through;
            Recovered(read.Symbol);
        });
        Receive<NowRead>(read =>
        {
            if (_boards.TryGet(read.Symbol, out var board)) board.SetOpenInterestNow(read.Sample);
            Recovered(read.Symbol);
        });
        Receive<ReadFailed>(failed =>
        {
            _asking.Remove(failed.Symbol);
            if (_failing.Add(failed.Symbol))
                _log.Warning("📊 {Symbol}: open interest not read ({Problem}); trying again at the next round", failed.Symbol, failed.Problem);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string market, BinanceRestClient rest, MetricsBoards boards, DerivativesSettings settings) =>
        Akka.Actor.Props.Create(() => new OpenInterestActor(market, rest, boards, settings));

    public static string NameFor(string market) => $"{market}-open-interest";

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(Round.Now, Round.Now, TimeSpan.FromSeconds(1), RoundEvery);
        if (_settings.Polled.Any(symbol => symbol.Market == _market)) Timers.StartPeriodicTimer(Poll.Now, Poll.Now, TimeSpan.FromSeconds(1), _settings.PollEvery);
    }

    /// <summary>Each of the market's symbols here whose record is not read yet, or whose next sample is due.</summary>
    private void AskRecords()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var due = (now - PublishedAfterMs) / PeriodMs * PeriodMs;
        foreach (var board in _boards.All)
        {
            var symbol = board.Symbol;
            if (symbol.Market != _market || board.Futures is not { Settings.OpenInterest: true } || _asking.Contains(symbol)) continue;
            var through = _through.GetValueOrDefault(symbol, long.MinValue);
            if (through >= due) continue;
            var limit = through == long.MinValue ? FirstRecord : (int)Math.Min(FirstRecord, (due - through) / PeriodMs + 1);
            _asking.Add(symbol);
            _rest.OpenInterestHistoryAsync(symbol, limit).PipeTo(Self, success: samples => new RecordRead(symbol, due, samples),
                failure: e => new ReadFailed(symbol, e.Message));
        }
    }

    private void AskNow()
    {
        foreach (var symbol in _settings.Polled)
            if (symbol.Market == _market && _boards.TryGet(symbol, out _))
                _rest.OpenInterestAsync(symbol).PipeTo(Self, success: sample => new NowRead(symbol, sample), failure: e => new ReadFailed(symbol, e.Message));
    }

    private void Recovered(Symbol symbol)
    {
        if (_failing.Remove(symbol)) _log.Info("📊 {Symbol}: open interest read again", symbol);
    }
}
