// Typed access: every record type round-trips; constraints and cascades hold; a failed write
// function leaves nothing behind.
#include "store_test_util.h"

namespace sr::store::test {
namespace {

using StoreCrud = StoreFixture;

TEST_F(StoreCrud, MetaRoundTripsAndSchemaVersionIsProtected) {
    auto store = open_store();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write([](Txn& t) { return t.put_meta("device.serial", "42"); }).is_ok());
    ASSERT_TRUE(store->read([](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto v, t.get_meta("device.serial"));
        EXPECT_EQ(v, std::optional<std::string>("42"));
        SR_ASSIGN_OR_RETURN(auto none, t.get_meta("nope"));
        EXPECT_FALSE(none.has_value());
        SR_ASSIGN_OR_RETURN(auto version, t.get_meta("schema_version"));
        EXPECT_EQ(version, std::optional<std::string>(std::to_string(kSchemaVersion)));
        return Status::ok();
    }).is_ok());
    Status st = store->write([](Txn& t) { return t.put_meta("schema_version", "99"); });
    EXPECT_EQ(st.code(), Err::ArgumentsBad);
}

TEST_F(StoreCrud, HsmRecordDefaultsThenRoundTrips) {
    auto store = open_store();
    ASSERT_TRUE(store);
    HsmRecord rec;
    rec.label = "myhsm";
    rec.initialized = true;
    rec.so_credential = "scrypt$...";
    rec.so_failed_logins = 2;
    rec.domain_fingerprint = {1, 2, 3};
    rec.domain_key_sealed = {4, 5, 6, 7};
    rec.initialized_at = 1700000000;
    ASSERT_TRUE(store->read([](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(HsmRecord fresh, t.hsm());
        EXPECT_FALSE(fresh.initialized);
        EXPECT_TRUE(fresh.label.empty());
        return Status::ok();
    }).is_ok());
    ASSERT_TRUE(store->write([&](Txn& t) { return t.put_hsm(rec); }).is_ok());
    store.reset();
    store = open_store();
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(HsmRecord got, t.hsm());
        EXPECT_EQ(got.label, rec.label);
        EXPECT_TRUE(got.initialized);
        EXPECT_EQ(got.so_credential, rec.so_credential);
        EXPECT_EQ(got.so_failed_logins, 2u);
        EXPECT_EQ(got.domain_fingerprint, rec.domain_fingerprint);
        EXPECT_EQ(got.domain_key_sealed, rec.domain_key_sealed);
        EXPECT_EQ(got.initialized_at, rec.initialized_at);
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreCrud, PartitionsInsertFindUpdateDeleteAndNamesAreUnique) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t a = 0;
    uint64_t b = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(a, t.insert_partition(make_partition("alpha")));
        SR_ASSIGN_OR_RETURN(b, t.insert_partition(make_partition("beta")));
        return Status::ok();
    }).is_ok());
    EXPECT_GE(a, 1u);
    EXPECT_GT(b, a);
    Status dup = store->write([](Txn& t) { return t.insert_partition(make_partition("alpha")).status(); });
    EXPECT_EQ(dup.code(), Err::AlreadyExists) << dup.to_string();

    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto p, t.partition_by_name("beta"));
        EXPECT_TRUE(p.has_value());
        if (!p) return Status::ok();
        EXPECT_EQ(p->id, b);
        p->label = "Beta Label";
        p->initialized = true;
        p->so_can_reset_pin = true;
        return t.update_partition(*p);
    }).is_ok());
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto all, t.partitions());
        EXPECT_EQ(all.size(), 2u);
        SR_ASSIGN_OR_RETURN(auto p, t.partition(b));
        EXPECT_TRUE(p && p->label == "Beta Label" && p->initialized && p->so_can_reset_pin);
        EXPECT_TRUE(p && p->storage_key_sealed == to_bytes("sealed-storage-key"));
        SR_ASSIGN_OR_RETURN(auto none, t.partition(999));
        EXPECT_FALSE(none.has_value());
        return Status::ok();
    }).is_ok());
    PartitionRecord ghost = make_partition("ghost");
    ghost.id = 999;
    EXPECT_EQ(store->write([&](Txn& t) { return t.update_partition(ghost); }).code(), Err::NotFound);
    EXPECT_EQ(store->write([](Txn& t) { return t.delete_partition(999); }).code(), Err::NotFound);
}

