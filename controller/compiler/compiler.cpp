#include "controller/compiler/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/random.h"
#include "common/text/suggest.h"
#include "controller/compiler/late_params.h"
#include "controller/compiler/lookups.h"
#include "controller/compiler/modules/arg_spec.h"
#include "controller/compiler/modules/module.h"
#include "controller/compiler/runtime_condition.h"
#include "controller/compiler/templar.h"
#include "controller/compiler/variables.h"
#include "controller/playbook/host_pattern.h"
#include "controller/playbook/inventory.h"
#include "controller/playbook/inventory_vars.h"
#include "controller/playbook/module_names.h"
#include "controller/playbook/play.h"
#include "controller/playbook/role.h"
#include "controller/playbook/yaml_value.h"

namespace sc::controller::compiler {
namespace {

namespace fs = std::filesystem;
constexpr int kMaxIncludeDepth = 32;
using playbook::Play;
using playbook::Role;
using playbook::Task;

Error at(const yaml::Position& position, Error error) {
  if (error.where().empty()) {
    return Error(error.code(), error.message(), position.text(), error.cause());
  }
  return error;
}

// A file the playbook names (import_tasks, include_vars, vars_files). When it
// cannot be read at all, the error points at the line that names it.
Result<std::vector<yaml::Node>> loadNamedFile(const fs::path& path,
                                              const yaml::Position& named_at) {
  auto documents = yaml::loadYamlFile(path.string());
  if (!documents && documents.error().where() == path.string()) {
    return Error(documents.error().code(),
                 fmt::format("cannot read '{}': {}", path.string(), documents.error().message()),
                 named_at.text());
  }
  return documents;
}

// Where a task's sources are found: its role, else the playbook.
struct RoleFrame {
  std::string name;
  std::string directory;
  Data defaults = Data::object();
  Data vars = Data::object();
  Data params = Data::object();
};

// What enclosing blocks, roles and imports hand down to each task.
struct Inherited {
  std::vector<std::pair<std::string, yaml::Position>> when;  // all must hold
  std::vector<std::string> tags;
  std::vector<Data> vars;  // innermost last
  const RoleFrame* role = nullptr;
  Data environment;
  bool no_log = false;
  bool ignore_errors = false;
  std::vector<Data> module_defaults;  // module -> default arguments, innermost last
  bool become = false;
  std::string become_user;  // meaningful only with become
  std::vector<manifest::BlockSection>
      block;  // enclosing blocks with rescue/always, outermost first
};

// A module_defaults: value (a mapping, or a list of mappings) checked and
// flattened to one mapping keyed by the modules' short names.
Result<Data> moduleDefaults(const yaml::Node& node) {
  SC_TRY_ASSIGN(const Data data, toData(node));
  Data out = Data::object();
  for (const Data& layer : data.is_array() ? data : Data::array({data})) {
    if (!layer.is_object()) {
      return Error(ErrorCode::Schema,
                   "module_defaults: must map module names to their default arguments",
                   node.position.text());
    }
    for (const auto& [name, defaults] : layer.items()) {
      if (name.rfind("group/", 0) == 0) {
        return Error(ErrorCode::Schema,
                     fmt::format("module_defaults: action groups ('{}') are not supported yet; "
                                 "name the modules",
                                 name),
                     node.position.text());
      }
      const playbook::ModuleName* module = playbook::findModule(name);
      if (module == nullptr) {
        return Error(ErrorCode::Schema, fmt::format("module_defaults: unknown module '{}'", name),
                     node.position.text());
      }
      if (!defaults.is_object()) {
        return Error(ErrorCode::Schema,
                     fmt::format("module_defaults: the defaults of '{}' must be a mapping", name),
                     node.position.text());
      }
      for (const auto& [key, value] : defaults.items()) out[std::string(module->name)][key] = value;
    }
  }
  return out;
}

struct Decision {
  bool skip = false;
  std::vector<manifest::Condition> run_time;  // all must hold on the host
};

std::optional<manifest::Condition> allOf(std::vector<manifest::Condition> conditions) {
  if (conditions.empty()) return std::nullopt;
  if (conditions.size() == 1) return std::move(conditions.front());
  manifest::Condition all;
  all.kind = manifest::Condition::Kind::All;
  all.children = std::move(conditions);
  return all;
}

// Where one item sits in a looped task.
struct LoopPosition {
  std::size_t index = 0;
  std::size_t count = 0;
  std::string var;
  const Data* item = nullptr;
};

struct HostState {
  std::string name;
  Data inventory_vars = Data::object();
  Data facts;  // null: none known
  Data set_facts = Data::object();
  std::set<std::string> registered;
  manifest::Manifest manifest;  // all but the resources, kept below until the end
  // A deque grows without moving what it holds; a vector doubling to fit
  // one more spec holds three times the bytes at that moment, and the
  // manifest of a large play is most of what the controller keeps in memory.
  std::deque<manifest::ResourceSpec> resources;
  std::deque<manifest::ResourceSpec> handlers;
};

// Moves every spec into `to`, sized exactly, freeing each as it goes.
void moveSpecs(std::deque<manifest::ResourceSpec>& from, std::vector<manifest::ResourceSpec>& to) {
  to.reserve(to.size() + from.size());
  while (!from.empty()) {
    to.push_back(std::move(from.front()));
    from.pop_front();
  }
}

class PlayCompiler : public modules::ModuleContext, public LookupContext {
 public:
  // `magic` holds what every host of the play shares (groups, hostvars,
  // play_hosts, omit); `host_magic` this host's own (inventory_hostname,
  // group_names).
  PlayCompiler(const CompileOptions& options, const Play& play, std::size_t play_index,
               HostState& host, Templar& templar, const Data& magic, Data host_magic,
               std::string omit)
      : options_(options),
        play_(play),
        play_index_(play_index),
        host_(host),
        templar_(templar),
        magic_(magic),
        host_magic_(std::move(host_magic)),
        omit_(std::move(omit)),
        lookups_(LookupSettings{play.directory, options.allow_pipe}, *this) {}

  Result<void> compile();

  // modules::ModuleContext
  std::string_view omit() const override { return omit_; }
  Result<std::string> findSource(std::string_view src, std::string_view folder) override;
  Result<std::string> renderTemplate(const std::string& path) override;
  Data environment() const override { return environment_; }

  // LookupContext (renderTemplate above serves both)
  std::vector<std::string> searchDirectories(std::string_view folder) const override;

