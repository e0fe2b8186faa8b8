namespace OrderFlow.Client;

/// <summary>A question the host could not answer as asked; the message says what happened and what to check.</summary>
public class OrderFlowClientException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No host answered at the address: not started, another port, or not reachable from here.</summary>
public sealed class OrderFlowUnreachableException(string message, Exception? inner = null) : OrderFlowClientException(message, inner);

/// <summary>The host is not streaming the symbol (or does not keep the window) asked about.</summary>
public sealed class OrderFlowNotFoundException(string message) : OrderFlowClientException(message);

/// <summary>The data is not there yet (a window not covered within the wait).</summary>
public sealed class OrderFlowNotReadyException(string message) : OrderFlowClientException(message);