TEST_F(StoreCrud, PartitionIdsAndHandlesAreNeverReused) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t first_id = 0;
    uint64_t first_handle = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(first_id, t.insert_partition(make_partition("p")));
        SR_ASSIGN_OR_RETURN(first_handle, t.insert_object(make_object(first_id, 1)));
        return Status::ok();
    }).is_ok());
    ASSERT_TRUE(store->write([&](Txn& t) { return t.delete_partition(first_id); }).is_ok());
    store.reset();
    store = open_store();
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(uint64_t id, t.insert_partition(make_partition("p")));
        EXPECT_GT(id, first_id);
        SR_ASSIGN_OR_RETURN(uint64_t h, t.insert_object(make_object(id, 1)));
        EXPECT_GT(h, first_handle);
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreCrud, RolesAndPoliciesPutReplaceAndList) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t pid = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(pid, t.insert_partition(make_partition("p")));
        RoleRecord so{0, RoleId::HsmSo, "hash-so", "", 0, false, false, true};
        SR_TRY(t.put_role(so));
        RoleRecord co{pid, RoleId::CryptoOfficer, "hash-co", "chal", 1, false, true, false};
        SR_TRY(t.put_role(co));
        co.failed_logins = 3;
        co.locked_out = true;
        SR_TRY(t.put_role(co));  // replaces
        SR_TRY(t.put_policy({0, 15, 1}));
        SR_TRY(t.put_policy({pid, 7, 0xFFFFFFFFFFFFFFFFull}));
        return t.put_policy({pid, 7, 5});
    }).is_ok());
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto co, t.role(pid, RoleId::CryptoOfficer));
        EXPECT_TRUE(co && co->failed_logins == 3 && co->locked_out && co->must_change_password);
        EXPECT_TRUE(co && co->challenge == "chal");
        SR_ASSIGN_OR_RETURN(auto cu, t.role(pid, RoleId::CryptoUser));
        EXPECT_FALSE(cu.has_value());
        SR_ASSIGN_OR_RETURN(auto hsm_roles, t.roles(0));
        EXPECT_EQ(hsm_roles.size(), 1u);
        SR_ASSIGN_OR_RETURN(auto pol, t.policies(pid));
        EXPECT_EQ(pol.size(), 1u);
        if (!pol.empty()) {
            EXPECT_EQ(pol[0].value, 5u);
        }
        SR_ASSIGN_OR_RETURN(auto hsm_pol, t.policies(0));
        EXPECT_EQ(hsm_pol.size(), 1u);
        return Status::ok();
    }).is_ok());
    RoleRecord orphan{777, RoleId::CryptoUser, "", "", 0, false, false, false};
    EXPECT_EQ(store->write([&](Txn& t) { return t.put_role(orphan); }).code(), Err::NotFound);
    ASSERT_TRUE(store->write([&](Txn& t) { return t.delete_roles(pid); }).is_ok());
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto r, t.roles(pid));
        EXPECT_TRUE(r.empty());
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreCrud, ObjectsRoundTripUpdateDeleteAndCount) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t pid = 0;
    uint64_t h = 0;
    ObjectRecord rec;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(pid, t.insert_partition(make_partition("p")));
        rec = make_object(pid, 1);
        rec.label.clear();  // empty values must stay empty, never NULL
        SR_ASSIGN_OR_RETURN(h, t.insert_object(rec));
        return Status::ok();
    }).is_ok());
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto got, t.object(h));
        EXPECT_TRUE(got.has_value());
        if (!got) return Status::ok();
        EXPECT_EQ(got->handle, h);
        EXPECT_EQ(got->ouid, rec.ouid);
        EXPECT_EQ(got->key_type, rec.key_type);
        EXPECT_TRUE(got->label.empty());
        EXPECT_EQ(got->attrs, rec.attrs);
        EXPECT_EQ(got->sealed_attrs, rec.sealed_attrs);
        EXPECT_EQ(got->size_bytes, rec.size_bytes);
        got->label = to_bytes("renamed");
        got->key_type = std::nullopt;
        return t.update_object(*got);
    }).is_ok());
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        ObjectQuery q;
        q.partition_id = pid;
        q.label = Bytes{};
        SR_ASSIGN_OR_RETURN(auto none, t.find_handles(q));
        EXPECT_TRUE(none.empty());
        q.label = to_bytes("renamed");
        SR_ASSIGN_OR_RETURN(auto found, t.find_objects(q));
        EXPECT_EQ(found.size(), 1u);
        if (!found.empty()) {
            EXPECT_FALSE(found[0].key_type.has_value());
        }
        SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(pid));
        EXPECT_EQ(n, 1u);
        return Status::ok();
    }).is_ok());
    ASSERT_TRUE(store->write([&](Txn& t) { return t.delete_object(h); }).is_ok());
    EXPECT_EQ(store->write([&](Txn& t) { return t.delete_object(h); }).code(), Err::NotFound);
    ObjectRecord ghost = rec;
    ghost.handle = h;
    EXPECT_EQ(store->write([&](Txn& t) { return t.update_object(ghost); }).code(), Err::NotFound);
}

