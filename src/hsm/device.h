// hsm::Device: the engine's public face — one HSM with its admin partition (id 0) and its
// application partitions, driven through applications (AppId), sessions (SessionId) and object
// handles. Every argument and result is a plain value, so net::RemoteDevice can carry the same
// calls over the wire. Implementations are thread-safe: any method may be called from any
// thread; calls on different sessions run in parallel.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "crypto/mechanism.h"
#include "hsm/attributes.h"
#include "hsm/object_rules.h"
#include "hsm/personality.h"

namespace sr::hsm {

// An application context (a PKCS#11 process, a network client connection, a shell). Login
// state is kept per (app, partition), as PKCS#11 §5.5 requires.
using AppId = uint64_t;
using SessionId = uint64_t;
using PartitionId = uint64_t;
using ObjectHandle = uint64_t;

// The HSM admin partition (the admin slot): HSM SO login, partition management, HSM policies.
inline constexpr PartitionId kAdminPartition = 0;
// Token-object handles are the store's handles (< kSessionHandleBase); session objects get
// handles from kSessionHandleBase up, so the two ranges never meet. Both fit in 32 bits.
inline constexpr ObjectHandle kSessionHandleBase = 0x8000'0000;

struct DeviceInfo {
    uint64_t serial = 0;
    std::string model;
    FormFactor form_factor = FormFactor::Pcie;
    FirmwareVersion firmware;
    AuthType auth = AuthType::Password;
    std::string hsm_label;                 // empty until HSM init
    bool hsm_initialized = false;
    Bytes hsm_domain_fingerprint;          // public; compares domains without revealing them
    uint64_t partition_count = 0;
    Bytes identity_certificate_der;        // device certificate (chains to the manufacturer root)
};

struct PartitionInfo {
    PartitionId id = 0;
    std::string name;                      // given at creation
    std::string label;                     // set at partition init (empty before)
    uint64_t serial = 0;
    bool initialized = false;
    Bytes domain_fingerprint;              // empty while uninitialized
    bool so_can_reset_pin = false;         // HSM policy 15 when the partition was created
    uint64_t object_count = 0;             // token objects
};

// Hard init (uninitialized HSM): no SO login; sets label, SO password and HSM domain.
// Soft init (initialized HSM): the calling app must be logged in as HSM SO; keeps the SO
// credential and domain (so_password / domain are ignored), may change the label, destroys
// every partition.
struct HsmInitParams {
    std::string label;        // 1..32 characters
    std::string so_password;
    std::string domain;
};

// Pre-PPSO firmware: the HSM SO sets the partition owner (Crypto Officer) password and the
// cloning domain at creation, and the partition is initialized (label = name) at once.
// PPSO / 7.x: both must be empty; the partition is created uninitialized.
struct PartitionCreateParams {
    std::string name;
    std::string owner_password;
    std::string domain;
};

// `partition init` (PPSO / 7.x): label, Partition SO password and cloning domain. Destroys all
// partition contents and roles. An initialized partition is re-initialized only when
// so_password matches the current Partition SO password.
struct PartitionInitParams {
    std::string label;
    std::string so_password;
    std::string domain;
};

struct RoleState {
    Role role = Role::CryptoOfficer;
    bool initialized = false;
    uint32_t failed_logins = 0;
    bool locked_out = false;
    bool must_change_password = false;
    bool activated = false;
};

struct PolicyValue {
    uint32_t id = 0;
    uint64_t value = 0;
};

struct PolicyChangeResult {
    bool destructive = false;              // objects (or partitions) were erased
    std::vector<uint32_t> destructive_ids;
};

struct SessionInfo {
    AppId app = 0;
    PartitionId partition = 0;
    bool read_write = false;
    std::optional<Role> logged_in;         // the app's login on this partition
};

// C_GetAttributeValue results. Readable values are in `values` (key material in its secret
// map); every requested type that could not be returned is in `unavailable` (Sensitive or
// Invalid). Length queries and buffer rules are the module's business.
struct AttributeReadout {
    AttributeSet values;
    std::map<AttrType, Readable> unavailable;
};

// A mechanism the device supports (C_GetMechanismList / C_GetMechanismInfo).
struct MechanismDescription {
    crypto::MechanismId id = 0;
    uint32_t flags = 0;                    // crypto::op::k*
    uint64_t min_key_size = 0;
    uint64_t max_key_size = 0;
};

struct KeyPairHandles {
    ObjectHandle public_key = 0;
    ObjectHandle private_key = 0;
};

// Cloning results (docs/design/clone-protocol.md). An object the source did not send or the
// target did not import, and why.
struct CloneRefusal {
    ObjectHandle handle = 0;  // the source handle (source side); 0 on the target side
    std::string label;
    Bytes ouid;
    Err code = Err::Ok;
    std::string reason;
};

struct CloneSourceResult {
    Bytes sealed;                      // the message for the target
    std::vector<ObjectHandle> sent;    // in sequence order
    std::vector<CloneRefusal> refused;
};

struct ClonedObject {
    Bytes ouid;
    std::string label;
    ObjectHandle handle = 0;  // the new handle on the target (0 when skipped)
};

struct CloneTargetResult {
    std::vector<ClonedObject> imported;
    std::vector<ClonedObject> skipped;  // the target already held the OUID
    std::vector<CloneRefusal> refused;  // authenticated, but the target cannot hold it
};

// Proof without export (docs/design/fingerprint.md): what a partition says about one object
// without revealing it. Equal fingerprints from two partitions of the same cloning domain mean
// the same lasting attributes and the same key value; value_mac is keyed by a key derived from
// the domain, so it means nothing across domains and reveals nothing about the value.
struct ObjectFingerprint {
    ObjectHandle handle = 0;
    Bytes ouid;
    uint64_t object_class = 0;
    std::string label;
    Bytes attributes_digest;  // SHA-256 of the canonical encoding of the lasting attributes
    Bytes value_mac;          // HMAC-SHA256 of the secret values under a domain key; empty if none
};

class Device {
public:
    virtual ~Device() = default;

