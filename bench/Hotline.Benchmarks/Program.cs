using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Hotline.Benchmarks -- --filter '*'
// (add --job short for a quicker, rougher run)
BenchmarkSwitcher.FromAssembly(typeof(Hotline.Benchmarks.EnvelopeBenchmarks).Assembly).Run(args);
