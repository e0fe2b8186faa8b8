using OrderFlow.Planner;

// orderflow-planner [--remote HOST:PORT] [--symbols A,B] [--window 5m] [--every 5s]: see README.md, "A sample planner".
return await SamplePlanner.RunAsync(args);
