// Filters on lists and dicts: sort, unique, union, intersect, difference,
// symmetric_difference, flatten, dict2items, items2dict, combine, min, max,
// sum, zip, zip_longest, batch, dictsort, subelements. Set-like filters keep
// first-seen order, as Ansible's list fallbacks do for lists.
#include <fmt/format.h>

#include <algorithm>

#include "common/text/utf8.h"
#include "controller/jinja/filters/args.h"
#include "controller/jinja/filters/registry.h"

namespace sc::controller::jinja {
namespace {

// The sort/unique/min/max key: an attribute path if given, strings lowered
// unless case-sensitive.
Result<Data> keyOf(Evaluator& ev, const Value& item, const Value* attribute, bool case_sensitive) {
  Value key = item;
  if (attribute && !attribute->isNone()) {
    SC_TRY_ASSIGN(auto path, ev.toText(*attribute));
    SC_TRY_ASSIGN(key, ev.getPath(item, path));
    SC_TRY(ev.requireDefined(key));
  }
  if (!key.isData()) return typeError("cannot compare non-data values");
  if (!case_sensitive && key.isString())
    return Data(::sc::text::utf8::lower(key.data().get<std::string>()));
  return key.data();
}

Result<std::vector<Value>> sorted(Evaluator& ev, std::vector<Value> items, const Value* attribute,
                                  bool case_sensitive, bool reverse) {
  std::vector<std::pair<Data, Value>> keyed;
  for (auto& item : items) {
    SC_TRY_ASSIGN(auto key, keyOf(ev, item, attribute, case_sensitive));
    keyed.emplace_back(std::move(key), std::move(item));
  }
  std::optional<Error> failure;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    auto less = reverse ? pyLess(b.first, a.first) : pyLess(a.first, b.first);
    if (!less) {
      if (!failure) failure = less.error();
      return false;
    }
    return *less;
  });
  if (failure) return *failure;
  std::vector<Value> out;
  for (auto& [key, item] : keyed) out.push_back(std::move(item));
  return out;
}

Result<Value> sort(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("sort", args, {"reverse", "case_sensitive", "attribute"}));
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  SC_TRY_ASSIGN(items, sorted(ev, std::move(items), a.get(2), a.flag(1, false), a.flag(0, false)));
  return ev.makeList(std::move(items));
}

// Order-keeping unique by Python equality of the keys.
Result<std::vector<Value>> uniqueItems(Evaluator& ev, std::vector<Value> items,
                                       const Value* attribute, bool case_sensitive) {
  std::vector<Value> out;
  std::vector<Data> seen;
  for (auto& item : items) {
    SC_TRY_ASSIGN(auto key, keyOf(ev, item, attribute, case_sensitive));
    bool dup = false;
    for (const auto& s : seen) dup = dup || pyEqual(s, key);
    if (dup) continue;
    seen.push_back(std::move(key));
    out.push_back(std::move(item));
  }
  return out;
}

bool hashable(const Value& v) { return v.isData() && !v.isList() && !v.isDict(); }

Result<Value> unique(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("unique", args, {"case_sensitive", "attribute"}));
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  // Jinja2's unique ignores case; Ansible falls back to a case-sensitive
  // comparison when the items cannot be hashed (lists, dicts).
  bool all_hashable = true;
  for (const auto& item : items) all_hashable = all_hashable && hashable(item);
  const bool case_sensitive = a.flag(0, false) || (!all_hashable && !a.has(1));
  SC_TRY_ASSIGN(items, uniqueItems(ev, std::move(items), a.get(1), case_sensitive));
  return ev.makeList(std::move(items));
}

enum class SetOp { Union, Intersect, Difference, Symmetric };

Result<Value> setOp(Evaluator& ev, const Value& input, CallArgs& args, SetOp op,
                    std::string_view name) {
  SC_TRY_ASSIGN(auto a, Args::bind(name, args, {"b"}));
  if (!a.has(0)) return typeError(fmt::format("{}() needs a second list", name));
  SC_TRY_ASSIGN(auto left, ev.iterate(input));
  SC_TRY_ASSIGN(auto right, ev.iterate(*a.get(0)));
  auto in = [](const Value& x, const std::vector<Value>& list) {
    for (const auto& y : list) {
      if (pyEqual(x, y)) return true;
    }
    return false;
  };
  std::vector<Value> out;
  if (op == SetOp::Union || op == SetOp::Symmetric) {
    out = left;
    out.insert(out.end(), right.begin(), right.end());
    if (op == SetOp::Symmetric) {
      std::vector<Value> kept;
      for (auto& x : out) {
        if (!(in(x, left) && in(x, right))) kept.push_back(x);
      }
      out = std::move(kept);
    }
  } else {
    for (const auto& x : left) {
      if (in(x, right) == (op == SetOp::Intersect)) out.push_back(x);
    }
  }
  SC_TRY_ASSIGN(out, uniqueItems(ev, std::move(out), nullptr, true));
  return ev.makeList(std::move(out));
}

