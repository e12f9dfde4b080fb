// InsertHeader; see insert_header.h. As Kafka Connect's (connect/transforms).
#include "transform/connect/insert_header.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace sluice::transform {

Result<std::unique_ptr<Transform>> InsertHeader::create(Options& options) {
  auto t = std::make_unique<InsertHeader>();
  t->name_ = options.str("header");
  if (t->name_.empty()) return options.missing("header", "the header name");
  if (!options.has("value.literal")) return options.missing("value.literal", "the header value");
  t->value_ = options.str("value.literal");
  return std::unique_ptr<Transform>(std::move(t));
}

Result<bool> InsertHeader::apply(Record& record) {
  record.headers.push_back({name_, value_});
  return true;
}

}  // namespace sluice::transform
