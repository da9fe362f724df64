// map, select, reject, selectattr and rejectattr: apply a filter or a test
// to every item (or to an attribute of it), as Jinja2's do_map/do_select.
#include <fmt/format.h>

#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"

namespace sc::controller::jinja {
namespace {

Result<Value> map(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  std::vector<Value> out;
  if (args.positional.empty()) {
    // map(attribute='a.b', default=x)
    std::optional<Value> attribute;
    std::optional<Value> fallback;
    for (auto& [key, value] : args.keyword) {
      if (key == "attribute") {
        attribute = value;
      } else if (key == "default") {
        fallback = value;
      } else {
        return typeError(fmt::format("Unexpected keyword argument '{}'", key));
      }
    }
    if (!attribute) return typeError("map requires a filter argument");
    SC_TRY_ASSIGN(auto path, ev.toText(*attribute));
    for (const auto& item : items) {
      SC_TRY_ASSIGN(auto v, ev.getPath(item, path));
      if (v.isUndefined() && fallback) v = *fallback;
      out.push_back(std::move(v));
    }
    return ev.makeList(std::move(out));
  }
  SC_TRY_ASSIGN(auto name, ev.toText(args.positional[0]));
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + 1, args.positional.end());
  rest.keyword = args.keyword;
  for (const auto& item : items) {
    SC_TRY_ASSIGN(auto v, ev.applyFilter(name, item, rest));
    out.push_back(std::move(v));
  }
  return ev.makeList(std::move(out));
}

// select/reject(test, args...) and selectattr/rejectattr(attr, test, args...).
Result<Value> selectOrReject(Evaluator& ev, const Value& input, CallArgs& args, bool keep,
                             bool by_attribute) {
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  std::size_t next = 0;
  std::string path;
  if (by_attribute) {
    if (args.positional.empty()) return typeError("Missing parameter for attribute name");
    SC_TRY_ASSIGN(path, ev.toText(args.positional[next++]));
  }
  std::optional<std::string> test;
  if (next < args.positional.size()) {
    SC_TRY_ASSIGN(test, ev.toText(args.positional[next++]));
  }
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(next),
                         args.positional.end());
  rest.keyword = args.keyword;
  std::vector<Value> out;
  for (const auto& item : items) {
    Value subject = item;
    if (by_attribute) {
      SC_TRY_ASSIGN(subject, ev.getPath(item, path));
    }
    bool result = false;
    if (test) {
      SC_TRY_ASSIGN(result, ev.applyTest(*test, subject, rest));
    } else {
      SC_TRY(ev.requireDefined(subject));
      result = truthy(subject);
    }
    if (result == keep) out.push_back(item);
  }
  return ev.makeList(std::move(out));
}

Result<Value> select(Evaluator& ev, Value input, CallArgs& args) {
  return selectOrReject(ev, input, args, true, false);
}
Result<Value> reject(Evaluator& ev, Value input, CallArgs& args) {
  return selectOrReject(ev, input, args, false, false);
}
Result<Value> selectattr(Evaluator& ev, Value input, CallArgs& args) {
  return selectOrReject(ev, input, args, true, true);
}
Result<Value> rejectattr(Evaluator& ev, Value input, CallArgs& args) {
  return selectOrReject(ev, input, args, false, true);
}

}  // namespace

void addSelectFilters(FilterTable& t) {
  t["map"] = map;
  t["select"] = select;
  t["reject"] = reject;
  t["selectattr"] = selectattr;
  t["rejectattr"] = rejectattr;
}

}  // namespace sc::controller::jinja
