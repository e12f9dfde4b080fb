// The worker's life: it opens the storage topics, applies what they hold, joins the group and runs the
// connectors of the partitions it is assigned; shutdown hands them on. Every change is written first and
// applied when the worker's tail of the config topic reads it back, in every worker of the group alike; only
// the worker assigned the connector's partition of <config.storage.topic>-assignments runs it.
#include "worker/worker.h"

#include <fmt/format.h>

#include <chrono>

#include "worker/slot.h"

namespace sluice::worker {

std::shared_ptr<spdlog::logger> worker_log() {
  static auto l = module_logger("worker");
  return l;
}

namespace {

std::shared_ptr<spdlog::logger> log() {
  return worker_log();
}

}  // namespace

Worker::Worker(WorkerConfig config) : config_(std::move(config)), worker_id_(config_.worker_id()) {}

Worker::~Worker() {
  shutdown();
}

Status Worker::start() {
  for (const auto& w : config_.warnings) log()->warn("{}", w);
  if (auto s = store_.open(config_); !s) return s;
  // Read the stored connectors (and the last statuses) before serving anything.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStorageTimeoutMs);
  while (!store_.caught_up()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Error::transient(
          fmt::format("timed out reading {} and {}", config_.config_topic.name, config_.status_topic.name));
    }
    apply_tails(100);
  }
  tail_thread_ = std::thread([this] { tail_loop(); });

  auto member = GroupMember::join(
      config_.bootstrap_servers, config_.kafka_properties, config_.group_id, store_.assignment_topic(),
      worker_id_, [this](const std::set<int32_t>& p) { on_assigned(p); },
      [this](const std::set<int32_t>& p) { on_revoked(p); });
  if (!member) return member.error();
  member_ = std::move(*member);
  group_thread_ = std::thread([this] { group_loop(); });
  {
    std::lock_guard lock(mu_);
    log()->info("worker {} (group {}) started: {} connector(s) in {}, statuses in {}, offsets in {}",
                worker_id_, config_.group_id, slots_.size(), config_.config_topic.name,
                config_.status_topic.name, config_.offset_topic.name);
  }
  return ok_status();
}

void Worker::apply_tails(int timeout_ms) {
  auto records = store_.poll_configs(timeout_ms);
  auto statuses = store_.poll_statuses(0);
  if (records.empty() && statuses.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : records) {
      apply_config(r);
      applied_config_offset_ = r.offset;
    }
    for (const auto& r : statuses) apply_status(r);
  }
  cv_.notify_all();
}

void Worker::tail_loop() {
  while (!stop_threads_.load()) apply_tails(100);
}

void Worker::group_loop() {
  while (!stop_threads_.load()) member_->poll(100);
}

bool Worker::wait_applied(int64_t offset) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(kStorageTimeoutMs),
                      [&] { return applied_config_offset_ >= offset || shutdown_; });
}

bool Worker::owns(const std::string& name) const {
  return owned_.count(assignment_partition(name, kAssignmentPartitions)) > 0;
}

ConnectorStatus Worker::unassigned(const Slot& s) const {
  ConnectorStatus st;
  st.name = s.name;
  st.state = "UNASSIGNED";
  st.worker_id = worker_id_;
  if (s.state.target != TargetState::kStopped) st.tasks.push_back({0, "UNASSIGNED", worker_id_, ""});
  return st;
}

void Worker::on_assigned(const std::set<int32_t>& partitions) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    owned_.insert(partitions.begin(), partitions.end());
    for (const auto& [name, slot] : slots_) {
      if (!partitions.count(assignment_partition(name, kAssignmentPartitions))) continue;
      names.push_back(name);
      // One that will not run here (paused, stopped): its state as this worker, its new owner, sees it.
      if (slot->state.target != TargetState::kStarted && !slot->state.running()) slot->publish_pending = true;
    }
  }
  log()->info("worker {} assigned {} partition(s) of the group: runs {}", worker_id_, partitions.size(),
              names.empty() ? std::string("no new connector") : fmt::format("{}", fmt::join(names, ", ")));
  cv_.notify_all();
}

void Worker::on_revoked(const std::set<int32_t>& partitions) {
  std::unique_lock lock(mu_);
  for (auto p : partitions) owned_.erase(p);
  std::vector<std::shared_ptr<Slot>> moving;
  std::vector<ConnectorStatus> idle;  // ran here, not running now (paused, failed): UNASSIGNED too
  for (auto& [name, slot] : slots_) {
    if (!partitions.count(assignment_partition(name, kAssignmentPartitions))) continue;
    if (slot->state.running()) {
      slot->stop.store(true);
      moving.push_back(slot);
    } else if (slot->ran) {
      idle.push_back(unassigned(*slot));
    }
  }
  if (!moving.empty())
    log()->info("worker {}: {} connector(s) move to another worker", worker_id_, moving.size());
  cv_.notify_all();
  // The new owner may start them once this returns: wait until they stopped (the slot is the second fence).
  for (auto& slot : moving) {
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return slot->state.activity == Activity::kIdle; });
  }
  lock.unlock();
  for (const auto& st : idle) store_.publish_status(st.name, st);
}

void Worker::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
  }
  // Leaving the group hands this worker's connectors to the others (the revocation stops them here first).
  if (member_) member_->leave();
  stop_threads_.store(true);
  if (group_thread_.joinable()) group_thread_.join();
  if (tail_thread_.joinable()) tail_thread_.join();
  std::vector<std::shared_ptr<Slot>> slots;
  std::vector<std::thread> retired;
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
    for (auto& [_, s] : slots_) {
      s->stop.store(true);
      slots.push_back(s);
      // Revoked when this worker left the group: recorded UNASSIGNED then, and maybe RUNNING on another
      // worker since; an UNASSIGNED record now would hide that.
      if (!owns(s->name)) s->ran = false;
    }
    retired.swap(retired_);
  }
  cv_.notify_all();
  for (auto& s : slots) {
    if (s->thread.joinable()) s->thread.join();
    s->slot_monitor.reset();  // its supervisor has ended
  }
  for (auto& t : retired) {
    if (t.joinable()) t.join();
  }
  // Connect's onShutdown: the tasks of a stopping worker are UNASSIGNED until another worker starts them.
  if (store_.is_open()) {
    for (auto& s : slots) {
      if (s->ran) store_.publish_status(s->name, unassigned(*s));
    }
  }
  log()->info("worker {} stopped", worker_id_);
}

}  // namespace sluice::worker
