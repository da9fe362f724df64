#include "agent/engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "agent/resources/meta.h"
#include "common/hash.h"
#include "common/text/escape.h"

namespace sc::agent {
namespace {

using Clock = std::chrono::steady_clock;

// Resources in different parts of one block (the block part and its rescue
// or always part) are alternatives or undo each other by design: a rescue
// part puts back what a failed block part broke, an always part removes
// what the block part made. Their path claims do not contradict.
bool inOtherPartsOfOneBlock(const manifest::ResourceSpec& a, const manifest::ResourceSpec& b) {
  for (const auto& x : a.block) {
    for (const auto& y : b.block) {
      if (x.id == y.id && x.part != y.part) return true;
    }
  }
  return false;
}

// The paths one resource claims (Resource::claims()), kept while the plan
// is checked.
struct ClaimSet {
  const manifest::ResourceSpec* spec;
  std::vector<PathClaim> claims;
};

Result<void> checkClaims(const std::vector<ClaimSet>& planned) {
  struct Owner {
    std::string desired;
    const manifest::ResourceSpec* spec;
    bool is_directory;
  };
  // Every distinct desired state claimed for a path; more than one only
  // when blocks allow it.
  std::unordered_map<std::string, std::vector<Owner>> owners;
  for (const auto& p : planned) {
    for (const auto& claim : p.claims) {
      auto& claimants = owners[claim.path];
      bool agreed = false;
      for (const auto& owner : claimants) {
        if (owner.desired == claim.desired) {
          agreed = true;
        } else if (!inOtherPartsOfOneBlock(*owner.spec, *p.spec)) {
          return Error(ErrorCode::Conflict,
                       fmt::format("resources '{}' and '{}' both manage '{}' with different "
                                   "desired states",
                                   owner.spec->id, p.spec->id, claim.path),
                       p.spec->pointer);
        }
      }
      if (!agreed) claimants.push_back({claim.desired, p.spec, claim.is_directory});
    }
  }
  for (const auto& [path, claimants] : owners) {
    for (std::string parent = parentPath(path); parent != "/"; parent = parentPath(parent)) {
      const auto it = owners.find(parent);
      if (it == owners.end()) continue;
      for (const auto& owner : claimants) {
        for (const auto& outer : it->second) {
          if (!outer.is_directory && !inOtherPartsOfOneBlock(*outer.spec, *owner.spec)) {
            return Error(ErrorCode::Conflict,
                         fmt::format("resource '{}' manages '{}' inside '{}', which resource '{}' "
                                     "makes a file or link",
                                     owner.spec->id, path, parent, outer.spec->id));
          }
        }
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

// Follows Ansible's block / rescue / always flow while the engine walks the
// flat resource list (docs/engine.md, "Blocks: rescue and always"). Holds
// the open blocks around the current resource, outermost first. Relies on
// checkBlocks(): each block contiguous, nested the same way everywhere,
// parts in order.
class BlockWalker {
 public:
  // `with_rescue`: the blocks that have a rescue part among the resources
  // this run selects (tags can leave a part empty, which is then absent, as
  // Ansible filters tasks before running a block).
  explicit BlockWalker(std::unordered_set<std::string_view> with_rescue)
      : with_rescue_(std::move(with_rescue)) {}

  // Moves to a resource in `sections`: closes the blocks it is not in
  // (innermost first, each passing a failure that stands to the block
  // around it) and opens the new ones. Returns whether a failure now stands
  // outside every block.
  bool enter(const std::vector<manifest::BlockSection>& sections) {
    std::size_t same = 0;
    while (same < frames_.size() && same < sections.size() &&
           frames_[same].id == sections[same].id && frames_[same].part == sections[same].part) {
      ++same;
    }
    // The innermost shared block may have moved on to its next part.
    const bool next_part =
        same < frames_.size() && same < sections.size() && frames_[same].id == sections[same].id;
    const std::size_t keep = next_part ? same + 1 : same;
    bool stands = false;
    while (frames_.size() > keep) stands = close() || stands;
    if (next_part) frames_[same].part = sections[same].part;
    for (std::size_t d = frames_.size(); d < sections.size(); ++d) {
      Frame frame;
      frame.id = sections[d].id;
      frame.part = sections[d].part;
      frame.has_rescue = with_rescue_.contains(frame.id);
      frames_.push_back(frame);
    }
    return stands;
  }

  // Closes every open block at the end of the list; as enter().
  bool leaveAll() {
    bool stands = false;
    while (!frames_.empty()) stands = close() || stands;
    return stands;
  }

  // Records a failure at the current position: it ends the current part of
  // the innermost block. Returns true when there is no block, so the
  // failure stands at once.
  bool fail() {
    if (frames_.empty()) return true;
    Frame& frame = frames_.back();
    switch (frame.part) {
      case manifest::BlockPart::Block:
        frame.block_failed = true;
        break;
      case manifest::BlockPart::Rescue:
        frame.rescue_failed = true;
        break;
      case manifest::BlockPart::Always:
        frame.always_failed = true;
        break;
    }
    return false;
  }

  // Whether a failure here goes to a rescue part: some block around it is
  // in its block part and has one. Ansible counts such a failure as
  // `rescued`, not `failed`, even when that rescue fails in turn
  // (PlayIterator.is_any_block_rescuing).
  bool rescuable() const {
    return std::any_of(frames_.begin(), frames_.end(), [](const Frame& frame) {
      return frame.part == manifest::BlockPart::Block && frame.has_rescue;
    });
  }

  bool inBlock() const { return !frames_.empty(); }

  // Why the current position does not run, or nullopt when it runs. An
  // empty string: it is in the rescue part of a block that did not fail,
  // which is not reported at all (Ansible shows nothing for it either).
  std::optional<std::string> notRunReason() const {
    for (const auto& frame : frames_) {
      if (frame.part == manifest::BlockPart::Rescue && !frame.block_failed) return std::string();
    }
    for (const auto& frame : frames_) {
      if (frame.part == manifest::BlockPart::Block && frame.block_failed) {
        return fmt::format("not run: an earlier resource in block '{}' failed", frame.id);
      }
      if (frame.part == manifest::BlockPart::Rescue && frame.rescue_failed) {
        return fmt::format("not run: an earlier resource in the rescue part of block '{}' failed",
                           frame.id);
      }
      if (frame.part == manifest::BlockPart::Always && frame.always_failed) {
        return fmt::format("not run: an earlier resource in the always part of block '{}' failed",
                           frame.id);
      }
    }
    return std::nullopt;
  }

 private:
  struct Frame {
    std::string_view id;
    manifest::BlockPart part = manifest::BlockPart::Block;
    bool has_rescue = false;
    bool block_failed = false;  // the rest of the block part is skipped
    bool rescue_failed = false;
    bool always_failed = false;

    // Once the block is done: a failure in its block part with no rescue
    // part, or a failure in its rescue or always part, stands.
    bool failed() const { return (block_failed && !has_rescue) || rescue_failed || always_failed; }
  };

  // Closes the innermost block; a failure that stands becomes a failure of
  // the block around it. Returns true when it stands outside every block.
  bool close() {
    const Frame frame = frames_.back();
    frames_.pop_back();
    return frame.failed() && fail();
  }

  std::unordered_set<std::string_view> with_rescue_;
  std::vector<Frame> frames_;
};

// A resource's kind and task name: the title of one whose parameters are
// not filled in yet (see titleOf).
std::string specTitle(const manifest::ResourceSpec& spec) {
  return fmt::format("{}[{}]", spec.type, spec.name.empty() ? spec.id : spec.name);
}

// "file[/etc/app.conf]" (Resource::title()), or specTitle.
std::string titleOf(const Plan& plan, const PlannedResource& planned) {
  const manifest::ResourceSpec& spec = *planned.spec;
  if (spec.late.empty()) {
    if (auto created = plan.registry->create(spec, plan.context)) return (*created)->title();
  }
  return specTitle(spec);
}

// The value a looped task registers (Ansible's shape): each item's result
// under `results`, `changed` when any item changed, `failed` and its
// message when one failed, `skipped` when all were. Slots of items the
// controller skipped (a `when:` it could decide) and items not reached
// hold a skipped result.
void registerLoopItem(nlohmann::json& registered, const manifest::LoopItem& loop,
                      nlohmann::json item_result, std::map<std::string, std::string>& loop_owners,
                      const std::string& name) {
  nlohmann::json& value = registered[name];
  if (loop_owners[name] != loop.task || !value.is_object() || !value.contains("results")) {
    loop_owners[name] = loop.task;
    nlohmann::json skipped{{"changed", false},
                           {"skipped", true},
                           {"skip_reason", "Conditional result was False"},
                           {"ansible_loop_var", loop.var}};
    value = nlohmann::json{{"results", nlohmann::json::array()}};
    for (std::uint64_t i = 0; i < loop.count; ++i) value["results"].push_back(skipped);
  }
  item_result[loop.var] = loop.item;
  item_result["ansible_loop_var"] = loop.var;
  nlohmann::json& results = value["results"];
  results[loop.index] = std::move(item_result);
  bool changed = false;
  bool failed = false;
  bool all_skipped = true;
  for (const auto& one : results) {
    changed = changed || one.value("changed", false);
    failed = failed || one.value("failed", false);
    all_skipped = all_skipped && one.value("skipped", false);
  }
  value["changed"] = changed;
  value["skipped"] = all_skipped;
  value.erase("failed");
  if (failed) value["failed"] = true;
  value["msg"] = all_skipped ? "All items skipped"
                 : failed    ? "One or more items failed"
                             : "All items completed";
}

// The report of a resource that the block flow does not run. It is not run
// at all, so nothing is registered (as in Ansible, where the task never
// starts).
ResourceReport notRunReport(const Plan& plan, const PlannedResource& planned, std::string message) {
  ResourceReport report;
  report.id = planned.spec->id;
  report.type = planned.spec->type;
  report.title = titleOf(plan, planned);
  report.name = planned.spec->name;
  report.outcome = Outcome::Skipped;
  if (!planned.spec->no_log) report.message = std::move(message);
  return report;
}

}  // namespace

std::string desiredFingerprint(const manifest::ResourceSpec& spec) {
  return fastHashHex(spec.type + "\n" + spec.params.dump());
}

Result<Plan> makePlan(const manifest::Manifest& manifest, const Registry& registry,
                      const ResourceContext& context) {
  Plan plan;
  plan.manifest = &manifest;
  std::vector<ClaimSet> claims;
  for (auto [specs, out] : {std::pair{&manifest.resources, &plan.resources},
                            std::pair{&manifest.handlers, &plan.handlers}}) {
    out->reserve(specs->size());
    for (const auto& spec : *specs) {
      out->push_back({&spec, MetaResource::isFlush(spec)});
      // Late-bound parameters are checked when the run fills them in; the
      // paths such a resource claims are known only then.
      if (!spec.late.empty()) continue;
      SC_TRY_ASSIGN(auto resource, registry.create(spec, context));
      SC_TRY(resource->validate());
      if (out == &plan.resources) claims.push_back({&spec, resource->claims()});
    }
  }
  plan.registry = &registry;
  plan.context = context;
  SC_TRY(manifest::checkBlocks(manifest));
  SC_TRY(checkClaims(claims));
  SC_TRY(checkHandlerCycles(manifest));
  return plan;
}

struct Engine::Progress {
  RunReport report;
  nlohmann::json registered = nlohmann::json::object();
  std::set<std::string> pending;
  std::map<std::string, std::string> converged;
  std::map<std::string, std::string> loop_owners;  // register name -> loop filling it
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

ResourceReport Engine::runOne(const Plan& plan, const PlannedResource& planned, bool handler,
                              Progress& progress) {
  const manifest::ResourceSpec& spec = *planned.spec;
  const auto started = Clock::now();
  ResourceReport report;
  report.id = spec.id;
  report.type = spec.type;
  report.title = specTitle(spec);
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
      if (spec.loop) {
        registerLoopItem(progress.registered, *spec.loop, result, progress.loop_owners,
                         spec.register_as);
      } else {
        progress.registered[spec.register_as] = result;
      }
    }
    return report;
  };
  const auto fail = [&](const Error& error) {
    report.message = spec.no_log ? std::string("<redacted: no_log is set>") : error.describe();
    report.reason = std::string(reasonCode(error.code()));
    result["msg"] = report.message;
    return finish(Outcome::Failed);
  };

  // The spec the resource is made from: for late-bound parameters, a copy
  // with them filled in (below).
  const manifest::ResourceSpec* desired = &spec;
  std::unique_ptr<manifest::ResourceSpec> filled_in;
  std::unique_ptr<Resource> created;
  if (spec.late.empty()) {
    auto made = plan.registry->create(spec, plan.context);
    if (!made) return fail(made.error());  // makePlan made it once: not expected
    created = std::move(*made);
    report.title = created->title();
  }
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
  if (!spec.late.empty()) {
    // Parameters read from earlier results: fill them in, then create and
    // validate the resource as the plan does for all others.
    auto params = manifest::bindLateParams(spec.params, spec.late, progress.registered);
    if (!params) return fail(std::move(params.error()).withContext("filling in run-time values"));
    filled_in = std::make_unique<manifest::ResourceSpec>(spec);
    filled_in->params = std::move(*params);
    filled_in->late.clear();
    desired = filled_in.get();
    auto made = plan.registry->create(*filled_in, plan.context);
    if (!made) return fail(made.error());
    if (auto valid = (*made)->validate(); !valid) return fail(valid.error());
    created = std::move(*made);
    report.title = created->title();
  }
  Resource& resource = *created;
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
    report.corrective =
        it != progress.converged.end() && it->second == desiredFingerprint(*desired);
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
    auto fingerprint = desiredFingerprint(*desired);
    auto& slot = progress.converged[spec.id];
    if (slot != fingerprint) {
      slot = std::move(fingerprint);
      progress.converged_dirty = true;
    }
  }
  return finish(outcome);
}

bool Engine::flushHandlers(Plan& plan, Progress& progress, bool stop_on_failure, bool rescuable) {
  // Handlers run in the order they are defined, each once per flush; one a
  // handler notifies runs in the same flush (cycles were refused in plan).
  // A handler that fails stays owed (persisted) but is not retried in the
  // same flush.
  std::set<std::string> failed;
  bool halted = false;
  for (std::size_t pass = 0; pass <= plan.handlers.size() && !progress.pending.empty(); ++pass) {
    bool ran = false;
    for (auto& handler : plan.handlers) {
      const std::string& id = handler.spec->id;
      if (halted || !progress.pending.contains(id) || failed.contains(id)) continue;
      progress.pending.erase(id);
      auto report = runOne(plan, handler, /*handler=*/true, progress);
      ran = true;
      if (report.outcome == Outcome::Failed) {
        progress.pending.insert(id);  // owed until it succeeds
        failed.insert(id);
        report.rescued = rescuable;
        halted = stop_on_failure;
      }
      if (!options_.check && state_ != nullptr) {
        if (auto saved = state_->savePending(progress.pending); !saved) {
          spdlog::error("cannot persist handler notifications: {}", saved.error().describe());
        }
      }
      emit(std::move(report), progress);
    }
    if (!ran) break;
  }
  return !failed.empty();
}

void Engine::emit(ResourceReport report, Progress& progress) {
  if (listener_) listener_(report);
  progress.report.resources.push_back(std::move(report));
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
  const bool stop_policy = progress.policy == manifest::FailurePolicy::Stop;
  std::unordered_set<std::string_view> with_rescue;
  for (const auto& planned : plan.resources) {
    if (!tagSelected(*planned.spec)) continue;
    for (const auto& section : planned.spec->block) {
      if (section.part == manifest::BlockPart::Rescue) with_rescue.insert(section.id);
    }
  }
  BlockWalker blocks(std::move(with_rescue));
  // A failure outside every block (or one no block rescued) is where the
  // failure policy applies.
  const auto standingFailure = [&] {
    if (stop_policy) progress.stopped = true;
  };
  for (auto& planned : plan.resources) {
    if (!tagSelected(*planned.spec)) continue;
    if (blocks.enter(planned.spec->block)) standingFailure();
    if (auto reason = blocks.notRunReason()) {
      if (!reason->empty()) emit(notRunReport(plan, planned, std::move(*reason)), progress);
      continue;
    }
    const bool rescuable = blocks.rescuable();
    if (planned.is_flush && !progress.stopped) {
      // Inside a block a failed handler ends the block's part like any
      // failure (Ansible 2.14 runs the rescue part then too).
      const bool stop_flush = stop_policy || blocks.inBlock();
      if (flushHandlers(plan, progress, stop_flush, rescuable) && blocks.fail()) {
        standingFailure();
      }
      continue;
    }
    auto report = runOne(plan, planned, /*handler=*/false, progress);
    if (report.outcome == Outcome::Failed) {
      report.rescued = rescuable;
      if (blocks.fail()) standingFailure();
    }
    emit(std::move(report), progress);
  }
  if (blocks.leaveAll()) standingFailure();
  if (!progress.stopped && flushHandlers(plan, progress, stop_policy, /*rescuable=*/false)) {
    standingFailure();
  }
  if (state_ != nullptr && !options_.check && progress.converged_dirty) {
    if (auto saved = state_->saveConverged(progress.converged); !saved) {
      spdlog::warn("cannot record converged resources: {}", saved.error().describe());
    }
  }
  progress.report.duration_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  progress.report.registered = std::move(progress.registered);
  return std::move(progress.report);
}

}  // namespace sc::agent
