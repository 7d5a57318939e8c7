#include "store/audit_chain.h"

#include "crypto/primitives.h"

namespace sr::store::audit {
namespace {
constexpr std::string_view kTag = "SRAUDIT1";
}  // namespace

Bytes genesis_hash() { return Bytes(kHashSize, 0); }

Bytes canonical_encoding(const AuditRecord& rec) {
    Bytes out = to_bytes(kTag);
    put_blob(out, rec.prev_hash);
    put_u64(out, rec.seq);
    put_u64(out, static_cast<uint64_t>(rec.time));
    put_u64(out, rec.partition_id);
    put_blob(out, as_bytes(rec.actor));
    put_blob(out, as_bytes(rec.event));
    put_blob(out, as_bytes(rec.detail));
    return out;
}

Result<Bytes> record_hash(const AuditRecord& rec) {
    return crypto::digest(crypto::Hash::Sha256, canonical_encoding(rec));
}

Status ChainVerifier::next(const AuditRecord& rec) {
    const std::string where = "audit record " + std::to_string(rec.seq) + ": ";
    if (rec.seq != m_seq + 1) {
        return error(Err::StoreCorrupt, where + "expected seq " + std::to_string(m_seq + 1) +
                                            " (a record was deleted or reordered)");
    }
    if (!equal_ct(rec.prev_hash, m_prev)) {
        return error(Err::StoreCorrupt, where + "prev_hash does not match the previous record");
    }
    SR_ASSIGN_OR_RETURN(Bytes h, record_hash(rec));
    if (!equal_ct(rec.hash, h)) {
        return error(Err::StoreCorrupt, where + "hash does not match its contents (modified)");
    }
    m_seq = rec.seq;
    m_prev = std::move(h);
    return Status::ok();
}

}  // namespace sr::store::audit
