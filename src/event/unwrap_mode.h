// The delete.tombstone.handling.mode of io.debezium.transforms.ExtractNewRecordState ("unwrap"): what the
// transform (transform/debezium/extract_new_record_state.h) and the event serializer's unwrap fast path
// (SerializerOptions::unwrap) make of deletes and their tombstones.
#pragma once

namespace sluice::event {

enum class UnwrapMode { kDrop, kTombstone, kRewrite, kRewriteWithTombstone, kDeleteToTombstone };

}  // namespace sluice::event