    // ---- Device and applications
    virtual Result<DeviceInfo> info() = 0;
    virtual Result<std::vector<MechanismDescription>> mechanisms() = 0;
    virtual Result<AppId> attach() = 0;
    // Closes the app's sessions and drops its logins.
    virtual Status detach(AppId app) = 0;

    // ---- HSM administration (HSM SO on the admin partition unless stated)
    virtual Status init_hsm(AppId app, const HsmInitParams& params) = 0;
    // Listing needs no login (slot list).
    virtual Result<std::vector<PartitionInfo>> partitions() = 0;
    virtual Result<PartitionInfo> partition_info(PartitionId id) = 0;
    virtual Result<PartitionId> create_partition(AppId app, const PartitionCreateParams& p) = 0;
    virtual Status delete_partition(AppId app, PartitionId id) = 0;
    virtual Status init_partition(AppId app, PartitionId id, const PartitionInitParams& p) = 0;

    // ---- Sessions
    virtual Result<SessionId> open_session(AppId app, PartitionId partition, bool read_write) = 0;
    // Closing the app's last session on a partition logs the app out of it (PKCS#11 §5.6).
    virtual Status close_session(SessionId s) = 0;
    virtual Status close_all_sessions(AppId app, PartitionId partition) = 0;
    virtual Result<SessionInfo> session_info(SessionId s) = 0;

    // ---- Roles. Login applies to all the app's sessions on the session's partition.
    // Errors: UserAlreadyLoggedIn, UserAnotherAlreadyLoggedIn, SessionReadOnlyExists (SO roles
    // with a read-only session open), UserPinNotInitialized, PinIncorrect, PinLocked (role
    // locked out), SoLoginFailureThreshold (HSM zeroized), PartitionNotInitialized.
    virtual Status login(SessionId s, Role role, std::string_view password) = 0;
    virtual Status logout(SessionId s) = 0;
    // PO inits CO; CO inits CU and LCO (pre-PPSO: no role init).
    virtual Status init_role(SessionId s, Role role, std::string_view password) = 0;
    // The logged-in role changes its own password.
    virtual Status change_password(SessionId s, Role role, std::string_view old_password,
                                   std::string_view new_password) = 0;
    // PO resets CO (only when so_can_reset_pin); CO resets CU. Clears the lockout.
    virtual Status reset_password(SessionId s, Role role, std::string_view new_password) = 0;
    virtual Result<RoleState> role_state(PartitionId partition, Role role) = 0;