Result<Value> unionFilter(Evaluator& ev, Value input, CallArgs& args) {
  return setOp(ev, input, args, SetOp::Union, "union");
}
Result<Value> intersect(Evaluator& ev, Value input, CallArgs& args) {
  return setOp(ev, input, args, SetOp::Intersect, "intersect");
}
Result<Value> difference(Evaluator& ev, Value input, CallArgs& args) {
  return setOp(ev, input, args, SetOp::Difference, "difference");
}
Result<Value> symmetricDifference(Evaluator& ev, Value input, CallArgs& args) {
  return setOp(ev, input, args, SetOp::Symmetric, "symmetric_difference");
}

void flattenInto(const Data& list, std::int64_t levels, bool skip_nulls, Data& out) {
  for (const auto& element : list) {
    if (skip_nulls && (element.is_null() || element == "None" || element == "null")) continue;
    if (element.is_array() && levels != 0) {
      flattenInto(element, levels < 0 ? -1 : levels - 1, skip_nulls, out);
    } else {
      out.push_back(element);
    }
  }
}

Result<Value> flatten(Evaluator&, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("flatten", args, {"levels", "skip_nulls"}));
  SC_TRY_ASSIGN(auto levels, a.integer(0, -1));
  if (!input.isList()) return typeError("flatten expects a list");
  Data out = Data::array();
  // Nesting is bounded by the data's own depth (YAML and JSON inputs are
  // depth-limited before they get here).
  flattenInto(input.data(), levels, a.flag(1, true), out);
  return Value(std::move(out));
}

Result<Value> dict2items(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("dict2items", args, {"key_name", "value_name"}));
  if (!input.isDict()) {
    return typeError(
        fmt::format("dict2items requires a dictionary, got {} instead.", input.typeName()));
  }
  SC_TRY_ASSIGN(auto key_name, a.text(ev, 0, "key"));
  SC_TRY_ASSIGN(auto value_name, a.text(ev, 1, "value"));
  Data out = Data::array();
  for (auto it = input.data().begin(); it != input.data().end(); ++it) {
    Data item = Data::object();
    item[key_name] = it.key();
    item[value_name] = it.value();
    out.push_back(std::move(item));
  }
  return Value(std::move(out));
}

Result<Value> items2dict(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("items2dict", args, {"key_name", "value_name"}));
  if (!input.isList()) {
    return typeError(fmt::format("items2dict requires a list, got {} instead.", input.typeName()));
  }
  SC_TRY_ASSIGN(auto key_name, a.text(ev, 0, "key"));
  SC_TRY_ASSIGN(auto value_name, a.text(ev, 1, "value"));
  Data out = Data::object();
  for (const auto& item : input.data()) {
    if (!item.is_object() || !item.contains(key_name) || !item.contains(value_name)) {
      return typeError(
          fmt::format("items2dict requires each dictionary in the list to contain "
                      "the keys '{}' and '{}'",
                      key_name, value_name));
    }
    out[keyString(item[key_name])] = item[value_name];
  }
  return Value(std::move(out));
}

// Ansible's merge_hash: x has the lower priority.
Result<Data> mergeHash(const Data& x, const Data& y, bool recursive, const std::string& list_merge,
                       int depth) {
  if (depth > 256) return Error(ErrorCode::TooDeep, "combine: dicts nested too deeply");
  if (x.empty() || pyEqual(x, y)) return y;
  if (y.empty()) return x;
  Data out = x;
  for (auto it = y.begin(); it != y.end(); ++it) {
    auto existing = out.find(it.key());
    if (existing == out.end()) {
      out[it.key()] = it.value();
      continue;
    }
    const Data& xv = *existing;
    const Data& yv = it.value();
    if (xv.is_object() && yv.is_object() && recursive) {
      SC_TRY_ASSIGN(*existing, mergeHash(xv, yv, recursive, list_merge, depth + 1));
    } else if (xv.is_array() && yv.is_array() && list_merge != "replace") {
      Data merged = Data::array();
      auto notIn = [](const Data& z, const Data& list) {
        for (const auto& w : list) {
          if (pyEqual(z, w)) return false;
        }
        return true;
      };
      if (list_merge == "append" || list_merge == "append_rp") {
        for (const auto& z : xv) {
          if (list_merge == "append" || notIn(z, yv)) merged.push_back(z);
        }
        for (const auto& z : yv) merged.push_back(z);
      } else if (list_merge == "prepend" || list_merge == "prepend_rp") {
        for (const auto& z : yv) merged.push_back(z);
        for (const auto& z : xv) {
          if (list_merge == "prepend" || notIn(z, yv)) merged.push_back(z);
        }
      } else {
        merged = xv;  // keep
      }
      *existing = std::move(merged);
    } else {
      *existing = yv;
    }
  }
  return out;
}

