#include "agent/engine/engine.h"

#include <spdlog/spdlog.h>

#include <map>
#include <unordered_map>

#include "agent/resources/meta.h"
#include "common/hash.h"
#include "common/text/escape.h"

namespace sc::agent {
namespace {

using Clock = std::chrono::steady_clock;

Result<void> checkClaims(const std::vector<PlannedResource>& planned) {
  struct Owner {
    std::string desired;
    std::string id;
    bool is_directory;
  };
  std::unordered_map<std::string, Owner> owners;
  for (const auto& p : planned) {
    for (const auto& claim : p.resource->claims()) {
      auto [it, inserted] =
          owners.emplace(claim.path, Owner{claim.desired, p.spec->id, claim.is_directory});
      if (!inserted && it->second.desired != claim.desired) {
        return Error(ErrorCode::Conflict,
                     fmt::format("resources '{}' and '{}' both manage '{}' with different "
                                 "desired states",
                                 it->second.id, p.spec->id, claim.path),
                     p.spec->pointer);
      }
    }
  }
  for (const auto& [path, owner] : owners) {
    for (std::string parent = parentPath(path); parent != "/"; parent = parentPath(parent)) {
      const auto it = owners.find(parent);
      if (it != owners.end() && !it->second.is_directory) {
        return Error(ErrorCode::Conflict,
                     fmt::format("resource '{}' manages '{}' inside '{}', which resource '{}' "
                                 "makes a file or link",
                                 owner.id, path, parent, it->second.id));
      }
    }
  }
  return ok();
}

Result<void> checkHandlerCycles(const manifest::Manifest& manifest) {
  std::unordered_map<std::string, const manifest::ResourceSpec*> handlers;
  for (const auto& h : manifest.handlers) handlers[h.id] = &h;
  // parseManifest checks this too; a manifest built in code may not have
  // been through it, and the walk below needs every target to exist.
  for (const auto& h : manifest.handlers) {
    for (std::size_t i = 0; i < h.notify.size(); ++i) {
      if (!handlers.contains(h.notify[i])) {
        return Error(ErrorCode::Schema,
                     fmt::format("'{}' notifies '{}', which is not a handler", h.id, h.notify[i]),
                     fmt::format("{}/notify/{}", h.pointer, i));
      }
    }
  }
  enum class Mark { None, Active, Done };
  std::unordered_map<std::string, Mark> marks;
  std::vector<std::string> stack;
  std::function<Result<void>(const std::string&)> visit =
      [&](const std::string& id) -> Result<void> {
    auto& mark = marks[id];
    if (mark == Mark::Done) return ok();
    if (mark == Mark::Active) {
      std::string chain;
      bool in_cycle = false;
      for (const auto& s : stack) {
        in_cycle = in_cycle || s == id;
        if (in_cycle) chain += s + " -> ";
      }
      return Error(ErrorCode::Cycle, fmt::format("handler notification cycle: {}{}", chain, id),
                   handlers[id]->pointer);
    }
    mark = Mark::Active;
    stack.push_back(id);
    for (const auto& next : handlers[id]->notify) SC_TRY(visit(next));
    stack.pop_back();
    marks[id] = Mark::Done;
    return ok();
  };
  for (const auto& h : manifest.handlers) SC_TRY(visit(h.id));
  return ok();
}

}  // namespace

std::string desiredFingerprint(const manifest::ResourceSpec& spec) {
  return fastHashHex(spec.type + "\n" + spec.params.dump());
}

Result<Plan> makePlan(const manifest::Manifest& manifest, const Registry& registry,
                      const ResourceContext& context) {
  Plan plan;
  plan.manifest = &manifest;
  for (auto [specs, out] : {std::pair{&manifest.resources, &plan.resources},
                            std::pair{&manifest.handlers, &plan.handlers}}) {
    out->reserve(specs->size());
    for (const auto& spec : *specs) {
      SC_TRY_ASSIGN(auto resource, registry.create(spec, context));
      SC_TRY(resource->validate());
      out->push_back({&spec, std::move(resource), MetaResource::isFlush(spec)});
    }
  }
  SC_TRY(checkClaims(plan.resources));
  SC_TRY(checkHandlerCycles(manifest));
  return plan;
}

struct Engine::Progress {
  RunReport report;
  nlohmann::json registered = nlohmann::json::object();
  std::set<std::string> pending;
  std::map<std::string, std::string> converged;
  bool converged_dirty = false;
  bool stopped = false;
  std::optional<Clock::time_point> deadline;
  manifest::FailurePolicy policy = manifest::FailurePolicy::Stop;
};

Engine::Engine(Host& host, StateDir* state, RunOptions options, Listener listener)
    : host_(host), state_(state), options_(std::move(options)), listener_(std::move(listener)) {}

bool Engine::tagSelected(const manifest::ResourceSpec& spec) const {
  const auto has = [&](const std::vector<std::string>& wanted) {
    for (const auto& tag : spec.tags) {
      for (const auto& w : wanted) {
        if (tag == w) return true;
      }
    }
    return false;
  };
  // Ansible's special tags: `always` runs unless skipped by name, `never`
  // only when asked for.
  const bool always = std::find(spec.tags.begin(), spec.tags.end(), "always") != spec.tags.end();
  const bool never = std::find(spec.tags.begin(), spec.tags.end(), "never") != spec.tags.end();
  if (!options_.skip_tags.empty() && has(options_.skip_tags)) return false;
  if (options_.tags.empty()) return !never;
  return always || has(options_.tags);
}

ResourceReport Engine::runOne(PlannedResource& planned, bool handler, Progress& progress) {
  const manifest::ResourceSpec& spec = *planned.spec;
  Resource& resource = *planned.resource;
  const auto started = Clock::now();
  ResourceReport report;
  report.id = spec.id;
  report.type = spec.type;
  report.title = resource.title();
  report.name = spec.name;
  report.handler = handler;
  nlohmann::json result{{"changed", false}, {"failed", false}};

  const auto finish = [&](Outcome outcome) {
    // ignore_errors: registered as failed (as Ansible does), reported and
    // counted as ok, and the run goes on.
    const bool ignored = outcome == Outcome::Failed && spec.ignore_errors;
    report.outcome = ignored ? Outcome::Ok : outcome;
    if (ignored) report.message += " (ignored)";
    report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (spec.no_log) {
      for (auto& change : report.changes) {
        if (change.sensitive) {
          change.before = change.after = "<redacted>";
          change.detail.clear();
        }
      }
      if (outcome != Outcome::Failed) report.message.clear();
    }
    if (!spec.register_as.empty()) {
      result["changed"] = outcome == Outcome::Changed || outcome == Outcome::WouldChange;
      result["failed"] = outcome == Outcome::Failed;
      if (outcome == Outcome::Skipped) result["skipped"] = true;
      progress.registered[spec.register_as] = result;
    }
    return report;
  };
  const auto fail = [&](const Error& error) {
    report.message = spec.no_log ? std::string("<redacted: no_log is set>") : error.describe();
    report.reason = std::string(reasonCode(error.code()));
    result["msg"] = report.message;
    return finish(Outcome::Failed);
  };

  if (progress.stopped) {
    report.message = "not run: an earlier resource failed";
    return finish(Outcome::Skipped);
  }
  if (progress.deadline && Clock::now() >= *progress.deadline) {
    return fail(Error(ErrorCode::Timeout, "the run's time limit passed before this resource"));
  }
  if (spec.when) {
    auto holds = manifest::evaluate(*spec.when, progress.registered);
    if (!holds) return fail(std::move(holds.error()).withContext("evaluating 'when'"));
    if (!*holds) {
      report.message = "condition false";
      result["skip_reason"] = "Conditional result was False";
      return finish(Outcome::Skipped);
    }
  }
  if (auto bound = resource.bindRegistered(progress.registered); !bound) return fail(bound.error());
  if (progress.deadline) {
    resource.limitTimeout(
        std::chrono::duration_cast<std::chrono::milliseconds>(*progress.deadline - Clock::now()));
  }
  auto current = resource.observe(host_);
  if (!current) return fail(current.error());
  const Diff diff = resource.diff(*current);
  resource.describe(*current, result);
  bool check = options_.check;
  if (spec.check_mode == manifest::CheckModeOverride::AlwaysCheck) check = true;
  if (spec.check_mode == manifest::CheckModeOverride::NeverCheck) check = false;
  report.changes = diff.changes;

  Outcome outcome = Outcome::Ok;
  if (!diff.empty()) {
    if (check) {
      outcome = Outcome::WouldChange;
    } else {
      nlohmann::json applied = nlohmann::json::object();
      if (auto done = resource.apply(host_, *current, diff, applied); !done)
        return fail(done.error());
      for (auto& [key, value] : applied.items()) result[key] = value;
      outcome = Outcome::Changed;
      if (resource.convergent()) {
        auto after = resource.observe(host_);
        if (!after) return fail(std::move(after.error()).withContext("observing after apply"));
        const Diff left = resource.diff(*after);
        if (!left.empty()) {
          return fail(Error(ErrorCode::NotConverged,
                            fmt::format("did not converge: '{}' still differs after apply",
                                        left.changes.front().field)));
        }
      }
    }
  }
  if (outcome != Outcome::Ok) {
    const auto it = progress.converged.find(spec.id);
    report.corrective = it != progress.converged.end() && it->second == desiredFingerprint(spec);
  }
  bool failed = result.value("failed", false);
  if (spec.changed_when || spec.failed_when) {
    nlohmann::json scope = progress.registered;
    result["changed"] = outcome == Outcome::Changed || outcome == Outcome::WouldChange;
    if (!spec.register_as.empty()) scope[spec.register_as] = result;
    if (spec.changed_when) {
      auto changed = manifest::evaluate(*spec.changed_when, scope);
      if (!changed)
        return fail(std::move(changed.error()).withContext("evaluating 'changed_when'"));
      if (!*changed && outcome != Outcome::Ok) {
        outcome = Outcome::Ok;
      } else if (*changed && outcome == Outcome::Ok) {
        outcome = check ? Outcome::WouldChange : Outcome::Changed;
      }
    }
    if (spec.failed_when) {
      auto failing = manifest::evaluate(*spec.failed_when, scope);
      if (!failing) return fail(std::move(failing.error()).withContext("evaluating 'failed_when'"));
      failed = *failing;
      if (failed) result["msg"] = "failed_when condition is true";
    }
  }
  if (result.contains("msg") && result["msg"].is_string()) {
    report.message = result["msg"].get<std::string>();
  } else if (result.contains("msg")) {
    report.message = result["msg"].dump();
  }
  if (failed) {
    if (result.contains("stderr") && result["stderr"].is_string() &&
        !result["stderr"].get_ref<const std::string&>().empty()) {
      report.message += ": " + result["stderr"].get<std::string>();
    }
    report.reason = "failed";
    return finish(Outcome::Failed);
  }
  if ((outcome == Outcome::Changed || outcome == Outcome::WouldChange) && !spec.notify.empty()) {
    for (const auto& id : spec.notify) progress.pending.insert(id);
    if (!check && state_ != nullptr) {
      if (auto saved = state_->savePending(progress.pending); !saved) {
        spdlog::error("cannot persist handler notifications: {}", saved.error().describe());
      }
    }
  }
  if (!check && resource.convergent() && (outcome == Outcome::Ok || outcome == Outcome::Changed)) {
    auto fingerprint = desiredFingerprint(spec);
    auto& slot = progress.converged[spec.id];
    if (slot != fingerprint) {
      slot = std::move(fingerprint);
      progress.converged_dirty = true;
    }
  }
  return finish(outcome);
}

void Engine::flushHandlers(Plan& plan, Progress& progress) {
  // Handlers run in the order they are defined, each once per flush; one a
  // handler notifies runs in the same flush (cycles were refused in plan).
  // A handler that fails stays owed (persisted) but is not retried in the
  // same flush.
  std::set<std::string> failed;
  for (std::size_t pass = 0; pass <= plan.handlers.size() && !progress.pending.empty(); ++pass) {
    bool ran = false;
    for (auto& handler : plan.handlers) {
      const std::string& id = handler.spec->id;
      if (progress.stopped || !progress.pending.contains(id) || failed.contains(id)) continue;
      progress.pending.erase(id);
      auto report = runOne(handler, /*handler=*/true, progress);
      ran = true;
      if (report.outcome == Outcome::Failed) {
        progress.pending.insert(id);  // owed until it succeeds
        failed.insert(id);
        if (progress.policy == manifest::FailurePolicy::Stop) progress.stopped = true;
      }
      if (!options_.check && state_ != nullptr) {
        if (auto saved = state_->savePending(progress.pending); !saved) {
          spdlog::error("cannot persist handler notifications: {}", saved.error().describe());
        }
      }
      if (listener_) listener_(report);
      progress.report.resources.push_back(std::move(report));
    }
    if (!ran) break;
  }
}

RunReport Engine::run(Plan& plan) {
  Progress progress;
  progress.policy = plan.manifest->on_failure;
  progress.report.host = plan.manifest->host;
  progress.report.serial = plan.manifest->serial;
  progress.report.check = options_.check;
  progress.report.started_ns = host_.nowNs();
  progress.report.resources.reserve(plan.resources.size() + plan.handlers.size());
  const auto started = Clock::now();
  if (options_.run_timeout) progress.deadline = started + *options_.run_timeout;
  if (state_ != nullptr) {
    if (auto pending = state_->loadPending()) {
      for (const auto& id : *pending) {
        const bool known = std::any_of(plan.handlers.begin(), plan.handlers.end(),
                                       [&](const auto& h) { return h.spec->id == id; });
        if (known) {
          progress.pending.insert(id);
        } else {
          spdlog::warn("dropping notification of handler '{}': not in this manifest",
                       text::escapeControl(id));
        }
      }
    } else {
      spdlog::warn("{}", pending.error().describe());
    }
    if (auto converged = state_->loadConverged()) progress.converged = std::move(*converged);
  }
  for (auto& planned : plan.resources) {
    if (!tagSelected(*planned.spec)) continue;
    if (planned.is_flush && !progress.stopped) {
      flushHandlers(plan, progress);
      continue;
    }
    auto report = runOne(planned, /*handler=*/false, progress);
    if (report.outcome == Outcome::Failed && progress.policy == manifest::FailurePolicy::Stop) {
      progress.stopped = true;
    }
    if (listener_) listener_(report);
    progress.report.resources.push_back(std::move(report));
  }
  if (!progress.stopped) flushHandlers(plan, progress);
  if (state_ != nullptr && !options_.check && progress.converged_dirty) {
    if (auto saved = state_->saveConverged(progress.converged); !saved) {
      spdlog::warn("cannot record converged resources: {}", saved.error().describe());
    }
  }
  progress.report.duration_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return std::move(progress.report);
}

}  // namespace sc::agent
