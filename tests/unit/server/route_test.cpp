// The REST API's route patterns: a path's segments, and a {…} placeholder matching any one of them.
#include "server/route.h"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

using Segments = std::vector<std::string>;

TEST(Route, SplitPathDropsEmptySegments) {
  EXPECT_EQ(split_path("/"), Segments{});
  EXPECT_EQ(split_path(""), Segments{});
  EXPECT_EQ(split_path("/connectors//a/"), (Segments{"connectors", "a"}));
  EXPECT_EQ(split_path("connectors/a b/status"), (Segments{"connectors", "a b", "status"}));
}

TEST(Route, PlaceholdersMatchOneSegment) {
  EXPECT_TRUE(path_matches("/", {}));
  EXPECT_TRUE(path_matches("/connectors/{name}", {"connectors", "inv"}));
  EXPECT_TRUE(
      path_matches("/connectors/{name}/tasks/{task}/status", {"connectors", "c", "tasks", "x", "status"}));
  EXPECT_FALSE(path_matches("/connectors/{name}", {"connectors"}));
  EXPECT_FALSE(path_matches("/connectors/{name}", {"connectors", "a", "b"}));
  EXPECT_FALSE(path_matches("/connectors/{name}/status", {"connectors", "a", "config"}));
  EXPECT_FALSE(path_matches("/connectors", {"connector-plugins"}));
  // A literal is not a placeholder: only the pattern's {…} match anything.
  EXPECT_FALSE(path_matches("/connectors/x", {"connectors", "{name}"}));
}

}  // namespace
}  // namespace sluice::server
