#include "controller/compiler/lookups.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <glob.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/fs/atomic_file.h"
#include "common/fs/unique_fd.h"
#include "common/random.h"
#include "common/text/suggest.h"
#include "common/text/utf8.h"
#include "controller/jinja/py_format.h"
#include "controller/playbook/kv_args.h"

extern char** environ;

namespace sc::controller::compiler {
namespace fs = std::filesystem;
namespace {

// Output of one lookup('pipe') command; more is an error, not a truncation.
constexpr std::size_t kMaxPipeOutput = 16u << 20;
// A file read by lookup('file') or a password file.
constexpr std::uintmax_t kMaxLookupFile = 64u << 20;

Error lookupError(std::string_view plugin, std::string message) {
  return Error(ErrorCode::InvalidArgument, fmt::format("lookup('{}'): {}", plugin, message));
}

Result<std::string> termString(std::string_view plugin, const Data& term) {
  if (!term.is_string()) {
    return lookupError(plugin, fmt::format("expected a string term, got {}", jinja::pyRepr(term)));
  }
  return term.get<std::string>();
}

Result<std::string> readSmallFile(std::string_view plugin, const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return lookupError(plugin, fmt::format("cannot read '{}': {}", path, ec.message()));
  if (size > kMaxLookupFile) {
    return Error(ErrorCode::TooLarge, fmt::format("lookup('{}'): '{}' is larger than {} MiB",
                                                  plugin, path, kMaxLookupFile >> 20));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return lookupError(plugin, fmt::format("cannot read '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (!text::utf8::isValid(text.str())) {
    return Error(ErrorCode::Encoding,
                 fmt::format("lookup('{}'): '{}' is not UTF-8 text", plugin, path));
  }
  return text.str();
}

// Python's str.strip family over ASCII whitespace.
constexpr std::string_view kWhitespace = " \t\n\r\v\f";
std::string rstrip(std::string text) {
  text.erase(text.find_last_not_of(kWhitespace) + 1);
  return text;
}
std::string lstrip(std::string text) {
  text.erase(0, std::min(text.size(), text.find_first_not_of(kWhitespace)));
  return text;
}

bool optionTrue(const Data& options, const char* name, bool fallback) {
  auto it = options.find(name);
  if (it == options.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) {
    std::string v = it->get<std::string>();
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    return v == "true" || v == "yes" || v == "1" || v == "on";
  }
  return jinja::isTrue(*it);
}

// Python's string module constants, by the names `chars=` may use.
std::optional<std::string> pythonCharacterSet(std::string_view name) {
  static const std::string lower = "abcdefghijklmnopqrstuvwxyz";
  static const std::string upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static const std::string digits = "0123456789";
  if (name == "ascii_lowercase") return lower;
  if (name == "ascii_uppercase") return upper;
  if (name == "ascii_letters") return lower + upper;
  if (name == "digits") return digits;
  if (name == "hexdigits") return digits + "abcdefABCDEF";
  if (name == "octdigits") return std::string("01234567");
  if (name == "punctuation") return std::string(R"(!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)");
  return std::nullopt;
}

// `chars=ascii_letters,digits,,` as Ansible reads it: comma-separated names
// of Python's string constants or literal characters, ",," a literal comma.
std::string passwordCharacters(const std::string& spec) {
  std::vector<std::string> parts;
  std::string current;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == ',' && i + 1 < spec.size() && spec[i + 1] == ',') {
      current += ',';
      ++i;
    } else if (spec[i] == ',') {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current += spec[i];
    }
  }
  parts.push_back(std::move(current));
  std::string chars;
  for (const std::string& part : parts) chars += pythonCharacterSet(part).value_or(part);
  return chars;
}

// Writes `content` to `path` (mode 0600) without ever leaving it half-written;
// creates the missing directories with mode 0700, as Ansible does.
Result<void> writePrivateFile(const fs::path& path, const std::string& content) {
  std::error_code ec;
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return Error(ErrorCode::Io, fmt::format("lookup('password'): cannot create '{}': {}",
                                              dir.string(), ec.message()));
    }
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  sc::fs::AtomicWriteOptions options;
  options.mode = 0600;
  return sc::fs::writeFileAtomic(path, content, options);
}

// Runs `/bin/sh -c command` in `cwd`; its standard output, or an error
// when it cannot start, exits non-zero or writes too much.
Result<std::string> runShell(const std::string& command, const std::string& cwd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::Io, fmt::format("lookup('pipe'): pipe: {}", std::strerror(errno)));
  }
  sc::fs::UniqueFd read_end(fds[0]);
  sc::fs::UniqueFd write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return Error(ErrorCode::CommandFailed,
                 fmt::format("lookup('pipe'): cannot start /bin/sh: {}", std::strerror(spawned)));
  }
  write_end.reset();
  std::string output;
  char buffer[65536];
  bool too_much = false;
  for (;;) {
    const ssize_t got = ::read(read_end.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (output.size() + static_cast<std::size_t>(got) > kMaxPipeOutput) {
      too_much = true;
      break;
    }
    output.append(buffer, static_cast<std::size_t>(got));
  }
  read_end.reset();  // a writer still going gets SIGPIPE
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_much) {
    return Error(ErrorCode::TooLarge, fmt::format("lookup('pipe', '{}') wrote more than {} MiB",
                                                  command, kMaxPipeOutput >> 20));
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != 0) {
    return Error(ErrorCode::CommandFailed,
                 fmt::format("lookup('pipe', '{}') returned {}", command, code));
  }
  return output;
}

