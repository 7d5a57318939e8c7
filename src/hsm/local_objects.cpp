// LocalDevice: object create / copy / destroy / attributes / search, and the sealing of token
// objects on their way to and from the store (docs/design/key-hierarchy.md).
#include <algorithm>
#include <cstdio>
#include <set>

#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "crypto/primitives.h"
#include "hsm/key_attributes.h"
#include "hsm/local_device.h"
#include "hsm/policy.h"
#include "hsm/sealing.h"

namespace sr::hsm {
namespace {

// Template attributes the store answers from its indexes; anything else filters afterwards.
constexpr AttrType kIndexed[] = {attr::kClass, attr::kKeyType, attr::kLabel, attr::kId,
                                 attr::kOuid};

bool is_indexed(AttrType t) {
    return std::find(std::begin(kIndexed), std::end(kIndexed), t) != std::end(kIndexed);
}

Bytes bytes_of(const AttributeSet& a, AttrType t) {
    auto v = a.get(t);
    return v ? Bytes(v->begin(), v->end()) : Bytes{};
}

// ---- Import (cloning, restore, masking). What this device can hold (clone-protocol.md,
// Target rule 5): an object of a key type its mechanism table does not use, or whose size is
// outside every range its mechanisms give for that type, is refused. The table is the device's
// own (LocalDevice::mechanisms()); every firmware personality shares it today.
enum class SizeMeasure : uint8_t { Bits, Bytes, Curve };
struct HoldRule {
    uint64_t key_type;
    AttrType size_attr;  // the attribute the size is read from
    SizeMeasure measure;
};
constexpr HoldRule kHoldRules[] = {
    {ckk::kRsa, attr::kModulus, SizeMeasure::Bits},
    {ckk::kDsa, attr::kPrime, SizeMeasure::Bits},
    {ckk::kEc, attr::kEcParams, SizeMeasure::Curve},
    {ckk::kEcEdwards, attr::kEcParams, SizeMeasure::Curve},
    {ckk::kAes, attr::kValue, SizeMeasure::Bytes},
    {ckk::kDes3, attr::kValue, SizeMeasure::Bytes},
    {ckk::kGenericSecret, attr::kValue, SizeMeasure::Bytes},
};

// Bit length of a big-endian unsigned integer.
size_t bit_length(ByteView v) {
    size_t i = 0;
    while (i < v.size() && v[i] == 0) ++i;
    if (i == v.size()) return 0;
    size_t bits = (v.size() - i - 1) * 8;
    for (uint8_t top = v[i]; top != 0; top = static_cast<uint8_t>(top >> 1)) ++bits;
    return bits;
}

std::string key_type_text(uint64_t key_type) {
    return std::string(crypto::key_type_name(static_cast<crypto::KeyType>(key_type)));
}

std::string hex_number(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llX", static_cast<unsigned long long>(v));
    return buf;
}

Status check_holdable(const AttributeSet& a) {
    const uint64_t c = a.get_ulong(attr::kClass).value_or(cls::kData);
    if (c != cls::kPublicKey && c != cls::kPrivateKey && c != cls::kSecretKey) return {};
    auto kt = a.get_ulong(attr::kKeyType);
    if (!kt) return error(Err::TemplateIncomplete, "a cloned key has no CKA_KEY_TYPE");
    const HoldRule* rule = nullptr;
    for (const HoldRule& r : kHoldRules)
        if (r.key_type == *kt) rule = &r;
    size_t lo = SIZE_MAX, hi = 0;
    for (const auto& m : crypto::MechanismRegistry::standard().all()) {
        for (crypto::KeyType t : m.key_types) {
            if (static_cast<uint64_t>(t) != *kt || m.max_key_size == 0) continue;
            lo = std::min(lo, m.min_key_size);
            hi = std::max(hi, m.max_key_size);
        }
    }
    if (rule == nullptr || hi == 0)
        return error(Err::ObjectTypeInvalid, "this device cannot hold keys of type " +
                                                 hex_number(*kt) + " (no mechanism uses it)");
    auto v = a.get(rule->size_attr);
    if (!v) return error(Err::TemplateIncomplete, "a cloned " + key_type_text(*kt) + " key has no " +
                                                      attribute_name(rule->size_attr));
    if (rule->measure == SizeMeasure::Curve) {
        if (auto curve = crypto::curve_name_from_params(*v); !curve)
            return error(curve.code(), "this device cannot hold a key on that curve: " +
                                           curve.status().message());
        return {};
    }
    const size_t size = rule->measure == SizeMeasure::Bits ? bit_length(*v) : v->size();
    if (size < lo || size > hi)
        return error(Err::KeySizeRange,
                     "this device holds " + key_type_text(*kt) + " keys of " + std::to_string(lo) +
                         ".." + std::to_string(hi) + (rule->measure == SizeMeasure::Bits
                                                          ? " bits" : " bytes") +
                         ", not " + std::to_string(size));
    return {};
}

// ---- Capacity (docs/design/device-folder.md `max_objects`, clone-protocol.md Target rule 5).
// Counted inside the write transaction, so concurrent writers cannot together pass it.
Status capacity_error(uint64_t max_objects) {
    return error(Err::MaxObjectCountExceeded,
                 "the partition is full: it holds its capacity of " +
                     std::to_string(max_objects) + " token objects");
}

Status check_room(store::Txn& txn, uint64_t partition, uint64_t max_objects, uint64_t adding) {
    SR_ASSIGN_OR_RETURN(uint64_t held, txn.count_objects(partition));
    if (held > max_objects || adding > max_objects - held) return capacity_error(max_objects);
    return {};
}

// Marks an import item refused for capacity (never a real handle: token handles stay below
// kSessionHandleBase).
constexpr ObjectHandle kNoRoom = ~ObjectHandle{0};

// One object of an import batch on its way to the store.
struct ImportItem {
    size_t index = 0;  // position in the caller's batch
    AttributeSet attrs;
    store::ObjectRecord record;
    Bytes ouid;
};

// Inserts the items whose OUID the partition does not hold yet, in order, while the partition
// has room, inside the caller's write transaction. Handles go to `handles` (0 = already held,
// kNoRoom = refused for capacity); the caller uses them only if the transaction commits.
Status insert_imports(store::Txn& txn, uint64_t partition, uint64_t max_objects,
                      std::span<ImportItem* const> items, std::vector<ObjectHandle>& handles) {
    handles.assign(items.size(), 0);
    SR_ASSIGN_OR_RETURN(uint64_t count, txn.count_objects(partition));
    for (size_t i = 0; i < items.size(); ++i) {
        store::ObjectQuery q;
        q.partition_id = partition;
        q.ouid = items[i]->ouid;
        q.limit = 1;
        SR_ASSIGN_OR_RETURN(auto held, txn.find_handles(q));
        if (!held.empty()) continue;
        if (count >= max_objects) {
            handles[i] = kNoRoom;
            continue;
        }
        ++count;
        SR_ASSIGN_OR_RETURN(handles[i], txn.insert_object(items[i]->record));
        if (handles[i] >= kSessionHandleBase)
            return error(Err::DeviceMemory, "token object handles exhausted");
    }
    return {};
}

void finish_import(PartitionRuntime& rt, uint64_t max_objects, ImportItem& item,
                   ObjectHandle handle, std::vector<Result<ObjectHandle>>& out) {
    if (handle == 0) {
        out[item.index] = error(Err::ObjectAlreadyExists, "the partition already holds this OUID");
        return;
    }
    if (handle == kNoRoom) {
        out[item.index] = capacity_error(max_objects);
        return;
    }
    out[item.index] = handle;
    auto obj = std::make_shared<const LoadedObject>(handle, std::move(item.attrs), true, 0, 0);
    MutexLock lock(rt.mu);
    rt.token_cache.emplace(handle, std::move(obj));
}

}  // namespace

void LocalDevice::forget_cached(PartitionRuntime& rt, ObjectHandle h) {
    MutexLock lock(rt.mu);
    ++rt.epoch;
    rt.token_cache.erase(h);
}

void LocalDevice::drop_session_objects(PartitionRuntime& rt, std::optional<SessionId> session,
                                       std::optional<AppId> private_of_app) {
    MutexLock lock(rt.mu);
    for (auto it = rt.session_objects.begin(); it != rt.session_objects.end();) {
        const auto& o = *it->second;
        bool drop = (session && o.owner_session() == *session) ||
                    (private_of_app && o.owner_app() == *private_of_app && o.is_private());
        it = drop ? rt.session_objects.erase(it) : std::next(it);
    }
}

Result<store::ObjectRecord> LocalDevice::to_record(const PartitionRuntime& rt,
                                                   const AttributeSet& attrs, uint64_t handle) {
    store::ObjectRecord rec;
    rec.handle = handle;
    rec.partition_id = rt.id;
    rec.ouid = bytes_of(attrs, attr::kOuid);
    rec.object_class = attrs.get_ulong(attr::kClass).value_or(cls::kData);
    if (auto kt = attrs.get_ulong(attr::kKeyType)) rec.key_type = *kt;
    rec.label = bytes_of(attrs, attr::kLabel);
    rec.id = bytes_of(attrs, attr::kId);
    rec.is_private = attrs.flag(attr::kPrivate, true);
    rec.attrs = encode_attributes(attrs.plain_values());
    SR_ASSIGN_OR_RETURN(rec.sealed_attrs,
                        sealing::seal_attributes(rt.storage_key, rt.id, rec.ouid,
                                                 attrs.secret_values()));
    rec.size_bytes = rec.attrs.size() + rec.sealed_attrs.size();
    return rec;
}

Status LocalDevice::check_object_write(const ObjectContext& ctx, const AttributeSet& attrs) const {
    const bool token = attrs.flag(attr::kToken, false);
    if (token && !ctx.session->read_write())
        return error(Err::SessionReadOnly, "token objects need a read-write session");
    if (attrs.flag(attr::kPrivate, true) && !ctx.user())
        return error(Err::UserNotLoggedIn, "private objects need the Crypto Officer or User");
    // The Crypto User uses objects but does not manage token objects (luna-reference §4.1).
    if (token && ctx.login == Role::CryptoUser)
        return error(Err::UserNotAuthorized, "the Crypto User may not change token objects");
    return {};
}

// Partition policy 28 gates creating, destroying and modifying objects (not cloning, not use).
Status LocalDevice::check_key_management(const ObjectContext& ctx) {
    SR_ASSIGN_OR_RETURN(auto values, ctx.runtime->policy_values(
        [&] { return partition_policy_values(ctx.runtime->id); }));
    auto it = values->find(policy::kKeyManagementFunctions);
    if (it != values->end() && it->second == 0)
        return error(Err::OperationNotAllowed,
                     "key management functions are disabled (partition policy 28)");
    return {};
}

Result<ObjectHandle> LocalDevice::store_new_object(const ObjectContext& ctx, AttributeSet attrs) {
    std::vector<AttributeSet> one;
    one.push_back(std::move(attrs));
    SR_ASSIGN_OR_RETURN(auto handles, store_new_objects(ctx, std::move(one)));
    return handles[0];
}

// All token objects of the batch land in one transaction (a key pair is both halves or none),
// and only if the partition has room for all of them (device.toml `max_objects`).
Result<std::vector<ObjectHandle>> LocalDevice::store_new_objects(const ObjectContext& ctx,
                                                                 std::vector<AttributeSet> batch,
                                                                 bool keep_ouid) {
    SR_TRY(check_key_management(ctx));
    PartitionRuntime& rt = *ctx.runtime;
    std::vector<store::ObjectRecord> records(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
        AttributeSet& attrs = batch[i];
        SR_TRY(check_object_write(ctx, attrs));
        if (!keep_ouid || !attrs.has(attr::kOuid)) {
            SR_ASSIGN_OR_RETURN(Bytes ouid, crypto::random_public(sealing::kOuidBytes));
            attrs.set_bytes(attr::kOuid, ouid);
        }
        classify_secrets(attrs);
        if (attrs.flag(attr::kToken, false)) {
            SR_ASSIGN_OR_RETURN(records[i], to_record(rt, attrs, 0));
        }
    }
    std::vector<ObjectHandle> handles(batch.size(), 0);
    if (std::any_of(batch.begin(), batch.end(),
                    [](const AttributeSet& a) { return a.flag(attr::kToken, false); })) {
        const auto tokens = static_cast<uint64_t>(std::count_if(
            batch.begin(), batch.end(),
            [](const AttributeSet& a) { return a.flag(attr::kToken, false); }));
        if (Status st_ = m_store->write([&](store::Txn& txn) -> Status {
                SR_TRY(check_room(txn, rt.id, m_config.max_objects, tokens));
                for (size_t i = 0; i < batch.size(); ++i) {
                    if (!batch[i].flag(attr::kToken, false)) continue;
                    SR_ASSIGN_OR_RETURN(handles[i], txn.insert_object(records[i]));
                    if (handles[i] >= kSessionHandleBase)
                        return error(Err::DeviceMemory, "token object handles exhausted");
                }
                return {};
            });
            !st_)
            return st_;
    }
    bool session_objects = false;
    {
        MutexLock lock(rt.mu);
        for (size_t i = 0; i < batch.size(); ++i) {
            const bool token = batch[i].flag(attr::kToken, false);
            session_objects = session_objects || !token;
            if (!token) handles[i] = m_next_session_object.fetch_add(1);
            auto obj = std::make_shared<const LoadedObject>(
                handles[i], std::move(batch[i]), token, token ? 0 : ctx.session->app(),
                token ? 0 : ctx.session->id());
            (token ? rt.token_cache : rt.session_objects).emplace(handles[i], std::move(obj));
        }
    }
    // A session object must not outlive its session: close_session marks the session closed,
    // then drops its objects. Checked after inserting (never nesting the two locks), so either
    // that drop saw these objects or this check sees the mark and drops them itself.
    if (session_objects) {
        bool closed = false;
        {
            MutexLock slock(ctx.session->mu);
            closed = ctx.session->closed;
        }
        if (closed) {
            drop_session_objects(rt, ctx.session->id(), std::nullopt);
            return error(Err::SessionHandleInvalid, "the session was closed");
        }
    }
    return handles;
}

Result<ObjectPtr> LocalDevice::load_object(const ObjectContext& ctx, ObjectHandle h) {
    PartitionRuntime& rt = *ctx.runtime;
    ObjectPtr obj;
    uint64_t epoch = 0;
    {
        MutexLock lock(rt.mu);
        auto& map = h >= kSessionHandleBase ? rt.session_objects : rt.token_cache;
        if (auto it = map.find(h); it != map.end()) obj = it->second;
        epoch = rt.epoch;
    }
    if (!obj && h < kSessionHandleBase && h != 0) {
        std::optional<store::ObjectRecord> rec;
        if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
            SR_ASSIGN_OR_RETURN(rec, txn.object(h));
            return {};
        }); !st_) return st_;
        if (rec && rec->partition_id == rt.id) {
            SR_ASSIGN_OR_RETURN(auto plain, decode_attributes(rec->attrs));
            SR_ASSIGN_OR_RETURN(auto secret, sealing::open_attributes(rt.storage_key, rt.id,
                                                                      rec->ouid, rec->sealed_attrs));
            obj = std::make_shared<const LoadedObject>(
                h, AttributeSet::from_parts(std::move(plain), std::move(secret)), true, 0, 0);
            MutexLock lock(rt.mu);
            if (rt.epoch == epoch) rt.token_cache.emplace(h, obj);
        }
    }
    if (!obj) return error(Err::ObjectHandleInvalid);
    // Session objects belong to their application; private objects need a user login.
    if (!obj->token() && obj->owner_app() != ctx.session->app())
        return error(Err::ObjectHandleInvalid);
    if (obj->is_private() && !ctx.user()) return error(Err::ObjectHandleInvalid);
    return obj;
}