 private:
  Result<void> compileTasks(const std::vector<Task>& tasks, const Inherited& inherited,
                            bool handlers);
  Result<void> compileTask(const Task& task, const Inherited& inherited, bool handlers);
  // import_tasks, include_tasks, include, import_role and include_role.
  Result<void> compileInclude(const Task& task, Inherited inherited, bool handlers);
  struct LoopControl {
    std::string var = "item";
    const yaml::Node* label = nullptr;
  };
  // A task's loop items ({null} for a task without a loop) and its
  // loop_control.
  Result<std::vector<Data>> loopItems(const Task& task, VariableScope& scope);
  Result<LoopControl> loopControl(const Task& task);
  Result<void> compileRole(const playbook::RoleReference& reference, const Inherited& inherited,
                           const std::string& tasks_from, int depth);
  Result<void> emit(const Task& task, const Inherited& inherited, const Data& loop_vars,
                    bool handlers, const LoopPosition* loop,
                    std::optional<manifest::Condition> when);
  // `delegate_to: localhost`: a task that only reads runs on the
  // controller now and its result is known from then on (true); a task that
  // touches no host (debug, assert, fail) compiles as usual (false).
  Result<bool> runDelegated(const Task& task, const yaml::Node& target, VariableScope& scope,
                            const manifest::ResourceSpec& spec);
  // What a task registers when the controller decides it is skipped: the
  // name then holds a known value, as Ansible registers skipped tasks.
  void registerSkipped(const Task& task, Data value);
  Result<void> loadVarsFiles();
  // become: and become_user: of a play, role entry, block or task.
  Result<void> readBecome(const std::function<const yaml::Node*(const std::string&)>& keyword,
                          VariableScope& scope, Inherited& inherited);
  VariableScope scopeFor(const Inherited& inherited, const Data* loop_vars);
  Result<Data> value(const yaml::Node& node, VariableScope& scope);
  Result<bool> conditionsHold(const std::vector<std::pair<std::string, yaml::Position>>& when,
                              VariableScope& scope);
  // Decides what it can now; conditions over run-time results are kept for
  // the agent.
  Result<Decision> decide(const std::vector<std::pair<std::string, yaml::Position>>& when,
                          VariableScope& scope, const std::set<std::string>& run_time);
  Result<std::optional<manifest::Condition>> resultCondition(const yaml::Node& node,
                                                             VariableScope& scope,
                                                             const std::set<std::string>& run_time);
  Result<std::string> resolveHandler(const std::string& name, const yaml::Position& where);
  void registerHandler(const Task& handler, const RoleFrame* role);

