// Replication setup and the streaming connection: server checks (wal_level, privileges), publication and
// slot management, and ReplicationStream (START_REPLICATION, CopyData reads with a deadline, standby
// status updates).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/lsn.h"
#include "common/result.h"
#include "pg/connection.h"

namespace sluice::pg {

struct SlotInfo {
  std::string plugin;
  Lsn confirmed_flush;
  Lsn restart_lsn;
  bool active = false;
  std::optional<int> active_pid;
  bool temporary = false;
};

// Looks the slot up in the connection's database. Nullopt when it does not exist.
Result<std::optional<SlotInfo>> find_slot(Connection& conn, const std::string& slot);
// The slot's last activity, for messages: who streams from it now (PID, application_name, client, since
// when), or since when it is inactive (Postgres 17+), and how far its confirmed position is behind the
// current WAL.
std::string slot_activity(Connection& conn, const std::string& slot);

// Tables of the current database that have no usable replica identity (REPLICA IDENTITY DEFAULT without
// a primary key, NOTHING, or USING INDEX of a dropped index): once a publication that publishes updates
// and deletes covers them, Postgres refuses their UPDATEs and DELETEs. Permanent tables outside the
// system schemas, as schema.table (unquoted), sorted.
Result<std::vector<std::string>> tables_without_replica_identity(Connection& conn);

struct CreatedSlot {
  Lsn consistent_point;
  std::string snapshot_name;  // empty unless exported
};

// CREATE_REPLICATION_SLOT on a replication connection. With export_snapshot the snapshot stays valid
// until the next command on `conn`.
Result<CreatedSlot> create_slot(Connection& conn, const std::string& slot, bool temporary,
                                bool export_snapshot);
Status drop_slot(Connection& conn, const std::string& slot);

// Problems that stop sluice before streaming: wal_level, replication privilege, server version.
// Each message says how to fix it.
std::vector<std::string> check_server(Connection& conn);

// A table in the current database.
struct TableRef {
  Oid oid;
  std::string schema;
  std::string table;
};
Result<std::vector<TableRef>> list_tables(Connection& conn);

class ReplicationStream {
 public:
  explicit ReplicationStream(Connection conn) : conn_(std::move(conn)) {}
  ReplicationStream(ReplicationStream&&) = default;
  ~ReplicationStream();

  // START_REPLICATION SLOT slot LOGICAL start (proto_version '1', publication_names '…', messages).
  Status start(const std::string& slot, Lsn start, const std::string& publication, bool messages);

  // Waits up to timeout for one CopyData message. Returns an empty span on timeout, or as soon as `wake_fd`
  // (when >= 0) becomes readable, after reading it empty. The span is valid until the next read(). Errors:
  // kTransient when the connection broke.
  Result<std::span<const std::byte>> read(std::chrono::milliseconds timeout, int wake_fd = -1);

  Status send_status(Lsn write, Lsn flush, bool reply_requested);
  // Ends the COPY (CopyDone) so the server knows we stopped on purpose.
  void finish();
  Connection& connection() { return conn_; }

 private:
  void release_buffer();
  Connection conn_;
  char* buf_ = nullptr;
  bool streaming_ = false;
};

}  // namespace sluice::pg