Result<ObjectHandle> LocalDevice::create_object(SessionId s, const AttributeSet& tmpl) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    NewObjectContext nctx;
    nctx.is_so = ctx.login == Role::PartitionSo;
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, prepare_new_object(tmpl.clone(), Origin::Create, nctx));
    const uint64_t c = attrs.get_ulong(attr::kClass).value_or(cls::kData);
    if (c == cls::kPublicKey || c == cls::kPrivateKey || c == cls::kSecretKey) {
        // The material must make a usable key; what it implies (SPKI, check value...) is added
        // under what the template says.
        SR_ASSIGN_OR_RETURN(crypto::Key key, key_from_attributes(attrs));
        SR_ASSIGN_OR_RETURN(AttributeSet implied, attributes_from_key(key));
        implied.merge(std::move(attrs));
        attrs = std::move(implied);
    }
    return store_new_object(ctx, std::move(attrs));
}

Result<ObjectHandle> LocalDevice::copy_object(SessionId s, ObjectHandle h,
                                              const AttributeSet& changes) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr obj, load_object(ctx, h));
    SR_ASSIGN_OR_RETURN(AttributeSet copy,
                        prepare_copy(obj->attrs(), changes, ctx.login == Role::PartitionSo));
    return store_new_object(ctx, std::move(copy));
}