    // ---- Policies. HSM policies: HSM SO. Partition policies: Partition SO (PPSO / 7.x) or the
    // HSM SO (pre-PPSO). A destructive change erases in the same transaction.
    virtual Result<std::vector<PolicyValue>> hsm_policies() = 0;
    virtual Result<std::vector<PolicyValue>> partition_policies(PartitionId partition) = 0;
    virtual Result<PolicyChangeResult> set_hsm_policies(AppId app,
                                                        std::span<const PolicyValue> changes) = 0;
    virtual Result<PolicyChangeResult> set_partition_policies(
        AppId app, PartitionId partition, std::span<const PolicyValue> changes) = 0;

    // ---- Objects
    virtual Result<ObjectHandle> create_object(SessionId s, const AttributeSet& tmpl) = 0;
    virtual Result<ObjectHandle> copy_object(SessionId s, ObjectHandle h,
                                             const AttributeSet& changes) = 0;
    virtual Status destroy_object(SessionId s, ObjectHandle h) = 0;
    virtual Result<AttributeReadout> get_attributes(SessionId s, ObjectHandle h,
                                                    std::span<const AttrType> types) = 0;
    virtual Status set_attributes(SessionId s, ObjectHandle h, const AttributeSet& changes) = 0;
    virtual Status find_init(SessionId s, const AttributeSet& tmpl) = 0;
    virtual Result<std::vector<ObjectHandle>> find_next(SessionId s, size_t max_count) = 0;
    virtual Status find_final(SessionId s) = 0;

    // ---- Key management
    virtual Result<ObjectHandle> generate_key(SessionId s, const crypto::Mechanism& m,
                                              const AttributeSet& tmpl) = 0;
    virtual Result<KeyPairHandles> generate_key_pair(SessionId s, const crypto::Mechanism& m,
                                                     const AttributeSet& public_tmpl,
                                                     const AttributeSet& private_tmpl) = 0;
    virtual Result<Bytes> wrap_key(SessionId s, const crypto::Mechanism& m, ObjectHandle wrapping,
                                   ObjectHandle key) = 0;
    virtual Result<ObjectHandle> unwrap_key(SessionId s, const crypto::Mechanism& m,
                                            ObjectHandle unwrapping, ByteView wrapped,
                                            const AttributeSet& tmpl) = 0;
    virtual Result<ObjectHandle> derive_key(SessionId s, const crypto::Mechanism& m,
                                            ObjectHandle base, const AttributeSet& tmpl) = 0;