  const CompileOptions& options_;
  const Play& play_;
  std::size_t play_index_;
  HostState& host_;
  Templar& templar_;
  const Data& magic_;
  Data host_magic_;
  std::string omit_;
  Data play_vars_ = Data::object();
  Data vars_files_ = Data::object();
  std::vector<Data> role_vars_;  // vars of every role seen in the play, in order
  std::vector<std::unique_ptr<RoleFrame>> roles_;
  std::set<std::string> roles_seen_;  // directory, task file and parameters
  std::vector<std::pair<std::string, const Task*>> handler_names_;  // name or listen -> handler
  std::map<const Task*, std::string> handler_ids_;
  std::map<const Task*, const RoleFrame*> handler_roles_;
  std::vector<std::unique_ptr<Role>> role_tasks_;             // roles loaded for this play
  std::vector<std::unique_ptr<std::vector<Task>>> included_;  // task files imported
  std::size_t counter_ = 0;
  std::size_t block_counter_ = 0;  // blocks with rescue/always, numbered per play
  std::size_t task_number_ = 0;
  int include_depth_ = 0;  // import_tasks/include_tasks being expanded
  // The task being compiled, for the module and lookup contexts.
  VariableScope* scope_ = nullptr;
  const RoleFrame* role_ = nullptr;
  Data environment_;
  ControllerLookups lookups_;
};

Result<Data> PlayCompiler::value(const yaml::Node& node, VariableScope& scope) {
  SC_TRY_ASSIGN(const Data raw, toData(node));
  auto templated = templar_.templateValue(raw, scope, node.position);
  if (!templated) return at(node.position, templated.error());
  return templated;
}

VariableScope PlayCompiler::scopeFor(const Inherited& inherited, const Data* loop_vars) {
  VariableScope scope(templar_);
  if (loop_vars != nullptr) scope.addLayer(loop_vars);
  scope.addLayer(&options_.extra_vars);
  scope.addLayer(&host_magic_);
  scope.addLayer(&magic_);
  if (inherited.role != nullptr) scope.addLayer(&inherited.role->params);
  scope.addLayer(&host_.set_facts);
  for (auto it = inherited.vars.rbegin(); it != inherited.vars.rend(); ++it) scope.addLayer(&*it);
  if (inherited.role != nullptr) scope.addLayer(&inherited.role->vars);
  for (auto it = role_vars_.rbegin(); it != role_vars_.rend(); ++it) scope.addLayer(&*it);
  scope.addLayer(&vars_files_);
  scope.addLayer(&play_vars_);
  if (!host_.facts.is_null()) scope.addLayer(&host_.facts);
  scope.addLayer(&host_.inventory_vars);
  if (inherited.role != nullptr) scope.addLayer(&inherited.role->defaults);
  for (const auto& role : roles_) scope.addLayer(&role->defaults);
  scope.setRunTimeNames(&host_.registered);
  if (host_.facts.is_null()) {
    scope.setMissingFactsMessage(fmt::format(
        "no facts are known for host '{}': gather them with `sc-agent facts` into the "
        "controller's cache, pass --facts DIR, or set gather_facts: false and do not read them",
        host_.name));
  }
  return scope;
}

Result<Decision> PlayCompiler::decide(
    const std::vector<std::pair<std::string, yaml::Position>>& when, VariableScope& scope,
    const std::set<std::string>& run_time) {
  Decision decision;
  for (const auto& [text, position] : when) {
    if (!Templar::hasTemplate(text)) {
      auto parsed = templar_.expression(text, position);
      if (!parsed) return at(position, parsed.error());
      if (readsRunTime((*parsed)->root(), run_time)) {
        SC_TRY_ASSIGN(manifest::Condition condition, toRunTimeCondition(**parsed, run_time, scope));
        decision.run_time.push_back(std::move(condition));
        continue;
      }
    }
    auto holds = templar_.condition(text, scope, position);
    if (!holds) return at(position, holds.error());
    if (!*holds) {
      decision.skip = true;
      return decision;
    }
  }
  return decision;
}

Result<std::optional<manifest::Condition>> PlayCompiler::resultCondition(
    const yaml::Node& node, VariableScope& scope, const std::set<std::string>& run_time) {
  SC_TRY_ASSIGN(const Data written, toData(node));
  std::vector<std::pair<std::string, yaml::Position>> parts;
  std::vector<manifest::Condition> constants;
  const std::vector<yaml::Node> items =
      node.isSequence() ? node.items : std::vector<yaml::Node>{node};
  for (const yaml::Node& item : items) {
    SC_TRY_ASSIGN(const Data part, toData(item));
    if (part.is_boolean()) {
      manifest::Condition constant;
      constant.constant = part.get<bool>();
      constants.push_back(constant);
    } else {
      parts.emplace_back(item.scalar, item.position);
    }
  }
  (void)written;
  SC_TRY_ASSIGN(Decision decision, decide(parts, scope, run_time));
  if (decision.skip) {
    manifest::Condition never;
    never.constant = false;
    return std::optional<manifest::Condition>(never);
  }
  for (auto& condition : constants) decision.run_time.push_back(std::move(condition));
  if (decision.run_time.empty()) {
    manifest::Condition always;
    always.constant = true;
    return std::optional<manifest::Condition>(always);
  }
  return allOf(std::move(decision.run_time));
}

Result<bool> PlayCompiler::conditionsHold(
    const std::vector<std::pair<std::string, yaml::Position>>& when, VariableScope& scope) {
  for (const auto& [expression, position] : when) {
    auto holds = templar_.condition(expression, scope, position);
    if (!holds) return at(position, holds.error());
    if (!*holds) return false;
  }
  return true;
}

std::vector<std::string> PlayCompiler::searchDirectories(std::string_view folder) const {
  std::vector<std::string> directories;
  if (role_ != nullptr) {
    directories.push_back((fs::path(role_->directory) / folder).string());
    directories.push_back(role_->directory);
  }
  directories.push_back((fs::path(play_.directory) / folder).string());
  directories.push_back(play_.directory);
  return directories;
}

Result<std::string> PlayCompiler::findSource(std::string_view src, std::string_view folder) {
  return findInSearchPath(searchDirectories(folder), src);
}

Result<std::string> PlayCompiler::renderTemplate(const std::string& path) {
  SC_CHECK(scope_ != nullptr, "templates render while a task compiles");
  return templar_.renderFile(path, *scope_);
}

Result<std::string> PlayCompiler::resolveHandler(const std::string& name,
                                                 const yaml::Position& where) {
  for (const auto& [handler_name, handler] : handler_names_) {
    if (handler_name == name) return handler_ids_.at(handler);
  }
  return Error(ErrorCode::NotFound, fmt::format("notify: no handler named '{}' in this play", name),
               where.text());
}

Result<void> PlayCompiler::readBecome(
    const std::function<const yaml::Node*(const std::string&)>& keyword, VariableScope& scope,
    Inherited& inherited) {
  if (const yaml::Node* node = keyword("become")) {
    SC_TRY_ASSIGN(const Data v, value(*node, scope));
    SC_TRY_ASSIGN(inherited.become, modules::toBool(v));
  }
  if (const yaml::Node* node = keyword("become_user")) {
    SC_TRY_ASSIGN(const Data v, value(*node, scope));
    if (!v.is_string() || v.get<std::string>().empty()) {
      return Error(ErrorCode::Schema, "become_user: must be a user name", node->position.text());
    }
    inherited.become_user = v.get<std::string>();
  }
  return {};
}

Result<void> PlayCompiler::emit(const Task& task, const Inherited& inherited, const Data& loop_vars,
                                bool handlers, const LoopPosition* loop,
                                std::optional<manifest::Condition> when) {
  const bool looped = loop != nullptr;
  VariableScope scope = scopeFor(inherited, loop_vars.empty() ? nullptr : &loop_vars);
  scope_ = &scope;
  role_ = inherited.role;
  // Arguments that read registered results are filled in by the agent.
  LateParams late;
  SC_TRY_ASSIGN(Data raw_args, toData(task.args));
  SC_TRY_ASSIGN(raw_args, late.substitute(raw_args, task.args, host_.registered, scope, templar_));
  auto templated_args = templar_.templateValue(raw_args, scope, task.args.position);
  if (!templated_args) return at(task.args.position, templated_args.error());
  Data args = std::move(*templated_args);
  // module_defaults fill in what the task does not set; inner layers win.
  Data defaults = Data::object();
  for (const Data& layer : inherited.module_defaults) {
    if (auto it = layer.find(task.action); it != layer.end()) {
      for (const auto& [key, item] : it->items()) defaults[key] = item;
    }
  }
  if (!defaults.empty()) {
    SC_TRY_ASSIGN(const Data rendered, templar_.templateValue(defaults, scope, task.position));
    for (const auto& [key, item] : rendered.items()) {
      if (!args.contains(key)) args[key] = item;
    }
  }
  environment_ = inherited.environment;
  if (const yaml::Node* env = task.keyword("environment")) {
    SC_TRY_ASSIGN(environment_, value(*env, scope));
  }
  auto compiled = modules::compileModule(task.action, args, *this);
  scope_ = nullptr;
  if (!compiled) {
    if (!late.empty()) {
      return Error(compiled.error().code(),
                   compiled.error().message() +
                       " (an argument reads a result registered at run time; the controller "
                       "sees only a placeholder for it)",
                   task.action_position.text());
    }
    return at(task.action_position, compiled.error());
  }

  manifest::ResourceSpec spec;
  spec.type = compiled->type;
  try {
    spec.params = nlohmann::json::parse(compiled->params.dump());
  } catch (const nlohmann::json::type_error&) {
    // Only invalid UTF-8 makes dump() throw: a value built from bytes
    // (b64decode of binary, say). Ansible refuses such text too.
    return Error(ErrorCode::Encoding,
                 fmt::format("a parameter of '{}' is not valid UTF-8 text (use content_base64 "
                             "or src for binary data)",
                             task.action),
                 task.action_position.text());
  }
  SC_TRY_ASSIGN(spec.late, late.collect(spec.params, task.action));
  if (inherited.become && !inherited.become_user.empty() && inherited.become_user != "root") {
    // The agent runs commands as the user; it writes files as itself, so a
    // file module under another user would leave different owners.
    if (spec.type == "command" || spec.type == "shell") {
      spec.params["become_user"] = inherited.become_user;
    } else if (spec.type != "stat" && spec.type != "debug" && spec.type != "assert" &&
               spec.type != "fail" && spec.type != "meta") {
      return Error(ErrorCode::Schema,
                   fmt::format("become_user: {} on '{}' is not supported yet: the agent writes "
                               "files as itself; set owner: and group: instead",
                               inherited.become_user, task.action),
                   task.action_position.text());
    }
  }
  std::string name = task.action;
  if (const yaml::Node* node = task.keyword("name")) {
    SC_TRY_ASSIGN(const Data rendered, value(*node, scope));
    name = rendered.is_string() ? rendered.get<std::string>() : rendered.dump();
  }
  if (inherited.role != nullptr) name = inherited.role->name + " : " + name;
  spec.name = name;
  if (looped) {
    std::string label;
    if (loop_vars.contains("__label")) label = loop_vars["__label"].get<std::string>();
    spec.name += " (item=" + label + ")";
  }
  spec.id = handlers ? handler_ids_.at(&task)
                     : fmt::format("p{}-t{}", play_index_ + 1, task_number_) +
                           (looped ? fmt::format("-{}", loop->index) : "");
  spec.tags = inherited.tags;
  spec.block = inherited.block;
  if (const yaml::Node* notify = task.keyword("notify")) {
    SC_TRY_ASSIGN(const Data names, value(*notify, scope));
    const Data list = names.is_array() ? names : Data::array({names});
    for (const Data& handler : list) {
      SC_TRY_ASSIGN(std::string id, resolveHandler(handler.is_string() ? handler.get<std::string>()
                                                                       : handler.dump(),
                                                   notify->position));
      spec.notify.push_back(std::move(id));
    }
  }
  if (const yaml::Node* flag = task.keyword("ignore_errors")) {
    SC_TRY_ASSIGN(const Data v, value(*flag, scope));
    SC_TRY_ASSIGN(spec.ignore_errors, modules::toBool(v));
  } else {
    spec.ignore_errors = inherited.ignore_errors;
  }
  if (const yaml::Node* flag = task.keyword("no_log")) {
    SC_TRY_ASSIGN(const Data v, value(*flag, scope));
    SC_TRY_ASSIGN(spec.no_log, modules::toBool(v));
  } else {
    spec.no_log = inherited.no_log;
  }
  if (const yaml::Node* check = task.keyword("check_mode")) {
    SC_TRY_ASSIGN(const Data v, value(*check, scope));
    SC_TRY_ASSIGN(const bool always, modules::toBool(v));
    spec.check_mode =
        always ? manifest::CheckModeOverride::AlwaysCheck : manifest::CheckModeOverride::NeverCheck;
  }
  spec.when = std::move(when);
  std::set<std::string> run_time = host_.registered;
  if (const yaml::Node* reg = task.keyword("register")) {
    spec.register_as = reg->scalar;
    if (looped) {
      spec.loop =
          manifest::LoopItem{fmt::format("p{}-t{}", play_index_ + 1, task_number_), loop->index,
                             loop->count, loop->var, nlohmann::json::parse(loop->item->dump())};
    }
    run_time.insert(reg->scalar);
  }
  if (const yaml::Node* node = task.keyword("changed_when")) {
    SC_TRY_ASSIGN(spec.changed_when, resultCondition(*node, scope, run_time));
  }
  if (const yaml::Node* node = task.keyword("failed_when")) {
    SC_TRY_ASSIGN(spec.failed_when, resultCondition(*node, scope, run_time));
  }
  if (const yaml::Node* node = task.keyword("delegate_to")) {
    SC_TRY_ASSIGN(const bool ran, runDelegated(task, *node, scope, spec));
    if (ran) return {};
  }
  if (!spec.register_as.empty()) host_.registered.insert(spec.register_as);
  for (const char* keyword : {"until", "async"}) {
    if (const yaml::Node* node = task.keyword(keyword)) {
      return Error(ErrorCode::Schema, fmt::format("{}: is not supported yet", keyword),
                   node->position.text());
    }
  }
  spec.pointer = task.position.text();
  (handlers ? host_.handlers : host_.resources).push_back(std::move(spec));
  return {};
}

Result<void> PlayCompiler::compileTask(const Task& task, const Inherited& outer, bool handlers) {
  Inherited inherited = outer;
  role_ = inherited.role;  // lookups in loops and conditions search the role first
  if (const yaml::Node* when = task.keyword("when")) {
    const std::vector<yaml::Node> items =
        when->isSequence() ? when->items : std::vector<yaml::Node>{*when};
    for (const yaml::Node& item : items) {
      if (item.isScalar() && !item.quoted && (item.scalar == "true" || item.scalar == "True")) {
        continue;
      }
      inherited.when.emplace_back(item.scalar, item.position);
    }
  }
  if (const yaml::Node* tags = task.keyword("tags")) {
    SC_TRY_ASSIGN(const Data list, toData(*tags));
    for (const Data& tag : list.is_array() ? list : Data::array({list})) {
      std::string text = tag.is_string() ? tag.get<std::string>() : tag.dump();
      // "a,b" is two tags, as in Ansible.
      std::stringstream split(text);
      for (std::string one; std::getline(split, one, ',');) {
        if (!one.empty()) inherited.tags.push_back(one);
      }
    }
  }
  if (const yaml::Node* vars = task.keyword("vars")) {
    SC_TRY_ASSIGN(Data data, toData(*vars));
    if (!data.is_object() && !data.is_null()) {
      return Error(ErrorCode::Schema, "vars: must be a mapping", vars->position.text());
    }
    inherited.vars.push_back(data.is_null() ? Data::object() : std::move(data));
  }
  if (const yaml::Node* defaults = task.keyword("module_defaults")) {
    SC_TRY_ASSIGN(Data layer, moduleDefaults(*defaults));
    inherited.module_defaults.push_back(std::move(layer));
  }
  if (task.keyword("become") != nullptr || task.keyword("become_user") != nullptr) {
    VariableScope scope = scopeFor(inherited, nullptr);
    SC_TRY(
        readBecome([&](const std::string& word) { return task.keyword(word); }, scope, inherited));
  }
  if (const yaml::Node* env = task.keyword("environment"); env != nullptr && task.is_block) {
    VariableScope scope = scopeFor(inherited, nullptr);
    SC_TRY_ASSIGN(inherited.environment, value(*env, scope));
  }

  if (task.is_block) {
    if (const yaml::Node* node = task.keyword("delegate_to")) {
      return Error(ErrorCode::Schema, "delegate_to: on a block is not supported yet",
                   node->position.text());
    }
    if (task.rescue.empty() && task.always.empty()) {
      return compileTasks(task.block, inherited, handlers);
    }
    if (handlers) {
      return Error(ErrorCode::Schema, "rescue: and always: in handlers are not supported",
                   task.position.text());
    }
    // The agent runs the parts (docs/engine.md, "Blocks"): each resource
    // carries the sections it sits in.
    Inherited part = inherited;
    part.block.push_back(
        {fmt::format("p{}-b{}", play_index_ + 1, ++block_counter_), manifest::BlockPart::Block});
    SC_TRY(compileTasks(task.block, part, handlers));
    part.block.back().part = manifest::BlockPart::Rescue;
    SC_TRY(compileTasks(task.rescue, part, handlers));
    part.block.back().part = manifest::BlockPart::Always;
    return compileTasks(task.always, part, handlers);
  }

  VariableScope scope = scopeFor(inherited, nullptr);
  const std::string& action = task.action;
  const bool includes = action == "import_tasks" || action == "include_tasks" ||
                        action == "include" || action == "import_role" || action == "include_role";
  if (includes && !task.loop_kind.empty() && action.rfind("import_", 0) == 0) {
    const yaml::Node* loop =
        task.keyword(task.loop_kind == "loop" ? "loop" : "with_" + task.loop_kind);
    return Error(ErrorCode::Schema,
                 fmt::format("{} cannot loop: imports are expanded once, before any loop "
                             "runs (use include_{})",
                             action, action.substr(7)),
                 loop->position.text());
  }

  // Loops: the items are known at compile time.
  const bool looped = !task.loop_kind.empty();
  SC_TRY_ASSIGN(std::vector<Data> items, loopItems(task, scope));
  SC_TRY_ASSIGN(const LoopControl control, loopControl(task));
  const std::string& loop_var = control.var;
  const yaml::Node* label = control.label;
  if (includes) {
    if (!looped) return compileInclude(task, inherited, handlers);
    // An included file or role once per item, the loop variable set in it.
    for (Data& item : items) {
      Inherited each = inherited;
      each.vars.push_back(Data{{loop_var, std::move(item)}});
      SC_TRY(compileInclude(task, each, handlers));
    }
    return {};
  }
  if (task.action == "set_fact" || task.action == "include_vars") {
    for (std::size_t i = 0; i < items.size(); ++i) {
      Data loop_vars = Data::object();
      if (looped) loop_vars[loop_var] = items[i];
      VariableScope item_scope = scopeFor(inherited, looped ? &loop_vars : nullptr);
      SC_TRY_ASSIGN(const bool holds, conditionsHold(inherited.when, item_scope));
      if (!holds) continue;
      SC_TRY_ASSIGN(const Data args, value(task.args, item_scope));
      if (task.action == "set_fact") {
        for (const auto& [key, item] : args.items()) {
          if (key != "cacheable") host_.set_facts[key] = item;
        }
      } else {
        std::string file = args.value("_raw_params", args.value("file", ""));
        fs::path path = file;
        if (path.is_relative()) {
          path = inherited.role != nullptr
                     ? fs::path(inherited.role->directory) / "vars" / path
                     : fs::path(task.position.file.str()).parent_path() / path;
        }
        SC_TRY_ASSIGN(const auto documents, loadNamedFile(path, task.action_position));
        if (!documents.empty()) {
          SC_TRY_ASSIGN(const Data vars, toData(documents.front()));
          if (vars.is_object()) {
            for (const auto& [key, item] : vars.items()) host_.set_facts[key] = item;
          }
        }
      }
    }
    return {};
  }
  Decision decision;
  if (!handlers) task_number_ = ++counter_;
  const Data skipped{
      {"changed", false}, {"skip_reason", "Conditional result was False"}, {"skipped", true}};
  Data skipped_items = Data::array();
  std::size_t emitted = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Data loop_vars = Data::object();
    if (looped) {
      loop_vars[loop_var] = items[i];
      VariableScope item_scope = scopeFor(inherited, &loop_vars);
      SC_TRY_ASSIGN(decision, decide(inherited.when, item_scope, host_.registered));
      if (decision.skip) {
        Data result = skipped;
        result[loop_var] = items[i];
        result["ansible_loop_var"] = loop_var;
        skipped_items.push_back(std::move(result));
        continue;
      }
      if (label != nullptr) {
        SC_TRY_ASSIGN(const Data text, value(*label, item_scope));
        loop_vars["__label"] = text.is_string() ? text.get<std::string>() : text.dump();
      } else {
        loop_vars["__label"] = items[i].is_string() ? items[i].get<std::string>() : items[i].dump();
      }
    } else {
      SC_TRY_ASSIGN(decision, decide(inherited.when, scope, host_.registered));
      if (decision.skip) {
        registerSkipped(task, skipped);
        return {};
      }
    }
    const LoopPosition position{i, items.size(), loop_var, &items[i]};
    SC_TRY(emit(task, inherited, loop_vars, handlers, looped ? &position : nullptr,
                allOf(decision.run_time)));
    ++emitted;
    // Its resource holds what it needs now: a long loop's items go as the
    // manifest grows, rather than both being held in full at the end.
    items[i] = Data();
  }
  if (looped && emitted == 0) {
    // Ansible's result for a loop with nothing to run.
    registerSkipped(task, items.empty() ? Data{{"changed", false},
                                               {"skipped", true},
                                               {"skipped_reason", "No items in the list"},
                                               {"results", Data::array()}}
                                        : Data{{"results", std::move(skipped_items)},
                                               {"skipped", true},
                                               {"changed", false},
                                               {"msg", "All items skipped"}});
  }
  return {};
}

Result<bool> PlayCompiler::runDelegated(const Task& task, const yaml::Node& target,
                                        VariableScope& scope, const manifest::ResourceSpec& spec) {
  SC_TRY_ASSIGN(const Data host, value(target, scope));
  if (host != "localhost" && host != "127.0.0.1") {
    return Error(ErrorCode::Schema,
                 fmt::format("delegate_to: {} is not supported: only localhost, for tasks that "
                             "read",
                             host.is_string() ? host.get<std::string>() : host.dump()),
                 target.position.text());
  }
  if (spec.type == "debug" || spec.type == "assert" || spec.type == "fail" || spec.type == "meta") {
    return false;  // they touch no host: where they run does not matter
  }
  const bool command = spec.type == "command" || spec.type == "shell";
  const bool reads_only =
      spec.type == "stat" || (command && spec.changed_when &&
                              spec.changed_when->kind == manifest::Condition::Kind::Constant &&
                              !spec.changed_when->constant);
  if (!reads_only) {
    return Error(ErrorCode::Schema,
                 fmt::format("delegate_to: localhost is supported only for tasks that read: stat, "
                             "and command or shell with changed_when: false ('{}' here)",
                             task.action),
                 target.position.text());
  }
  if (command && !options_.allow_pipe) {
    return Error(ErrorCode::NotPermitted,
                 "this command is delegated to localhost, which runs it on this machine while "
                 "the playbook compiles; allow that with --allow-pipe",
                 target.position.text());
  }
  if (spec.when || !spec.late.empty()) {
    return Error(ErrorCode::Schema,
                 "a task delegated to localhost runs while the playbook compiles, so it cannot "
                 "read results registered on the host",
                 target.position.text());
  }
  if (spec.loop) {
    return Error(ErrorCode::Schema,
                 "register: on a loop delegated to localhost is not supported yet",
                 target.position.text());
  }
  if (!options_.run_on_controller) {
    return Error(ErrorCode::Schema, "delegate_to: localhost needs scctl (it runs the task here)",
                 target.position.text());
  }
  auto ran = options_.run_on_controller(spec);
  if (!ran) return at(target.position, ran.error());
  Data result = std::move(*ran);
  if (command) result["changed"] = false;  // changed_when: false
  bool failed = result.value("failed", false);
  if (spec.failed_when && !spec.register_as.empty()) {
    const nlohmann::json own{{spec.register_as, nlohmann::json::parse(result.dump())}};
    auto holds = manifest::evaluate(*spec.failed_when, own);
    if (!holds) return at(target.position, holds.error());
    failed = *holds;
    result["failed"] = failed;
  }
  if (failed && !spec.ignore_errors) {
    const Data message = result.value("msg", Data(""));
    std::string stderr_text = result.value("stderr", std::string());
    return Error(ErrorCode::CommandFailed,
                 fmt::format("'{}' delegated to localhost failed: {}{}", spec.name,
                             message.is_string() ? message.get<std::string>() : message.dump(),
                             stderr_text.empty() ? "" : ": " + stderr_text),
                 task.action_position.text());
  }
  if (!spec.register_as.empty()) {
    host_.registered.erase(spec.register_as);
    host_.set_facts[spec.register_as] = std::move(result);
  }
  return true;
}

void PlayCompiler::registerSkipped(const Task& task, Data value) {
  const yaml::Node* reg = task.keyword("register");
  if (reg == nullptr) return;
  host_.registered.erase(reg->scalar);
  host_.set_facts[reg->scalar] = std::move(value);
}

Result<void> PlayCompiler::compileInclude(const Task& task, Inherited inherited, bool handlers) {
  const std::string& action = task.action;
  VariableScope scope = scopeFor(inherited, nullptr);
  if (action.rfind("import_", 0) != 0) {
    // A dynamic include decides its condition once, here; an import leaves
    // it on every task it brings in (below), as Ansible does.
    SC_TRY_ASSIGN(const Decision decision, decide(inherited.when, scope, host_.registered));
    if (!decision.run_time.empty()) {
      return Error(ErrorCode::Schema,
                   fmt::format("the when: of {} reads a result registered at run time, but the "
                               "controller must decide now whether to include (use import_{}, "
                               "which puts the condition on every task)",
                               action, action == "include" ? "tasks" : action.substr(8)),
                   task.action_position.text());
    }
    if (decision.skip) return {};
    inherited.when.clear();
  }
  if (action == "import_tasks" || action == "include_tasks" || action == "include") {
    SC_TRY_ASSIGN(const Data args, value(task.args, scope));
    std::string file = args.value("_raw_params", args.value("file", ""));
    if (file.empty()) {
      return Error(ErrorCode::Schema, fmt::format("{} needs a file name", action),
                   task.action_position.text());
    }
    fs::path path = file;
    if (path.is_relative()) {
      path = inherited.role != nullptr ? fs::path(inherited.role->directory) / "tasks" / path
                                       : fs::path(task.position.file.str()).parent_path() / path;
    }
    SC_TRY_ASSIGN(const auto documents, loadNamedFile(path, task.action_position));
    if (documents.empty()) return {};
    SC_TRY_ASSIGN(const auto tasks,
                  playbook::parseTaskList(documents.front(), handlers ? playbook::Place::Handler
                                                                      : playbook::Place::Task));
    if (include_depth_ >= kMaxIncludeDepth) {
      return Error(ErrorCode::TooDeep,
                   fmt::format("task files include each other deeper than {} levels (does one "
                               "include itself?)",
                               kMaxIncludeDepth),
                   task.action_position.text());
    }
    included_.push_back(std::make_unique<std::vector<Task>>(tasks));
    ++include_depth_;
    auto compiled = compileTasks(*included_.back(), inherited, handlers);
    --include_depth_;
    return compiled;
  }
  if (action == "import_role" || action == "include_role") {
    SC_TRY_ASSIGN(const Data args, value(task.args, scope));
    playbook::RoleReference reference;
    reference.position = task.action_position;
    reference.name = args.value("name", "");
    return compileRole(reference, inherited, args.value("tasks_from", "main"), 0);
  }

  return Error(ErrorCode::Schema, fmt::format("'{}' is not an include", action),
               task.action_position.text());
}

Result<std::vector<Data>> PlayCompiler::loopItems(const Task& task, VariableScope& scope) {
  const std::string& action = task.action;
  std::vector<Data> items;
  if (!task.loop_kind.empty()) {
    const yaml::Node* loop =
        task.keyword(task.loop_kind == "loop" ? "loop" : "with_" + task.loop_kind);
    SC_TRY_ASSIGN(Data list, value(*loop, scope));
    if (task.loop_kind == "loop") {
      if (!list.is_array()) {
        return Error(ErrorCode::Schema, "loop: needs a list", loop->position.text());
      }
    } else {
      // with_<plugin>: terms is query('<plugin>', terms), as in Ansible.
      lookups_.setFolder(action == "include_vars" ? "vars"
                         : action == "template"   ? "templates"
                                                  : "files");
      auto found = lookups_.run(task.loop_kind, lookupTerms(list), Data::object());
      if (!found) return at(loop->position, found.error());
      list = Data::array();
      for (Data& item : *found) list.push_back(std::move(item));
    }
    for (Data& item : list) items.push_back(std::move(item));
  } else {
    items.push_back(nullptr);
  }

  return items;
}

Result<PlayCompiler::LoopControl> PlayCompiler::loopControl(const Task& task) {
  LoopControl out;
  if (const yaml::Node* control = task.keyword("loop_control")) {
    if (!control->isMapping()) {
      return Error(ErrorCode::Schema, "loop_control: must be a mapping (loop_var, label)",
                   control->position.text());
    }
    for (const auto& [key, unused] : control->entries) {
      if (key.scalar == "loop_var" || key.scalar == "label") continue;
      static const std::vector<std::string_view> kLater = {"index_var", "extended",
                                                           "extended_allitems", "pause"};
      const bool later = std::find(kLater.begin(), kLater.end(), key.scalar) != kLater.end();
      return Error(ErrorCode::Schema,
                   later
                       ? fmt::format("loop_control: {} is not supported yet", key.scalar)
                       : fmt::format("loop_control: unknown key '{}'{}", key.scalar,
                                     text::didYouMean(key.scalar, {"loop_var", "label", "index_var",
                                                                   "extended", "pause"})),
                   key.position.text());
    }
    if (const yaml::Node* var = control->find("loop_var")) out.var = var->scalar;
    out.label = control->find("label");
  }
  return out;
}

Result<void> PlayCompiler::compileTasks(const std::vector<Task>& tasks, const Inherited& inherited,
                                        bool handlers) {
  for (const Task& task : tasks) SC_TRY(compileTask(task, inherited, handlers));
  return {};
}

Result<void> PlayCompiler::compileRole(const playbook::RoleReference& reference,
                                       const Inherited& outer, const std::string& tasks_from,
                                       int depth) {
  if (depth > 32) {
    return Error(ErrorCode::TooDeep, "role dependencies nest deeper than 32 levels",
                 reference.position.text());
  }
  SC_TRY_ASSIGN(
      const std::string directory,
      playbook::findRole(reference.name, play_.directory, options_.roles_path, reference.position));
  SC_TRY_ASSIGN(const Role role, playbook::loadRole(reference.name, directory, tasks_from));
  // A role runs once per play for the same parameters, unless its meta
  // allows duplicates (Ansible's rule).
  std::string identity = directory + "\n" + tasks_from;
  for (const auto& [key, node] : reference.parameters) {
    SC_TRY_ASSIGN(const Data parameter, toData(node));
    identity += "\n" + key + "=" + parameter.dump();
  }
  if (!role.allow_duplicates && !roles_seen_.insert(identity).second) return {};
  auto frame = std::make_unique<RoleFrame>();
  frame->name = fs::path(reference.name).filename().string();
  frame->directory = directory;
  if (!role.defaults.isNull()) {
    SC_TRY_ASSIGN(frame->defaults, toData(role.defaults));
  }
  if (!role.vars.isNull()) {
    SC_TRY_ASSIGN(frame->vars, toData(role.vars));
  }
  for (const auto& [key, node] : reference.parameters) {
    SC_TRY_ASSIGN(frame->params[key], toData(node));
  }
  frame->params["role_name"] = frame->name;
  frame->params["role_path"] = directory;
  Inherited inherited = outer;
  for (const auto& [key, node] : reference.keywords) {
    if (key == "when") {
      inherited.when.emplace_back(node.scalar, node.position);
    } else if (key == "tags") {
      SC_TRY_ASSIGN(const Data list, toData(node));
      for (const Data& tag : list.is_array() ? list : Data::array({list})) {
        inherited.tags.push_back(tag.is_string() ? tag.get<std::string>() : tag.dump());
      }
    } else if (key == "vars") {
      SC_TRY_ASSIGN(Data vars, toData(node));
      for (const auto& [name, item] : vars.items()) frame->params[name] = item;
    } else if (key == "module_defaults") {
      SC_TRY_ASSIGN(Data layer, moduleDefaults(node));
      inherited.module_defaults.push_back(std::move(layer));
    }
  }
  {
    VariableScope scope = scopeFor(outer, nullptr);
    SC_TRY(readBecome(
        [&](const std::string& word) -> const yaml::Node* {
          for (const auto& [key, node] : reference.keywords) {
            if (key == word) return &node;
          }
          return nullptr;
        },
        scope, inherited));
  }
  for (const auto& dependency : role.dependencies) {
    SC_TRY(compileRole(dependency, inherited, "main", depth + 1));
  }
  const RoleFrame* raw = frame.get();
  roles_.push_back(std::move(frame));
  role_vars_.push_back(raw->vars);
  role_tasks_.push_back(std::make_unique<Role>(role));
  for (const Task& handler : role_tasks_.back()->handlers) registerHandler(handler, raw);
  inherited.role = raw;
  return compileTasks(role_tasks_.back()->tasks, inherited, false);
}

void PlayCompiler::registerHandler(const Task& handler, const RoleFrame* role) {
  const std::string id = fmt::format("p{}-h{}", play_index_ + 1, handler_ids_.size() + 1);
  handler_ids_[&handler] = id;
  handler_roles_[&handler] = role;
  if (const yaml::Node* name = handler.keyword("name"))
    handler_names_.emplace_back(name->scalar, &handler);
  if (const yaml::Node* listen = handler.keyword("listen")) {
    const std::vector<yaml::Node> topics =
        listen->isSequence() ? listen->items : std::vector<yaml::Node>{*listen};
    for (const yaml::Node& topic : topics) handler_names_.emplace_back(topic.scalar, &handler);
  }
}

Result<void> PlayCompiler::compile() {
  // Lookups run with this play's search path while it compiles.
  templar_.setLookups(&lookups_);
  struct Reset {
    Templar& templar;
    ~Reset() { templar.setLookups(nullptr); }
  } reset{templar_};
  if (const yaml::Node* vars = play_.keyword("vars")) {
    SC_TRY_ASSIGN(Data data, toData(*vars));
    // A mapping, or a list of mappings merged in order (as Ansible allows).
    play_vars_ = Data::object();
    for (const Data& layer : data.is_array() ? data : Data::array({data})) {
      if (layer.is_null()) continue;
      if (!layer.is_object()) {
        return Error(ErrorCode::Schema, "vars: in a play must be a mapping or a list of mappings",
                     vars->position.text());
      }
      for (const auto& [key, item] : layer.items()) play_vars_[key] = item;
    }
  }
  for (const auto& with : play_.imported_with) {
    if (const yaml::Node* vars = playbook::findKeyword(with, "vars")) {
      SC_TRY_ASSIGN(const Data data, toData(*vars));
      for (const auto& [key, item] : data.items()) play_vars_[key] = item;
    }
  }
  SC_TRY(loadVarsFiles());
  for (const Task& handler : play_.handlers) registerHandler(handler, nullptr);

  Inherited inherited;
  if (const yaml::Node* defaults = play_.keyword("module_defaults")) {
    SC_TRY_ASSIGN(Data layer, moduleDefaults(*defaults));
    inherited.module_defaults.push_back(std::move(layer));
  }
  {
    VariableScope scope = scopeFor(inherited, nullptr);
    SC_TRY(
        readBecome([&](const std::string& word) { return play_.keyword(word); }, scope, inherited));
  }
  for (const auto& with : play_.imported_with) {
    if (const yaml::Node* when = playbook::findKeyword(with, "when")) {
      inherited.when.emplace_back(when->scalar, when->position);
    }
  }
  if (const yaml::Node* tags = play_.keyword("tags")) {
    SC_TRY_ASSIGN(const Data list, toData(*tags));
    for (const Data& tag : list.is_array() ? list : Data::array({list})) {
      inherited.tags.push_back(tag.is_string() ? tag.get<std::string>() : tag.dump());
    }
  }
  SC_TRY(compileTasks(play_.pre_tasks, inherited, false));
  for (const auto& reference : play_.roles) SC_TRY(compileRole(reference, inherited, "main", 0));
  SC_TRY(compileTasks(play_.tasks, inherited, false));
  SC_TRY(compileTasks(play_.post_tasks, inherited, false));

  // Handlers compile last, with the variables the play ended with; roles'
  // handlers come before the play's, the order Ansible runs them in.
  for (const auto& role : role_tasks_) {
    for (const Task& handler : role->handlers) {
      Inherited in_role = inherited;
      in_role.role = handler_roles_.at(&handler);
      SC_TRY(compileTask(handler, in_role, true));
    }
  }
  for (const Task& handler : play_.handlers) SC_TRY(compileTask(handler, inherited, true));
  return {};
}

Result<void> PlayCompiler::loadVarsFiles() {
  const yaml::Node* files = play_.keyword("vars_files");
  if (files == nullptr || files->isNull()) return {};
  const std::vector<yaml::Node> entries =
      files->isSequence() ? files->items : std::vector<yaml::Node>{*files};
  Inherited none;
  for (const yaml::Node& entry : entries) {
    VariableScope scope = scopeFor(none, nullptr);
    SC_TRY_ASSIGN(const Data name, value(entry, scope));
    if (!name.is_string()) {
      return Error(ErrorCode::Schema, "vars_files entries are file names", entry.position.text());
    }
    fs::path path = name.get<std::string>();
    if (path.is_relative()) path = fs::path(play_.directory) / path;
    auto documents = loadNamedFile(path, entry.position);
    if (!documents) return documents.error();
    if (documents->empty()) continue;
    SC_TRY_ASSIGN(Data vars, toData(documents->front()));
    const yaml::Position where = documents->front().position;
    // A vars file can be large (a list of every managed file): its tree
    // goes before the values move into the play's layer, so no more than
    // two forms of it are ever held.
    documents->clear();
    if (!vars.is_object()) {
      return Error(ErrorCode::Schema, "a vars file must be a mapping", where.text());
    }
    for (auto& [key, item] : vars.items()) vars_files_[key] = std::move(item);
  }
  return {};
}

// Ansible's cache holds ansible_* names at the top; templates read them
// directly and through ansible_facts without the prefix.
Data factLayer(const Data& facts) {
  Data layer = facts;
  Data short_names = Data::object();
  for (const auto& [key, item] : facts.items()) {
    if (key.rfind("ansible_", 0) == 0) short_names[key.substr(8)] = item;
  }
  layer["ansible_facts"] = short_names;
  return layer;
}

Result<Data> loadFacts(const CompileOptions& options, const std::string& host) {
  if (const auto it = options.facts.find(host); it != options.facts.end()) {
    return factLayer(it->second);
  }
  if (options.facts_dir.empty()) return Data();
  for (const std::string& name : {host, host + ".json"}) {
    const fs::path path = fs::path(options.facts_dir) / name;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    std::ifstream in(path);
    Data facts = Data::parse(in, nullptr, false);
    if (facts.is_discarded() || !facts.is_object()) {
      return Error(ErrorCode::Parse, "facts must be one JSON object", path.string());
    }
    return factLayer(facts);
  }
  return Data();
}

}  // namespace

