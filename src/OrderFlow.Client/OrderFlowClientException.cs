using OrderFlow.Protocol;

namespace OrderFlow.Client;

/// <summary>
/// A question the host could not answer as asked; the message says what happened and what to check, and
/// <see cref="Problem"/> is the kind of failure as the HTTP API names it (<see cref="HttpApi.Problems"/>).
/// </summary>
public class OrderFlowClientException(string message, Exception? inner = null, string problem = HttpApi.Problems.Unavailable) : Exception(message, inner)
{
    public string Problem { get; } = problem;
}

/// <summary>No host answered at the address: not started, another port, or not reachable from here.</summary>
public sealed class OrderFlowUnreachableException(string message, Exception? inner = null)
    : OrderFlowClientException(message, inner, HttpApi.Problems.Unreachable);

/// <summary>The host is not streaming the symbol (or does not keep the window, or Binance does not list it).</summary>
public sealed class OrderFlowNotFoundException(string message, string problem = HttpApi.Problems.NotStreamed) : OrderFlowClientException(message, null, problem);

/// <summary>The data is not there yet (a window not covered within the wait).</summary>
public sealed class OrderFlowNotReadyException(string message) : OrderFlowClientException(message, null, HttpApi.Problems.NotReady);
