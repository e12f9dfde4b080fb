// Initial snapshot checkpoint as offset members (nlohmann::json).
#include "snapshot/checkpoint.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice::snapshot {

size_t Checkpoint::done_count() const {
  return static_cast<size_t>(std::count(done_.begin(), done_.end(), true));
}

std::string Checkpoint::offset_members() const {
  nlohmann::json tables = nlohmann::json::array(), done = nlohmann::json::array(),
                 rows = nlohmann::json::object(), resume = nlohmann::json::object();
  for (size_t i = 0; i < tables_.size(); ++i) {
    tables.push_back(tables_[i]);
    if (done_[i]) done.push_back(tables_[i]);
    rows[tables_[i]] = rows_[i];
    if (!done_[i] && !resume_[i].empty()) resume[tables_[i]] = resume_[i];
  }
  nlohmann::json cp{{"tables", tables}, {"done", done}, {"rows", rows}};
  if (!resume.empty()) cp["resume"] = resume;
  return nlohmann::json{{"sluice_snapshot", cp}}.dump();
}

std::optional<Checkpoint::Parsed> Checkpoint::parse(std::string_view offset_members) {
  if (offset_members.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(offset_members, nullptr, false);
  if (!j.is_object() || !j.contains("sluice_snapshot") || !j["sluice_snapshot"].is_object())
    return std::nullopt;
  const auto& s = j["sluice_snapshot"];
  Parsed p;
  auto strings = [](const nlohmann::json& a) {
    std::vector<std::string> out;
    if (a.is_array()) {
      for (const auto& v : a) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  };
  if (s.contains("tables")) p.tables = strings(s["tables"]);
  if (s.contains("done")) p.done = strings(s["done"]);
  if (s.contains("rows") && s["rows"].is_object()) {
    for (auto& [k, v] : s["rows"].items()) {
      if (v.is_number_unsigned()) p.rows.emplace_back(k, v.get<uint64_t>());
    }
  }
  if (s.contains("resume") && s["resume"].is_object()) {
    for (auto& [k, v] : s["resume"].items()) {
      if (v.is_string()) p.resume.emplace_back(k, v.get<std::string>());
    }
  }
  return p;
}

std::string Checkpoint::Parsed::resume_condition(std::string_view table) const {
  for (const auto& [t, condition] : resume) {
    if (t == table) return condition;
  }
  return {};
}

}  // namespace sluice::snapshot