Status LocalDevice::destroy_object(SessionId s, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr obj, load_object(ctx, h));
    if (!obj->attrs().flag(attr::kDestroyable, true))
        return error(Err::ActionProhibited, "the object is not destroyable");
    SR_TRY(check_object_write(ctx, obj->attrs()));
    SR_TRY(check_key_management(ctx));
    PartitionRuntime& rt = *ctx.runtime;
    if (!obj->token()) {
        MutexLock lock(rt.mu);
        rt.session_objects.erase(h);
        return {};
    }
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status { return txn.delete_object(h); }); !st_) return st_;
    forget_cached(rt, h);
    return {};
}

Result<AttributeReadout> LocalDevice::get_attributes(SessionId s, ObjectHandle h,
                                                     std::span<const AttrType> types) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr obj, load_object(ctx, h));
    AttributeReadout out;
    const AttributeSet& a = obj->attrs();
    for (AttrType t : types) {
        Readable r = readable(a, t);
        if (r != Readable::Yes) {
            out.unavailable[t] = r;
            continue;
        }
        if (a.is_secret(t)) {
            out.values.set_secret(t, a.secret_values().at(t).clone());
        } else if (auto v = a.get(t)) {
            out.values.set_bytes(t, *v);
        } else {
            out.unavailable[t] = Readable::Invalid;
        }
    }
    return out;
}

