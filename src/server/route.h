// Path patterns of the REST API's route table: "/connectors/{name}/tasks/{task}/status", where a {…}
// segment matches any one path segment. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::server {

// The path's segments: "/connectors//a/" -> {"connectors", "a"} (empty segments are dropped).
std::vector<std::string> split_path(std::string_view path);

// Whether the segments match the pattern: as many segments, each literal equal, each {…} any one.
bool path_matches(std::string_view pattern, const std::vector<std::string>& segments);

}  // namespace sluice::server