Result<CompileResult> compilePlaybook(const CompileOptions& options) {
  CompileResult result;
  std::vector<std::string> sources = options.inventories;
  SC_TRY_ASSIGN(const Inventory inventory,
                sources.empty() ? loadInventory({"localhost,"}) : loadInventory(sources));
  SC_TRY_ASSIGN(const std::vector<Play> plays, playbook::loadPlaybook(options.playbook));
  const std::string playbook_dir = fs::weakly_canonical(options.playbook).parent_path().string();
  // Random per run, as Ansible makes it, so no value can equal it by chance.
  const std::string omit = "__omit_place_holder__" + randomHex(20);
  Templar templar;

  // What other hosts' templates read of a host: its inventory variables and
  // cached facts (hostvars[h].ansible_default_ipv4.address).
  std::map<std::string, Data> facts;
  Data hostvars = Data::object();
  bool gathers = false;
  for (const Play& play : plays) {
    const yaml::Node* gather = play.keyword("gather_facts");
    if (gather == nullptr) {
      gathers = true;
    } else {
      SC_TRY_ASSIGN(const Data flag, toData(*gather));
      auto on = modules::toBool(flag);
      if (!on) return at(gather->position, on.error());
      gathers = gathers || *on;
    }
  }
  Data local_facts;  // gathered on first need
  const auto localFacts = [&]() -> const Data& {
    if (local_facts.is_null()) local_facts = factLayer(options.local_facts());
    return local_facts;
  };
  const auto hostVariables = [&](const std::string& name) -> Result<const Data*> {
    auto found = hostvars.find(name);
    if (found != hostvars.end()) return &*found;
    SC_TRY_ASSIGN(Data vars, inventoryVars(inventory, name, {playbook_dir}));
    SC_TRY_ASSIGN(facts[name], loadFacts(options, name));
    if (facts[name].is_null() && gathers && options.local_facts) facts[name] = localFacts();
    if (facts[name].is_object()) {
      for (const auto& [key, item] : facts[name].items()) vars[key] = item;
    }
    vars["inventory_hostname"] = name;
    vars["group_names"] = inventory.groupNamesOf(name);
    hostvars[name] = std::move(vars);
    return &hostvars[name];
  };
  for (const std::string& name : inventory.hostNames()) SC_TRY(hostVariables(name));

  std::map<std::string, HostState> hosts;
  std::vector<std::string> order;
  for (std::size_t index = 0; index < plays.size(); ++index) {
    const Play& play = plays[index];
    std::vector<std::string> patterns;
    const std::vector<yaml::Node> written =
        play.hosts.isSequence() ? play.hosts.items : std::vector<yaml::Node>{play.hosts};
    for (const yaml::Node& pattern : written) patterns.push_back(pattern.scalar);
    auto selection = selectHosts(inventory, patterns, options.limits);
    if (!selection) return at(play.hosts.position, selection.error());
    for (const std::string& warning : selection->warnings) result.warnings.push_back(warning);
    if (options.reachable) {
      std::erase_if(selection->hosts, [&](const std::string& name) {
        if (options.reachable(name)) return false;
        if (std::find(result.unreachable.begin(), result.unreachable.end(), name) ==
            result.unreachable.end()) {
          result.unreachable.push_back(name);
        }
        return true;
      });
    }

    Data magic = Data::object();
    magic["groups"] = inventory.groupsVar();
    magic["play_hosts"] = selection->hosts;
    magic["ansible_play_hosts"] = selection->hosts;
    magic["ansible_play_batch"] = selection->hosts;
    magic["playbook_dir"] = playbook_dir;
    magic["omit"] = omit;
    magic["ansible_check_mode"] = false;
    for (const std::string& name : selection->hosts) SC_TRY(hostVariables(name));
    magic["hostvars"] = hostvars;
    for (const std::string& name : selection->hosts) {
      auto [it, fresh] = hosts.try_emplace(name);
      HostState& host = it->second;
      if (fresh) {
        order.push_back(name);
        host.name = name;
        host.manifest.host = name;
        SC_TRY_ASSIGN(host.inventory_vars, inventoryVars(inventory, name, {playbook_dir}));
        host.facts = facts[name];
      }
      Data host_magic = Data::object();
      host_magic["inventory_hostname"] = name;
      host_magic["inventory_hostname_short"] = name.substr(0, name.find('.'));
      host_magic["group_names"] = inventory.groupNamesOf(name);
      PlayCompiler compiler(options, play, index, host, templar, magic, std::move(host_magic),
                            omit);
      SC_TRY(compiler.compile());
    }
  }
  for (const std::string& name : order) {
    HostState& host = hosts[name];
    moveSpecs(host.resources, host.manifest.resources);
    moveSpecs(host.handlers, host.manifest.handlers);
    result.manifests.push_back(std::move(host.manifest));
  }
  return result;
}

}  // namespace sc::controller::compiler