// Ansible's nested lookup: every combination, each flattened into a list.
void combine(const std::vector<std::vector<Data>>& lists, std::size_t index, Data& current,
             std::vector<Data>& out) {
  if (index == lists.size()) {
    out.push_back(current);
    return;
  }
  for (const Data& item : lists[index]) {
    Data next = current;
    if (item.is_array()) {
      for (const Data& inner : item) next.push_back(inner);
    } else {
      next.push_back(item);
    }
    combine(lists, index + 1, next, out);
  }
}

}  // namespace

std::vector<Data> lookupTerms(const Data& value) {
  if (value.is_array()) return {value.begin(), value.end()};
  return {value};
}

Result<std::string> findInSearchPath(const std::vector<std::string>& directories,
                                     std::string_view name) {
  const fs::path path{std::string(name)};
  if (path.is_absolute()) return path.string();
  std::string looked;
  for (const std::string& directory : directories) {
    const fs::path candidate = fs::path(directory) / path;
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.string();
    looked += (looked.empty() ? "" : ", ") + candidate.string();
  }
  return Error(ErrorCode::NotFound,
               fmt::format("could not find '{}' (looked in {})", std::string(name), looked));
}

std::optional<std::string> ControllerLookups::environmentVariable(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::vector<Data>> ControllerLookups::run(std::string_view plugin,
                                                 const std::vector<Data>& terms,
                                                 const Data& options) {
  if (plugin == "file") return file(terms, options);
  if (plugin == "template") return templateFile(terms);
  if (plugin == "fileglob") return fileglob(terms);
  if (plugin == "first_found") return firstFound(terms, options);
  if (plugin == "password") return password(terms, options);
  if (plugin == "pipe") return pipe(terms);
  if (plugin == "list") return terms;
  if (plugin == "items") {
    // One level of flattening, as with_items does.
    std::vector<Data> out;
    for (const Data& term : terms) {
      if (term.is_array()) {
        out.insert(out.end(), term.begin(), term.end());
      } else {
        out.push_back(term);
      }
    }
    return out;
  }
  if (plugin == "indexed_items") {
    std::vector<Data> out;
    for (std::size_t i = 0; i < terms.size(); ++i) out.push_back(Data::array({i, terms[i]}));
    return out;
  }
  if (plugin == "dict") {
    std::vector<Data> out;
    for (const Data& term : terms) {
      if (!term.is_object()) {
        return lookupError(plugin, fmt::format("expected a dict, got {}", jinja::pyRepr(term)));
      }
      for (const auto& [key, value] : term.items()) out.push_back({{"key", key}, {"value", value}});
    }
    return out;
  }
  if (plugin == "nested") {
    if (terms.empty()) return lookupError(plugin, "needs at least one list");
    std::vector<std::vector<Data>> lists;
    for (const Data& term : terms) lists.push_back(lookupTerms(term));
    std::vector<Data> out;
    Data start = Data::array();
    combine(lists, 0, start, out);
    return out;
  }
  static const std::vector<std::string_view> kKnown = {
      "file",  "template", "fileglob",      "first_found", "password", "pipe",
      "items", "list",     "indexed_items", "dict",        "nested",   "env"};
  return Error(ErrorCode::InvalidArgument,
               fmt::format("lookup plugin '{}' is not supported{}", std::string(plugin),
                           text::didYouMean(plugin, kKnown)));
}

Result<std::vector<Data>> ControllerLookups::file(const std::vector<Data>& terms,
                                                  const Data& options) {
  std::vector<Data> out;
  for (const Data& term : terms) {
    SC_TRY_ASSIGN(const std::string name, termString("file", term));
    auto path = findInSearchPath(context_.searchDirectories("files"), name);
    if (!path) return lookupError("file", fmt::format("could not locate file '{}'", name));
    SC_TRY_ASSIGN(std::string content, readSmallFile("file", *path));
    if (optionTrue(options, "lstrip", false)) content = lstrip(std::move(content));
    if (optionTrue(options, "rstrip", true)) content = rstrip(std::move(content));
    out.emplace_back(std::move(content));
  }
  return out;
}

Result<std::vector<Data>> ControllerLookups::templateFile(const std::vector<Data>& terms) {
  std::vector<Data> out;
  for (const Data& term : terms) {
    SC_TRY_ASSIGN(const std::string name, termString("template", term));
    auto path = findInSearchPath(context_.searchDirectories("templates"), name);
    if (!path) {
      return lookupError("template", fmt::format("could not locate template '{}'", name));
    }
    SC_TRY_ASSIGN(std::string rendered, context_.renderTemplate(*path));
    out.emplace_back(std::move(rendered));
  }
  return out;
}

Result<std::vector<Data>> ControllerLookups::fileglob(const std::vector<Data>& terms) {
  std::vector<Data> out;
  for (const Data& term : terms) {
    SC_TRY_ASSIGN(const std::string pattern, termString("fileglob", term));
    const fs::path as_path(pattern);
    const std::string base = as_path.filename().string();
    // A pattern with a directory globs in the first place that directory is
    // found; a bare pattern in files/ and beside it, role first.
    std::vector<std::string> directories;
    if (as_path.has_parent_path()) {
      auto found =
          findInSearchPath(context_.searchDirectories("files"), as_path.parent_path().string());
      if (found) directories.push_back(*found);
    } else {
      directories = context_.searchDirectories("files");
    }
    for (const std::string& directory : directories) {
      const std::string full = (fs::path(directory) / base).string();
      glob_t matches{};
      const int rc = ::glob(full.c_str(), 0, nullptr, &matches);
      std::vector<std::string> files;
      if (rc == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
          std::error_code ec;
          if (fs::is_regular_file(matches.gl_pathv[i], ec)) files.emplace_back(matches.gl_pathv[i]);
        }
      }
      ::globfree(&matches);
      if (files.empty()) continue;
      // glob(3) sorts; Python's glob gives directory order. Sorted is the
      // same set and the same manifest every time.
      for (std::string& f : files) out.emplace_back(std::move(f));
      break;
    }
  }
  return out;
}

