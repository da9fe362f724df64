// Helpers shared by the unit tests: building manifests and plans in code and
// running them on a Host with the engine.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "agent/engine/engine.h"
#include "agent/resources/registry.h"
#include "common/limits.h"
#include "common/manifest/manifest.h"

namespace sc::testing {

inline manifest::ResourceSpec makeSpec(std::string id, std::string type,
                                       nlohmann::json params = nlohmann::json::object()) {
  manifest::ResourceSpec spec;
  spec.id = std::move(id);
  spec.type = std::move(type);
  spec.params = std::move(params);
  return spec;
}

// A manifest whose resources and handlers carry the pointers parseManifest
// would give them ("/resources/2", "/handlers/0").
inline manifest::Manifest makeManifest(std::vector<manifest::ResourceSpec> resources,
                                       std::vector<manifest::ResourceSpec> handlers = {}) {
  manifest::Manifest out;
  out.host = "test";
  out.serial = 1;
  out.resources = std::move(resources);
  out.handlers = std::move(handlers);
  for (std::size_t i = 0; i < out.resources.size(); ++i) {
    out.resources[i].pointer = "/resources/" + std::to_string(i);
  }
  for (std::size_t i = 0; i < out.handlers.size(); ++i) {
    out.handlers[i].pointer = "/handlers/" + std::to_string(i);
  }
  return out;
}

inline agent::ResourceContext contextWithLimit(
    std::uint64_t max_file_bytes = limits::kDefaultMaxFileBytes) {
  agent::ResourceContext context;
  context.max_file_bytes = max_file_bytes;
  return context;
}

inline Result<agent::Plan> planFor(const manifest::Manifest& manifest,
                                   std::uint64_t max_file_bytes = limits::kDefaultMaxFileBytes) {
  return agent::makePlan(manifest, agent::builtinRegistry(), contextWithLimit(max_file_bytes));
}

// The resource `spec` describes, created as the engine creates it just
// before running it; null (and a test failure) when `spec` is invalid.
inline std::unique_ptr<agent::Resource> createResource(const manifest::ResourceSpec& spec) {
  auto created = agent::builtinRegistry().create(spec, contextWithLimit());
  if (!created) {
    ADD_FAILURE() << "resource not created: " << created.error().describe();
    return nullptr;
  }
  return std::move(*created);
}

// Plans and runs `manifest`; a manifest that does not plan is a test failure
// and gives an empty report.
inline agent::RunReport runManifest(agent::Host& host, const manifest::Manifest& manifest,
                                    agent::RunOptions options = {},
                                    agent::StateDir* state = nullptr) {
  if (options.max_file_bytes == 0) options.max_file_bytes = limits::kDefaultMaxFileBytes;
  auto plan = planFor(manifest, options.max_file_bytes);
  if (!plan) {
    ADD_FAILURE() << "manifest does not plan: " << plan.error().describe();
    return {};
  }
  agent::Engine engine(host, state, options, {});
  return engine.run(*plan);
}

// "id=outcome" for each resource in a report, in order.
inline std::vector<std::string> outcomes(const agent::RunReport& report) {
  std::vector<std::string> out;
  for (const auto& r : report.resources) {
    out.push_back(r.id + "=" + std::string(agent::outcomeName(r.outcome)));
  }
  return out;
}

}  // namespace sc::testing

#include <optional>

#include "tests/support/fake_host.h"

namespace sc::testing {

// One run of a text-editing kind (lineinfile, blockinfile, replace) over
// `initial` at /etc/app.conf on a FakeHost, then a second run that must
// change nothing.
struct EditRun {
  agent::Outcome outcome = agent::Outcome::Ok;
  agent::Outcome second = agent::Outcome::Ok;
  std::string content;  // "<missing>" when the file does not exist
  std::string message;
  std::string reason;
};

inline EditRun runEdit(const std::string& kind, nlohmann::json params,
                       const std::optional<std::string>& initial) {
  const std::string path = "/etc/app.conf";
  FakeHost host;
  host.addDirectory("/etc");
  if (initial) host.addFile(path, *initial);
  params["path"] = path;
  const auto m = makeManifest({makeSpec("edit", kind, params)});
  EditRun out;
  const auto first = runManifest(host, m);
  if (first.resources.size() != 1) {
    ADD_FAILURE() << "expected one resource in the report";
    return out;
  }
  out.outcome = first.resources[0].outcome;
  out.message = first.resources[0].message;
  out.reason = first.resources[0].reason;
  const auto second = runManifest(host, m);
  if (second.resources.size() == 1) out.second = second.resources[0].outcome;
  const auto* node = host.find(path);
  out.content = node != nullptr ? node->content : "<missing>";
  return out;
}

struct EditCase {
  std::string name;
  nlohmann::json params;
  std::optional<std::string> initial;
  std::string expected;
  agent::Outcome outcome = agent::Outcome::Changed;
};

inline void checkEdits(const std::string& kind, const std::vector<EditCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(kind + ": " + c.name);
    const EditRun run = runEdit(kind, c.params, c.initial);
    EXPECT_EQ(run.outcome, c.outcome) << run.message;
    EXPECT_EQ(run.content, c.expected);
    if (run.outcome != agent::Outcome::Failed) {
      EXPECT_EQ(run.second, agent::Outcome::Ok) << "a second run changed the file again";
    }
  }
}

// Expects `params` for one resource of `kind` to be refused at plan time
// with a Schema error pointing at /resources/0/params/<parameter>.
inline void expectRefusedAt(const std::string& kind, const nlohmann::json& params,
                            const std::string& parameter) {
  const auto m = makeManifest({makeSpec("r", kind, params)});
  auto plan = planFor(m);
  ASSERT_FALSE(plan.has_value()) << params.dump();
  EXPECT_EQ(plan.error().code(), ErrorCode::Schema) << params.dump();
  EXPECT_EQ(plan.error().where(), "/resources/0/params/" + parameter) << params.dump();
}

}  // namespace sc::testing