    // ---- Cryptographic operations. One active operation of each kind per session; the state
    // lives in the session. A failed update/final ends the operation (PKCS#11 §5.2).
    virtual Status encrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) = 0;
    virtual Result<Bytes> encrypt(SessionId s, ByteView data) = 0;  // single-part
    virtual Result<Bytes> encrypt_update(SessionId s, ByteView data) = 0;
    virtual Result<Bytes> encrypt_final(SessionId s) = 0;
    virtual Status decrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) = 0;
    virtual Result<SecretBytes> decrypt(SessionId s, ByteView data) = 0;
    virtual Result<SecretBytes> decrypt_update(SessionId s, ByteView data) = 0;
    virtual Result<SecretBytes> decrypt_final(SessionId s) = 0;
    virtual Status sign_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) = 0;
    virtual Result<Bytes> sign(SessionId s, ByteView data) = 0;
    virtual Status sign_update(SessionId s, ByteView data) = 0;
    virtual Result<Bytes> sign_final(SessionId s) = 0;
    virtual Status verify_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) = 0;
    virtual Status verify(SessionId s, ByteView data, ByteView signature) = 0;
    virtual Status verify_update(SessionId s, ByteView data) = 0;
    virtual Status verify_final(SessionId s, ByteView signature) = 0;
    virtual Status digest_init(SessionId s, const crypto::Mechanism& m) = 0;
    virtual Result<Bytes> digest(SessionId s, ByteView data) = 0;
    virtual Status digest_update(SessionId s, ByteView data) = 0;
    virtual Result<Bytes> digest_final(SessionId s) = 0;
    // C_DigestKey: continues the active digest with the value of a secret key the session may
    // use; the value stays in the engine. KeyHandleInvalid (no such key), KeyIndigestible (not
    // a secret key). A failure ends the digest.
    virtual Status digest_key(SessionId s, ObjectHandle key) = 0;
    // Dual-function updates (PKCS#11 §5.13), under one session lock: both operations must be
    // active (else OperationNotInitialized, and neither is touched). Digest/sign/verify see the
    // plaintext: the data before encryption, the output of decryption. A failure ends both.
    virtual Result<Bytes> digest_encrypt_update(SessionId s, ByteView data) = 0;
    virtual Result<SecretBytes> decrypt_digest_update(SessionId s, ByteView data) = 0;
    virtual Result<Bytes> sign_encrypt_update(SessionId s, ByteView data) = 0;
    virtual Result<SecretBytes> decrypt_verify_update(SessionId s, ByteView data) = 0;
    // Signatures with message recovery (single-part). The key needs CKA_SIGN_RECOVER /
    // CKA_VERIFY_RECOVER (else KeyFunctionNotPermitted); verify_recover returns the signed data.
    virtual Status sign_recover_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) = 0;
    virtual Result<Bytes> sign_recover(SessionId s, ByteView data) = 0;
    virtual Status verify_recover_init(SessionId s, const crypto::Mechanism& m,
                                       ObjectHandle key) = 0;
    virtual Result<Bytes> verify_recover(SessionId s, ByteView signature) = 0;
    // The session's active cryptographic operations as crypto::op flags (kEncrypt, kDecrypt,
    // kDigest, kSign, kVerify, kSignRecover, kVerifyRecover); 0 when none (C_GetOperationState).
    virtual Result<uint32_t> active_operations(SessionId s) = 0;
    virtual Result<Bytes> generate_random(SessionId s, size_t length) = 0;

    // ---- Cloning (docs/design/clone-protocol.md): clone, backup, restore and HA sync. The
    // messages are opaque bytes the caller relays between devices; they carry no key in clear.
    // Target: a signed hello, valid for one clone_target on the same session.
    virtual Result<Bytes> clone_hello(SessionId target) = 0;
    // Source: checks trust, domain, auth type, policies and firmware direction, then seals.
    virtual Result<CloneSourceResult> clone_source(SessionId source, ByteView hello,
                                                   std::span<const ObjectHandle> objects) = 0;
    // Target: authenticates every object, then imports each (OUID kept, duplicates skipped).
    virtual Result<CloneTargetResult> clone_target(SessionId target, ByteView sealed) = 0;

    // ---- Proof and masking (docs/design/fingerprint.md, docs/design/masking.md)
    // Fingerprints of token objects the session may see, in the order asked.
    virtual Result<std::vector<ObjectFingerprint>> object_fingerprints(
        SessionId s, std::span<const ObjectHandle> objects) = 0;
    // A self-contained, versioned blob of one object sealed under the partition's cloning-domain
    // key (Luna CA_ExtractMaskedObject); the source rules of cloning apply.
    virtual Result<Bytes> extract_masked(SessionId s, ObjectHandle h) = 0;
    // Opens a masked blob with the session partition's domain key and stores the object, OUID
    // kept (Luna CA_InsertMaskedObject). ObjectAlreadyExists when the OUID is already held.
    virtual Result<ObjectHandle> insert_masked(SessionId s, ByteView blob) = 0;
};

}  // namespace sr::hsm