Result<std::vector<Data>> ControllerLookups::firstFound(const std::vector<Data>& terms,
                                                        const Data& options) {
  // Candidates: every file name, under every `paths` entry when given.
  const auto splitList = [](const std::string& text, std::string_view separators) {
    std::vector<std::string> parts;
    std::string current;
    for (const char c : text) {
      if (separators.find(c) != std::string_view::npos) {
        if (!current.empty()) parts.push_back(std::move(current));
        current.clear();
      } else {
        current += c;
      }
    }
    if (!current.empty()) parts.push_back(std::move(current));
    return parts;
  };
  const auto namesOf = [&](const Data& value, std::string_view separators,
                           std::vector<std::string>& into) -> Result<void> {
    for (const Data& item : lookupTerms(value)) {
      SC_TRY_ASSIGN(const std::string text, termString("first_found", item));
      for (std::string& part : splitList(text, separators)) into.push_back(std::move(part));
    }
    return {};
  };
  bool skip = optionTrue(options, "skip", false);
  std::vector<std::string> candidates;
  const auto addGroup = [&](const Data& files, const Data& paths) -> Result<void> {
    std::vector<std::string> names;
    std::vector<std::string> directories;
    SC_TRY(namesOf(files, ",;", names));
    if (!paths.is_null()) SC_TRY(namesOf(paths, ",:;", directories));
    if (directories.empty()) {
      candidates.insert(candidates.end(), names.begin(), names.end());
    } else {
      for (const std::string& directory : directories) {
        for (const std::string& name : names) {
          candidates.push_back((fs::path(directory) / name).string());
        }
      }
    }
    return {};
  };
  const Data option_paths = options.contains("paths") ? options["paths"] : Data();
  if (options.contains("files")) SC_TRY(addGroup(options["files"], option_paths));
  for (const Data& term : terms) {
    if (term.is_object()) {
      if (term.contains("skip")) skip = skip || jinja::isTrue(term["skip"]);
      SC_TRY(addGroup(term.value("files", Data::array()),
                      term.contains("paths") ? term["paths"] : option_paths));
    } else {
      SC_TRY(addGroup(term, option_paths));
    }
  }
  const std::vector<std::string> directories = context_.searchDirectories(folder_);
  for (const std::string& candidate : candidates) {
    if (auto path = findInSearchPath(directories, candidate)) {
      std::error_code ec;
      if (fs::exists(*path, ec)) return std::vector<Data>{Data(*path)};
    }
  }
  if (skip) return std::vector<Data>{};
  std::string listed;
  for (const std::string& candidate : candidates) {
    listed += (listed.empty() ? "" : ", ") + candidate;
  }
  return Error(ErrorCode::NotFound,
               fmt::format("lookup('first_found'): none of [{}] was found in {}/ or beside the "
                           "role and playbook",
                           listed, folder_));
}

