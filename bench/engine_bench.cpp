// Google Benchmark: the agent's in-process costs for the peer workload's
// shape (N files of 200 bytes in N/50 directories): parsing the manifest,
// planning it, and a no-op run over a real temp directory. Whole-process
// figures (wall, CPU, peak RSS) come from bench/peer_compare.sh.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/engine/engine.h"
#include "agent/host/posix_host.h"
#include "common/limits.h"

namespace {

std::string makeManifest(int files, const std::string& root) {
  nlohmann::json resources = nlohmann::json::array();
  for (int d = 0; d < files / 50; ++d) {
    resources.push_back({{"id", fmt::format("dir{}", d)},
                         {"type", "file"},
                         {"params",
                          {{"path", fmt::format("{}/data/d{:03}", root, d)},
                           {"state", "directory"},
                           {"mode", "0755"}}}});
  }
  for (int i = 0; i < files; ++i) {
    resources.push_back({{"id", fmt::format("f{}", i)},
                         {"type", "copy"},
                         {"params",
                          {{"dest", fmt::format("{}/data/d{:03}/f{:05}.txt", root, i / 50, i)},
                           {"content", fmt::format("{:0>199}\n", i)},
                           {"mode", "0644"}}}});
  }
  return nlohmann::json{
      {"format_version", 1}, {"host", "bench"}, {"serial", 1}, {"resources", resources}}
      .dump();
}

void BM_ParseManifest(benchmark::State& state) {
  const std::string text = makeManifest(static_cast<int>(state.range(0)), "/srv");
  for (auto _ : state) {
    auto manifest = sc::manifest::parseManifest(text, "bench.json");
    benchmark::DoNotOptimize(manifest);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseManifest)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Plan(benchmark::State& state) {
  const auto manifest =
      *sc::manifest::parseManifest(makeManifest(static_cast<int>(state.range(0)), "/srv"), "b");
  sc::agent::ResourceContext context;
  context.max_file_bytes = sc::limits::kDefaultMaxFileBytes;
  for (auto _ : state) {
    auto plan = sc::agent::makePlan(manifest, sc::agent::builtinRegistry(), context);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_Plan)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_NoopRun(benchmark::State& state) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / fmt::format("sc-bench-{}", ::getpid());
  const auto manifest =
      *sc::manifest::parseManifest(makeManifest(static_cast<int>(state.range(0)), ""), "b");
  sc::agent::ResourceContext context;
  context.max_file_bytes = sc::limits::kDefaultMaxFileBytes;
  std::filesystem::create_directories(root / "data");
  {
    auto host = sc::agent::PosixHost::open({root.string(), {}});
    auto plan = sc::agent::makePlan(manifest, sc::agent::builtinRegistry(), context);
    sc::agent::Engine(**host, nullptr, {}, {}).run(*plan);
  }
  for (auto _ : state) {
    auto host = sc::agent::PosixHost::open({root.string(), {}});
    auto plan = sc::agent::makePlan(manifest, sc::agent::builtinRegistry(), context);
    auto report = sc::agent::Engine(**host, nullptr, {}, {}).run(*plan);
    benchmark::DoNotOptimize(report);
  }
  std::filesystem::remove_all(root);
}
BENCHMARK(BM_NoopRun)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