Result<Value> combine(Evaluator& ev, Value input, CallArgs& args) {
  bool recursive = false;
  std::string list_merge = "replace";
  for (auto& [key, value] : args.keyword) {
    if (key == "recursive") {
      recursive = truthy(value);
    } else if (key == "list_merge") {
      SC_TRY_ASSIGN(list_merge, ev.toText(value));
      static const char* const kModes[] = {"replace", "keep",      "append",
                                           "prepend", "append_rp", "prepend_rp"};
      if (std::find(std::begin(kModes), std::end(kModes), list_merge) == std::end(kModes)) {
        return typeError(fmt::format("merge_hash: 'list_merge' is invalid: '{}'", list_merge));
      }
    } else {
      return typeError("'recursive' and 'list_merge' are the only valid keyword arguments");
    }
  }
  std::vector<Data> dicts;
  std::vector<Value> terms{input};
  terms.insert(terms.end(), args.positional.begin(), args.positional.end());
  for (const auto& term : terms) {
    if (term.isList()) {
      for (const auto& d : term.data()) dicts.push_back(d);
    } else if (term.isData()) {
      dicts.push_back(term.data());
    }
  }
  for (const auto& d : dicts) {
    if (!d.is_object()) {
      return typeError(
          fmt::format("failed to combine variables, expected dicts but got a '{}'", pyTypeName(d)));
    }
  }
  if (dicts.empty()) return Value(Data::object());
  Data result = dicts.back();
  for (std::size_t i = dicts.size() - 1; i-- > 0;) {
    SC_TRY_ASSIGN(result, mergeHash(dicts[i], result, recursive, list_merge, 0));
  }
  return Value(std::move(result));
}

Result<Value> minMax(Evaluator& ev, const Value& input, CallArgs& args, bool max) {
  SC_TRY_ASSIGN(auto a, Args::bind(max ? "max" : "min", args, {"case_sensitive", "attribute"}));
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  if (items.empty()) {
    return Value::undefined("", "No aggregated item, sequence was empty.");
  }
  std::size_t best = 0;
  SC_TRY_ASSIGN(auto best_key, keyOf(ev, items[0], a.get(1), a.flag(0, false)));
  for (std::size_t i = 1; i < items.size(); ++i) {
    SC_TRY_ASSIGN(auto key, keyOf(ev, items[i], a.get(1), a.flag(0, false)));
    SC_TRY_ASSIGN(bool better, max ? pyLess(best_key, key) : pyLess(key, best_key));
    if (better) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

Result<Value> minFilter(Evaluator& ev, Value input, CallArgs& args) {
  return minMax(ev, input, args, false);
}
Result<Value> maxFilter(Evaluator& ev, Value input, CallArgs& args) {
  return minMax(ev, input, args, true);
}

Result<Value> sum(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("sum", args, {"attribute", "start"}));
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  Value total = a.has(1) ? *a.get(1) : Value(0);
  for (auto& item : items) {
    if (a.has(0) && !a.get(0)->isNone()) {
      SC_TRY_ASSIGN(auto path, ev.toText(*a.get(0)));
      SC_TRY_ASSIGN(item, ev.getPath(item, path));
      SC_TRY(ev.requireDefined(item));
    }
    SC_TRY_ASSIGN(total, binaryOp(ev, "+", total, item));
  }
  return total;
}

Result<Value> zipFilter(Evaluator& ev, Value input, CallArgs& args, bool longest) {
  Value fill;
  for (auto& [key, value] : args.keyword) {
    if (!longest || key != "fillvalue") return typeError("zip() takes no keyword arguments");
    fill = value;
  }
  std::vector<std::vector<Value>> lists;
  SC_TRY_ASSIGN(auto first, ev.iterate(input));
  lists.push_back(std::move(first));
  for (const auto& other : args.positional) {
    SC_TRY_ASSIGN(auto items, ev.iterate(other));
    lists.push_back(std::move(items));
  }
  std::size_t n = longest ? 0 : SIZE_MAX;
  for (const auto& l : lists) n = longest ? std::max(n, l.size()) : std::min(n, l.size());
  std::vector<Value> rows;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<Value> row;
    for (const auto& l : lists) row.push_back(i < l.size() ? l[i] : fill);
    SC_TRY_ASSIGN(auto tuple, ev.makeList(std::move(row), Shape::Tuple));
    rows.push_back(std::move(tuple));
  }
  return ev.makeList(std::move(rows));
}

