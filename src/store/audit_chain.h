// The audit log's hash chain: the canonical encoding of a record and its hash, and the walk that
// checks a sequence of records. Pure functions; the encoding is specified in
// docs/design/store-schema.md and must never change for version-1 records.
#pragma once

#include <span>

#include "common/bytes.h"
#include "common/result.h"
#include "store/store.h"

namespace sr::store::audit {

inline constexpr size_t kHashSize = 32;  // SHA-256

// prev_hash of the first record: 32 zero bytes.
Bytes genesis_hash();

// "SRAUDIT1" || blob(prev_hash) || u64(seq) || u64(time) || u64(partition_id) || blob(actor)
// || blob(event) || blob(detail); big-endian, blob = u32 length + bytes.
Bytes canonical_encoding(const AuditRecord& rec);

// SHA-256 of the canonical encoding.
Result<Bytes> record_hash(const AuditRecord& rec);

// Incremental verifier: feed records in seq order. Fails with StoreCorrupt naming the first
// record whose seq, prev_hash or hash breaks the chain.
class ChainVerifier final {
public:
    Status next(const AuditRecord& rec);
    uint64_t last_seq() const { return m_seq; }
    const Bytes& last_hash() const { return m_prev; }

private:
    uint64_t m_seq = 0;
    Bytes m_prev = genesis_hash();
};

}  // namespace sr::store::audit