TEST_F(StoreCrud, OuidIsUniquePerPartitionOnly) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t p1 = 0;
    uint64_t p2 = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(p1, t.insert_partition(make_partition("one")));
        SR_ASSIGN_OR_RETURN(p2, t.insert_partition(make_partition("two")));
        SR_TRY(t.insert_object(make_object(p1, 5)));
        return t.insert_object(make_object(p2, 5)).status();  // same OUID, other partition
    }).is_ok());
    Status dup = store->write([&](Txn& t) { return t.insert_object(make_object(p1, 5)).status(); });
    EXPECT_EQ(dup.code(), Err::ObjectAlreadyExists) << dup.to_string();
}

TEST_F(StoreCrud, FindObjectsCombinesCriteria) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t pid = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(pid, t.insert_partition(make_partition("p")));
        for (uint64_t i = 0; i < 200; ++i) SR_TRY(t.insert_object(make_object(pid, i)));
        return Status::ok();
    }).is_ok());
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        ObjectQuery q;
        q.partition_id = pid;
        SR_ASSIGN_OR_RETURN(auto all, t.find_handles(q));
        EXPECT_EQ(all.size(), 200u);
        q.id = to_bytes("id-7");  // i = 7, 107
        SR_ASSIGN_OR_RETURN(auto by_id, t.find_objects(q));
        EXPECT_EQ(by_id.size(), 2u);
        q.object_class = 3;  // 7 % 4 == 3, 107 % 4 == 3
        q.include_private = false;  // both odd → public
        SR_ASSIGN_OR_RETURN(auto both, t.find_handles(q));
        EXPECT_EQ(both.size(), 2u);
        q.limit = 1;
        SR_ASSIGN_OR_RETURN(auto limited, t.find_handles(q));
        EXPECT_EQ(limited.size(), 1u);
        ObjectQuery priv;
        priv.partition_id = pid;
        priv.include_private = false;
        SR_ASSIGN_OR_RETURN(auto pub, t.find_handles(priv));
        EXPECT_EQ(pub.size(), 100u);
        ObjectQuery kt;
        kt.partition_id = pid;
        kt.key_type = 1;
        SR_ASSIGN_OR_RETURN(auto by_kt, t.find_objects(kt));
        for (const auto& o : by_kt) EXPECT_EQ(o.key_type, std::optional<uint64_t>(1));
        EXPECT_FALSE(by_kt.empty());
        ObjectQuery ouid;
        ouid.partition_id = pid;
        ouid.ouid = to_bytes("ouid-123");
        SR_ASSIGN_OR_RETURN(auto by_ouid, t.find_objects(ouid));
        EXPECT_EQ(by_ouid.size(), 1u);
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreCrud, DeletePartitionRemovesItsRolesPoliciesAndObjectsOnly) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t gone = 0;
    uint64_t kept = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(gone, t.insert_partition(make_partition("gone")));
        SR_ASSIGN_OR_RETURN(kept, t.insert_partition(make_partition("kept")));
        for (uint64_t pid : {gone, kept}) {
            SR_TRY(t.put_role({pid, RoleId::CryptoOfficer, "h", "", 0, false, false, false}));
            SR_TRY(t.put_policy({pid, 1, 1}));
            for (uint64_t i = 0; i < 10; ++i) SR_TRY(t.insert_object(make_object(pid, i)));
        }
        return Status::ok();
    }).is_ok());
    ASSERT_TRUE(store->write([&](Txn& t) { return t.delete_partition(gone); }).is_ok());
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto p, t.partition(gone));
        EXPECT_FALSE(p.has_value());
        SR_ASSIGN_OR_RETURN(auto r, t.roles(gone));
        EXPECT_TRUE(r.empty());
        SR_ASSIGN_OR_RETURN(auto pol, t.policies(gone));
        EXPECT_TRUE(pol.empty());
        SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(gone));
        EXPECT_EQ(n, 0u);
        SR_ASSIGN_OR_RETURN(uint64_t k, t.count_objects(kept));
        EXPECT_EQ(k, 10u);
        SR_ASSIGN_OR_RETURN(auto kr, t.roles(kept));
        EXPECT_EQ(kr.size(), 1u);
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreCrud, FailingWriteFunctionLeavesNothing) {
    auto store = open_store();
    ASSERT_TRUE(store);
    Status st = store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(uint64_t pid, t.insert_partition(make_partition("half")));
        SR_TRY(t.insert_object(make_object(pid, 1)));
        SR_TRY(t.put_meta("k", "v"));
        SR_TRY(t.append_audit({0, 0, pid, "HSM SO", "partition.create", "half", {}, {}}));
        return error(Err::DeviceError, "failed midway");
    });
    EXPECT_EQ(st.code(), Err::DeviceError);
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto parts, t.partitions());
        EXPECT_TRUE(parts.empty());
        SR_ASSIGN_OR_RETURN(auto k, t.get_meta("k"));
        EXPECT_FALSE(k.has_value());
        SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(1));
        EXPECT_EQ(n, 0u);
        return Status::ok();
    }).is_ok());
    auto tail = store->audit_tail(10);
    ASSERT_TRUE(tail.is_ok());
    EXPECT_TRUE(tail->empty());
    EXPECT_TRUE(store->verify_audit_chain().is_ok());
}

TEST_F(StoreCrud, WriteFunctionThatThrowsIsRolledBack) {
    auto store = open_store();
    ASSERT_TRUE(store);
    EXPECT_THROW((void)store->write([&](Txn& t) -> Status {
        SR_TRY(t.insert_partition(make_partition("thrown")));
        throw std::runtime_error("boom");
    }), std::runtime_error);
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto p, t.partition_by_name("thrown"));
        EXPECT_FALSE(p.has_value());
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreCrud, WritesInsideReadTransactionAreRefused) {
    auto store = open_store();
    ASSERT_TRUE(store);
    Status st = store->read([](Txn& t) { return t.put_meta("k", "v"); });
    EXPECT_FALSE(st.is_ok());
}

TEST_F(StoreCrud, NestedTransactionOnSameStoreIsRefusedNotDeadlocked) {
    auto store = open_store();
    ASSERT_TRUE(store);
    Status inner;
    ASSERT_TRUE(store->write([&](Txn&) {
        inner = store->write([](Txn&) { return Status::ok(); });
        return Status::ok();
    }).is_ok());
    EXPECT_EQ(inner.code(), Err::GeneralError);
}

}  // namespace
}  // namespace sr::store::test