Result<Value> zip(Evaluator& ev, Value input, CallArgs& args) {
  return zipFilter(ev, input, args, false);
}
Result<Value> zipLongest(Evaluator& ev, Value input, CallArgs& args) {
  return zipFilter(ev, input, args, true);
}

Result<Value> batch(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("batch", args, {"linecount", "fill_with"}));
  SC_TRY_ASSIGN(auto count, a.integer(0, 0));
  if (count <= 0) return typeError("batch() needs a positive line count");
  SC_TRY_ASSIGN(auto items, ev.iterate(input));
  std::vector<Value> rows;
  std::vector<Value> row;
  for (auto& item : items) {
    row.push_back(std::move(item));
    if (static_cast<std::int64_t>(row.size()) == count) {
      SC_TRY_ASSIGN(auto list, ev.makeList(std::move(row)));
      rows.push_back(std::move(list));
      row.clear();
    }
  }
  if (!row.empty()) {
    if (a.has(1) && !a.get(1)->isNone()) {
      while (static_cast<std::int64_t>(row.size()) < count) row.push_back(*a.get(1));
    }
    SC_TRY_ASSIGN(auto list, ev.makeList(std::move(row)));
    rows.push_back(std::move(list));
  }
  return ev.makeList(std::move(rows), Shape::Plain);
}

Result<Value> dictsort(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("dictsort", args, {"case_sensitive", "by", "reverse"}));
  if (!input.isDict()) return typeError("dictsort expects a dict");
  SC_TRY_ASSIGN(auto by, a.text(ev, 1, "key"));
  if (by != "key" && by != "value")
    return typeError("You can only sort by either 'key' or 'value'");
  std::vector<Value> pairs;
  for (auto it = input.data().begin(); it != input.data().end(); ++it) {
    pairs.emplace_back(Data::array({it.key(), it.value()}), Shape::Tuple);
  }
  const Value attribute(std::string(by == "key" ? "0" : "1"));
  SC_TRY_ASSIGN(pairs,
                sorted(ev, std::move(pairs), &attribute, a.flag(0, false), a.flag(2, false)));
  return ev.makeList(std::move(pairs));
}

Result<Value> subelements(Evaluator& ev, Value input, CallArgs& args) {
  SC_TRY_ASSIGN(auto a, Args::bind("subelements", args, {"subelements", "skip_missing"}));
  std::vector<Data> elements;
  if (input.isDict()) {
    for (const auto& v : input.data()) elements.push_back(v);
  } else if (input.isList()) {
    for (const auto& v : input.data()) elements.push_back(v);
  } else {
    return typeError("obj must be a list of dicts or a nested dict");
  }
  std::vector<std::string> path;
  if (!a.has(0)) return typeError("subelements() needs the key");
  if (a.get(0)->isList()) {
    for (const auto& p : a.get(0)->data()) path.push_back(keyString(p));
  } else if (a.get(0)->isString()) {
    SC_TRY_ASSIGN(auto parts, ev.toText(*a.get(0)));
    std::size_t start = 0;
    while (true) {
      const auto dot = parts.find('.', start);
      path.push_back(parts.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  } else {
    return typeError("subelements must be a list or a string");
  }
  std::vector<Value> rows;
  for (const auto& element : elements) {
    const Data* values = &element;
    static const Data kEmpty = Data::array();
    for (const auto& key : path) {
      if (!values->is_object()) {
        return typeError(fmt::format("the key {} should point to a dictionary", key));
      }
      auto it = values->find(key);
      if (it == values->end()) {
        if (a.flag(1, false)) {
          values = &kEmpty;
          break;
        }
        return typeError(fmt::format("could not find '{}' key in iterated item", key));
      }
      values = &*it;
    }
    if (!values->is_array()) {
      return typeError(fmt::format("the key '{}' should point to a list", path.back()));
    }
    for (const auto& v : *values) rows.emplace_back(Data::array({element, v}), Shape::Tuple);
  }
  return ev.makeList(std::move(rows));
}

}  // namespace

void addCollectionFilters(FilterTable& t) {
  t["sort"] = sort;
  t["unique"] = unique;
  t["union"] = unionFilter;
  t["intersect"] = intersect;
  t["difference"] = difference;
  t["symmetric_difference"] = symmetricDifference;
  t["flatten"] = flatten;
  t["dict2items"] = dict2items;
  t["items2dict"] = items2dict;
  t["combine"] = combine;
  t["min"] = minFilter;
  t["max"] = maxFilter;
  t["sum"] = sum;
  t["zip"] = zip;
  t["zip_longest"] = zipLongest;
  t["batch"] = batch;
  t["dictsort"] = dictsort;
  t["subelements"] = subelements;
}

}  // namespace sc::controller::jinja