Status LocalDevice::set_attributes(SessionId s, ObjectHandle h, const AttributeSet& changes) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr obj, load_object(ctx, h));
    SR_TRY(check_set_attributes(obj->attrs(), changes, ctx.login == Role::PartitionSo));
    AttributeSet next = obj->attrs().clone();
    next.merge(changes.clone());
    classify_secrets(next);
    SR_TRY(check_object_write(ctx, next));
    SR_TRY(check_key_management(ctx));
    PartitionRuntime& rt = *ctx.runtime;
    if (!obj->token()) {
        auto updated = std::make_shared<const LoadedObject>(h, std::move(next), false,
                                                            obj->owner_app(), obj->owner_session());
        MutexLock lock(rt.mu);
        rt.session_objects[h] = std::move(updated);
        return {};
    }
    SR_ASSIGN_OR_RETURN(store::ObjectRecord rec, to_record(rt, next, h));
    if (Status st_ = m_store->write([&](store::Txn& txn) -> Status { return txn.update_object(rec); }); !st_) return st_;
    forget_cached(rt, h);
    return {};
}

Result<AttributeSet> LocalDevice::export_object(SessionId s, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr obj, load_object(ctx, h));
    return obj->attrs().clone();
}

Result<ObjectHandle> LocalDevice::import_object(SessionId s, AttributeSet complete) {
    std::vector<AttributeSet> one;
    one.push_back(std::move(complete));
    SR_ASSIGN_OR_RETURN(auto outcomes, import_objects(s, std::move(one)));
    return std::move(outcomes[0]);
}

