// ConnectorState: the statuses a connector shows through its life (Connect's RUNNING, PAUSED, STOPPED,
// FAILED, UNASSIGNED, RESTARTING) and the transitions that runs, restarts and new configs make.
#include "worker/connector_state.h"

#include <gtest/gtest.h>

namespace sluice::worker {
namespace {

std::string task_state(const ConnectorState& s) {
  auto st = s.status("c", "w:8083", "source");
  return st.tasks.empty() ? "-" : st.tasks[0].state;
}

std::string connector_state(const ConnectorState& s) {
  return s.status("c", "w:8083", "source").state;
}

TEST(ConnectorState, UnassignedUntilItRunsThenRunning) {
  ConnectorState s;
  EXPECT_TRUE(s.should_run(true));
  EXPECT_FALSE(s.should_run(false));  // its partition is another worker's
  EXPECT_EQ(connector_state(s), "RUNNING");
  EXPECT_EQ(task_state(s), "UNASSIGNED");
  s.start_run();
  EXPECT_TRUE(s.running());
  EXPECT_EQ(task_state(s), "RUNNING");
  auto st = s.status("c", "w:8083", "sink");
  EXPECT_EQ(st.name, "c");
  EXPECT_EQ(st.worker_id, "w:8083");
  EXPECT_EQ(st.type, "sink");
  EXPECT_EQ(st.tasks[0].worker_id, "w:8083");
}

TEST(ConnectorState, TaskFailureIsFailedUntilRestarted) {
  ConnectorState s;
  s.start_run();
  s.end_run("boom at LSN 0/16B3748", false, false);
  EXPECT_FALSE(s.running());
  EXPECT_FALSE(s.should_run(true));
  EXPECT_EQ(connector_state(s), "RUNNING");  // the connector itself did not fail
  auto st = s.status("c", "w", "source");
  EXPECT_EQ(st.tasks[0].state, "FAILED");
  EXPECT_EQ(st.tasks[0].trace, "boom at LSN 0/16B3748");
  EXPECT_TRUE(st.trace.empty());
  // onlyFailed without includeTasks restarts nothing: the connector did not fail.
  EXPECT_FALSE(s.restart(false, true));
  EXPECT_EQ(task_state(s), "FAILED");
  EXPECT_TRUE(s.restart(true, true));
  EXPECT_EQ(task_state(s), "RESTARTING");
  EXPECT_TRUE(s.status("c", "w", "source").tasks[0].trace.empty());
  EXPECT_TRUE(s.should_run(true));
  s.start_run();
  EXPECT_EQ(task_state(s), "RUNNING");
}

TEST(ConnectorState, ConfigFailureFailsTheConnectorAndItsTask) {
  ConnectorState s;
  s.start_run();
  s.end_run("database.port: 'x' is not a number", true, false);
  auto st = s.status("c", "w", "source");
  EXPECT_EQ(st.state, "FAILED");
  EXPECT_EQ(st.trace, "database.port: 'x' is not a number");
  ASSERT_EQ(st.tasks.size(), 1u);
  EXPECT_EQ(st.tasks[0].state, "FAILED");
  EXPECT_FALSE(s.should_run(true));
  // A restart of the connector alone re-runs it when it failed itself.
  EXPECT_TRUE(s.restart(false, false));
  EXPECT_EQ(connector_state(s), "RUNNING");
  EXPECT_EQ(task_state(s), "RESTARTING");
}

TEST(ConnectorState, NewConfigClearsAFailure) {
  ConnectorState s;
  s.start_run();
  s.end_run("boom", false, false);
  s.reconfigure();
  EXPECT_TRUE(s.should_run(true));
  EXPECT_EQ(task_state(s), "UNASSIGNED");
}

TEST(ConnectorState, AStopRequestIsNotAFailure) {
  ConnectorState s;
  s.start_run();
  s.end_run("interrupted", false, true);
  EXPECT_FALSE(s.failed());
  EXPECT_EQ(task_state(s), "UNASSIGNED");
}

TEST(ConnectorState, FinishedRunStaysRunning) {
  ConnectorState s;
  s.start_run();
  s.end_run("", false, false);  // snapshot.mode=initial_only
  EXPECT_EQ(s.outcome, Outcome::kFinished);
  EXPECT_EQ(task_state(s), "RUNNING");
}

TEST(ConnectorState, PausedAndStopped) {
  ConnectorState s;
  s.target = TargetState::kPaused;
  EXPECT_FALSE(s.should_run(true));
  EXPECT_EQ(connector_state(s), "PAUSED");
  EXPECT_EQ(task_state(s), "PAUSED");
  s.target = TargetState::kStopped;
  EXPECT_EQ(connector_state(s), "STOPPED");
  EXPECT_EQ(task_state(s), "-");  // a stopped connector has no task
  // Its task cannot be restarted; a failed stopped connector loses its failure without restarting.
  EXPECT_FALSE(s.restart(true, false));
}

TEST(ConnectorState, RestartOfARunningTaskShowsRestarting) {
  ConnectorState s;
  s.start_run();
  EXPECT_TRUE(s.restart(true, false));
  EXPECT_TRUE(s.running());
  EXPECT_EQ(task_state(s), "RESTARTING");
  s.end_run("", false, true);  // stopped for the restart
  EXPECT_EQ(task_state(s), "RESTARTING");
  EXPECT_TRUE(s.should_run(true));
}

TEST(ConnectorState, RestartWhilePausedClearsTheFailureOnly) {
  ConnectorState s;
  s.start_run();
  s.end_run("boom", false, false);
  s.target = TargetState::kPaused;
  EXPECT_TRUE(s.restart(true, false));
  EXPECT_EQ(s.outcome, Outcome::kNone);
  EXPECT_EQ(task_state(s), "PAUSED");
}

TEST(ConnectorState, RemovedIsFinal) {
  ConnectorState s;
  s.start_run();
  s.outcome = Outcome::kRemoved;
  s.end_run("boom", false, false);
  EXPECT_TRUE(s.removed());
  EXPECT_FALSE(s.should_run(true));
}

TEST(ConnectorState, TargetStateNames) {
  EXPECT_STREQ(target_state_name(TargetState::kStarted), "STARTED");
  EXPECT_STREQ(target_state_name(TargetState::kPaused), "PAUSED");
  EXPECT_STREQ(target_state_name(TargetState::kStopped), "STOPPED");
}

}  // namespace
}  // namespace sluice::worker
