namespace OrderFlow.Protocol;

/// <summary>The answer to a query that could not be answered, with the reason: never silence.</summary>
public sealed record QueryFailed(string Reason) : IOrderFlowMessage;