// Every object is checked first (OUID, what this device can hold, template rules, the
// session's rights); the accepted ones are written in ONE transaction (group commit: one
// fsync for the batch); objects beyond the partition's capacity are refused one by one, in
// order, while the rest land. Each object is whole or absent either way. Should that transaction
// fail, each object is retried in a transaction of its own, so one bad object cannot sink the
// rest. docs/design/clone-protocol.md, Target rule 5.
Result<std::vector<Result<ObjectHandle>>> LocalDevice::import_objects(
    SessionId s, std::vector<AttributeSet> objects) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    if (!ctx.session->read_write())
        return error(Err::SessionReadOnly, "importing token objects needs a read-write session");
    SR_TRY(check_key_management(ctx));
    PartitionRuntime& rt = *ctx.runtime;

    // The import rules of one object, before anything is sealed or written.
    auto prepare = [&](AttributeSet complete) -> Result<AttributeSet> {
        auto ouid = complete.get(attr::kOuid);
        if (!ouid || ouid->empty())
            return error(Err::TemplateIncomplete, "an imported object must carry its OUID");
        Bytes kept(ouid->begin(), ouid->end());
        SR_TRY(check_holdable(complete));
        NewObjectContext n;
        n.is_so = ctx.login == Role::PartitionSo;
        SR_ASSIGN_OR_RETURN(AttributeSet attrs,
                            prepare_new_object(std::move(complete), Origin::Clone, n));
        attrs.set_bytes(attr::kOuid, kept);
        attrs.set_bool(attr::kToken, true);
        SR_TRY(check_object_write(ctx, attrs));
        return attrs;
    };

    std::vector<Result<ObjectHandle>> out;
    out.reserve(objects.size());
    std::vector<ImportItem> items;
    items.reserve(objects.size());
    std::set<Bytes> batch_ouids;
    for (size_t i = 0; i < objects.size(); ++i) {
        out.emplace_back(error(Err::GeneralError, "not imported"));
        auto attrs = prepare(std::move(objects[i]));
        if (!attrs) {
            out[i] = attrs.status();
            continue;
        }
        Bytes ouid = bytes_of(*attrs, attr::kOuid);
        if (!batch_ouids.insert(ouid).second) {
            out[i] = error(Err::ObjectAlreadyExists, "the batch carries this OUID twice");
            continue;
        }
        auto record = to_record(rt, *attrs, 0);
        if (!record) {
            out[i] = record.status();
            continue;
        }
        items.push_back({i, std::move(*attrs), std::move(*record), std::move(ouid)});
    }

    if (items.empty()) return out;  // every object refused: nothing to write
    std::vector<ImportItem*> all;
    for (ImportItem& item : items) all.push_back(&item);
    std::vector<ObjectHandle> handles;
    const uint64_t max = m_config.max_objects;
    Status batch = m_store->write([&](store::Txn& txn) -> Status {
        return insert_imports(txn, rt.id, max, all, handles);
    });
    if (batch) {
        for (size_t k = 0; k < all.size(); ++k) finish_import(rt, max, *all[k], handles[k], out);
    } else {
        for (ImportItem* item : all) {
            ImportItem* one[] = {item};
            Status st = m_store->write([&](store::Txn& txn) -> Status {
                return insert_imports(txn, rt.id, max, one, handles);
            });
            if (st) finish_import(rt, max, *item, handles[0], out);
            else out[item->index] = st;
        }
    }
    return out;
}

