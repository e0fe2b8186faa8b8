namespace OrderFlow.Actors.Sequencing;

/// <summary>Whether the tape has started, and whether it is interrupted (its end beyond the last trade unknown).</summary>
internal sealed class TapeState
{
    public bool Started { get; private set; }
    public bool Interrupted { get; private set; }

    public void Start() => (Started, Interrupted) = (true, false);

    public bool TryInterrupt()
    {
        if (!Started || Interrupted) return false;
        Interrupted = true;
        return true;
    }

    public void Resume() => Interrupted = false;
}