Result<std::vector<Data>> ControllerLookups::password(const std::vector<Data>& terms,
                                                      const Data& options) {
  std::vector<Data> out;
  for (const Data& term : terms) {
    SC_TRY_ASSIGN(const std::string text, termString("password", term));
    // "PATH key=value ...": the path, then parameters as key=value words.
    const auto space = text.find(' ');
    const std::string relative = text.substr(0, space);
    Data params = options;
    if (space != std::string::npos) {
      SC_TRY_ASSIGN(const auto pairs, playbook::parseKeyValueArgs(text.substr(space + 1), false));
      for (const auto& [key, value] : pairs) params[key] = value;
    }
    std::size_t length = 20;
    std::string chars = passwordCharacters("ascii_letters,digits,.,,:-_");
    for (const auto& [key, value] : params.items()) {
      const std::string v = value.is_string() ? value.get<std::string>() : value.dump();
      if (key == "length") {
        char* end = nullptr;
        const unsigned long parsed = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || parsed == 0 || parsed > 4096) {
          return lookupError("password", fmt::format("length must be 1 to 4096, not '{}'", v));
        }
        length = parsed;
      } else if (key == "chars") {
        // A list (chars=[...] as a keyword option) reads as its items joined by commas.
        std::string spec = v;
        if (value.is_array()) {
          spec.clear();
          for (const Data& part : value) spec += (spec.empty() ? "" : ",") + jinja::pyStr(part);
        }
        chars = passwordCharacters(spec);
      } else if (key == "encrypt" || key == "ident" || key == "seed" || key == "salt") {
        return lookupError("password", fmt::format("the '{}' parameter is not supported yet "
                                                   "(hash the result with password_hash)",
                                                   key));
      } else {
        return lookupError("password", fmt::format("unknown parameter '{}' (length, chars)", key));
      }
    }
    if (chars.empty()) return lookupError("password", "chars names no characters");

    fs::path path(relative);
    if (path.is_relative()) path = fs::path(settings_.playbook_dir) / path;
    const bool store = path != "/dev/null";
    std::error_code ec;
    if (store && fs::exists(path, ec)) {
      // Kept from an earlier run: "PASSWORD" or "PASSWORD salt=SALT".
      SC_TRY_ASSIGN(std::string content, readSmallFile("password", path.string()));
      content = rstrip(std::move(content));
      if (const auto salt = content.rfind(" salt="); salt != std::string::npos) {
        content.erase(salt);
      }
      out.emplace_back(std::move(content));
      continue;
    }
    std::string generated;
    for (std::size_t i = 0; i < length; ++i) generated += chars[randomBelow(chars.size())];
    if (store) SC_TRY(writePrivateFile(path, generated + "\n"));
    out.emplace_back(std::move(generated));
  }
  return out;
}

Result<std::vector<Data>> ControllerLookups::pipe(const std::vector<Data>& terms) {
  if (!settings_.allow_pipe) {
    return lookupError("pipe",
                       "runs commands on the controller and is off by default; allow it with "
                       "--allow-pipe");
  }
  std::vector<Data> out;
  for (const Data& term : terms) {
    SC_TRY_ASSIGN(const std::string command, termString("pipe", term));
    SC_TRY_ASSIGN(std::string output, runShell(command, settings_.playbook_dir));
    if (!text::utf8::isValid(output)) {
      return Error(ErrorCode::Encoding,
                   fmt::format("lookup('pipe', '{}') wrote output that is not UTF-8", command));
    }
    out.emplace_back(rstrip(std::move(output)));
  }
  return out;
}

}  // namespace sc::controller::compiler