Status LocalDevice::find_init(SessionId s, const AttributeSet& tmpl) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    Session& session = *ctx.session;
    {
        MutexLock lock(session.mu);
        if (session.find) return error(Err::OperationActive, "a search is already active");
    }
    store::ObjectQuery q;
    q.partition_id = ctx.runtime->id;
    q.object_class = tmpl.get_ulong(attr::kClass);
    q.key_type = tmpl.get_ulong(attr::kKeyType);
    if (auto v = tmpl.get(attr::kLabel)) q.label = Bytes(v->begin(), v->end());
    if (auto v = tmpl.get(attr::kId)) q.id = Bytes(v->begin(), v->end());
    if (auto v = tmpl.get(attr::kOuid)) q.ouid = Bytes(v->begin(), v->end());
    q.include_private = ctx.user();
    bool filter = false;
    for (AttrType t : tmpl.types()) filter = filter || !is_indexed(t);
    const std::optional<bool> token = tmpl.get_bool(attr::kToken);

    FindState found;
    if (token.value_or(true)) {
        if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
            if (!filter) {
                SR_ASSIGN_OR_RETURN(found.results, txn.find_handles(q));
                return {};
            }
            SR_ASSIGN_OR_RETURN(auto recs, txn.find_objects(q));
            for (const auto& rec : recs) {
                // Only the plain half is decoded: secret attributes never match a search.
                SR_ASSIGN_OR_RETURN(auto plain, decode_attributes(rec.attrs));
                if (matches(AttributeSet::from_parts(std::move(plain), {}), tmpl))
                    found.results.push_back(rec.handle);
            }
            return {};
        }); !st_) return st_;
    }
    if (!token.value_or(false)) {
        MutexLock lock(ctx.runtime->mu);
        for (const auto& [h, obj] : ctx.runtime->session_objects) {
            if (obj->owner_app() != session.app()) continue;
            if (obj->is_private() && !ctx.user()) continue;
            if (matches(obj->attrs(), tmpl)) found.results.push_back(h);
        }
    }
    MutexLock lock(session.mu);
    if (session.find) return error(Err::OperationActive, "a search is already active");
    session.find = std::move(found);
    return {};
}

Result<std::vector<ObjectHandle>> LocalDevice::find_next(SessionId s, size_t max_count) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    if (!session->find) return error(Err::OperationNotInitialized, "no search is active");
    FindState& f = *session->find;
    size_t n = std::min(max_count, f.results.size() - f.next);
    std::vector<ObjectHandle> out(f.results.begin() + static_cast<std::ptrdiff_t>(f.next),
                                  f.results.begin() + static_cast<std::ptrdiff_t>(f.next + n));
    f.next += n;
    return out;
}

Status LocalDevice::find_final(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    if (!session->find) return error(Err::OperationNotInitialized, "no search is active");
    session->find.reset();
    return {};
}

}  // namespace sr::hsm
