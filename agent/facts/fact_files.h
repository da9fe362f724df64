// Reading files the way Ansible's fact collectors do
// (ansible/module_utils/facts/utils.py), through a FactProbe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/facts/fact_probe.h"
#include "agent/facts/python_text.h"

namespace sc::agent {

// get_file_content(path): the content stripped of surrounding whitespace;
// nullopt when the file is missing, unreadable or blank.
inline std::optional<std::string> fileContent(FactProbe& probe, const std::string& path) {
  auto data = probe.readFile(path);
  if (!data) return std::nullopt;
  std::string stripped = py::strip(*data);
  if (stripped.empty()) return std::nullopt;
  return stripped;
}

// get_file_lines(path): the stripped content's lines; empty when there is
// no content.
inline std::vector<std::string> fileLines(FactProbe& probe, const std::string& path) {
  const auto data = fileContent(probe, path);
  if (!data) return {};
  return py::splitLines(*data);
}

}  // namespace sc::agent
