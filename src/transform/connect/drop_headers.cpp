// DropHeaders; see drop_headers.h. As Kafka Connect's (connect/transforms).
#include "transform/connect/drop_headers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace sluice::transform {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Result<std::unique_ptr<Transform>> DropHeaders::create(Options& options) {
  auto t = std::make_unique<DropHeaders>();
  t->names_ = options.list("headers");
  if (t->names_.empty()) return options.missing("headers", "the names of the headers to remove");
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> DropHeaders::apply(Record& record) {
  std::erase_if(record.headers, [&](const Header& h) { return contains(names_, h.name); });
  return true;
}

}  // namespace sluice::transform
