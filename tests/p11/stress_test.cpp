// Black-box stress: eight threads, each driven by its own seeded (deterministic) random choice,
// open and close sessions, cycle the Crypto Officer login, generate session and token keys,
// sign/verify, encrypt/decrypt, create/destroy data objects, search and read attributes at once;
// a closer thread calls C_CloseAllSessions on a second token. Every call must answer an expected
// code, and afterwards every token object a thread kept is findable with its attributes.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <thread>

#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using ConcurrentThreads = P11Test;

constexpr int kThreads = 8;
constexpr int kIterations = 250;
constexpr size_t kMaxSessions = 3;
constexpr CK_ULONG kAesLen = 32;
CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;
CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
CK_OBJECT_CLASS kDataClass = CKO_DATA;

CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, void* value, size_t len) {
    return CK_ATTRIBUTE{type, value, static_cast<CK_ULONG>(len)};
}

// What every thread shares: the function list, the slots, the failure log and the login gate.
// Workers hold the gate shared for each step that needs the Crypto Officer logged in; the
// logout/login cycle holds it exclusively, because a logout legitimately invalidates other
// threads' private handles (v2.40 §5.6 C_Logout) and their steps would then fail by design.
struct Shared {
    CK_FUNCTION_LIST_PTR fl = nullptr;
    CK_SLOT_ID slot = 0;
    CK_SLOT_ID slot2 = 0;
    CK_SESSION_HANDLE keeper = CK_INVALID_HANDLE;
    bool has_slot2 = false;
    std::shared_mutex gate;
    std::atomic<uint64_t> logout_epoch{0};
    std::atomic<uint64_t> calls{0};
    std::atomic<CK_OBJECT_HANDLE> victim{CK_INVALID_HANDLE};  // a token key one thread destroys
    std::atomic<uint64_t> victim_uses{0};
    std::atomic<uint64_t> victim_gone{0};  // uses that found it destroyed
    std::atomic<CK_SESSION_HANDLE> last_slot2_session{CK_INVALID_HANDLE};
    std::mutex fail_mu;
    // SoftHSM2's file object store answers CKR_GENERAL_ERROR or CKR_TEMPLATE_INCONSISTENT to
    // token-object creation racing other threads (its issue #573); there those count as "not
    // created" (such an object is not tracked, so the consistency check ignores it).
    static std::vector<CK_RV> token_create_ok() {
        if (testing_softhsm()) return {CKR_OK, CKR_GENERAL_ERROR, CKR_TEMPLATE_INCONSISTENT};
        return {CKR_OK};
    }
    std::vector<std::string> failures;
    std::string shared_ec_label = "shared-ec";
    std::string shared_aes_label = "shared-aes";

    void fail(const std::string& what) {
        std::lock_guard<std::mutex> lock(fail_mu);
        failures.push_back(what);
    }
};

// Token objects a thread created and has not destroyed: label -> value (empty for keys).
struct Kept {
    std::map<std::string, std::vector<CK_BYTE>> data;
    std::vector<std::string> keys;
    std::vector<std::string> destroyed;
};

struct SessionKey {
    CK_SESSION_HANDLE session;
    CK_OBJECT_HANDLE key;  // AES, or the EC private key
    CK_OBJECT_HANDLE pub;  // EC public key, or CK_INVALID_HANDLE
    uint64_t epoch;        // logout epoch at generation
};

class Worker {
  public:
    Worker(Shared& sh, int id)
        : m_sh(sh), m_fl(sh.fl), m_id(id), m_rng(1000u + static_cast<unsigned>(id)) {}

    void run() {
        open_session();
        for (m_iter = 0; m_iter < kIterations; ++m_iter) step(pick(100));
        while (!m_sessions.empty()) close_session(0);
    }
    Kept kept;

  private:
    // Records a failure unless `rv` is one of `ok`; returns rv.
    CK_RV check(const char* what, CK_RV rv, const std::vector<CK_RV>& ok = {CKR_OK}) {
        ++m_sh.calls;
        for (CK_RV r : ok)
            if (rv == r) return rv;
        m_sh.fail("thread " + std::to_string(m_id) + " iteration " + std::to_string(m_iter) + ": " +
                  what + " returned 0x" + to_hex(rv));
        return rv;
    }
    static std::string to_hex(CK_RV rv) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(rv));
        return buf;
    }
    size_t pick(size_t n) { return static_cast<size_t>(m_rng() % n); }
    CK_SESSION_HANDLE any_session() { return m_sessions[pick(m_sessions.size())]; }
    std::string next_label(const char* kind) {
        return std::string(kind) + "-t" + std::to_string(m_id) + "-" + std::to_string(m_seq++);
    }

    void step(size_t roll) {
        if (m_sessions.empty()) return open_session();
        if (m_id == 0 && m_iter == 1) return rsa_round_trip();
        if (roll < 6) return open_session();
        if (roll < 11) return close_session(pick(m_sessions.size()));
        if (roll < 13) return login_cycle();
        if (m_id == kThreads - 1 && roll < 18) return close_all_second_slot();
        if (roll < 18) return second_slot_visit();
        std::shared_lock<std::shared_mutex> gate(m_sh.gate);
        drop_stale_keys();
        if (roll < 20) return login_again();
        if (roll < 22) return query_slot();
        if (roll < 27) return gen_session_aes();
        if (roll < 32) return gen_session_ec();
        if (roll < 37) return gen_token_aes();
        if (roll < 47) return sign_verify_shared();
        if (roll < 55) return sign_verify_own();
        if (roll < 63) return encrypt_decrypt();
        if (roll < 71) return create_token_data();
        if (roll < 77) return destroy_token_object();
        if (roll < 84) return find_own_by_label();
        if (roll < 90) return find_data_by_class();
        if (roll < 93) return session_object_round_trip();
        if (roll < 95) return use_keeper_session();
        if (roll < 99) return m_id == 6 ? replace_victim() : use_victim();
        return read_shared_attributes();
    }

    void open_session() {
        if (m_sessions.size() >= kMaxSessions) return;
        CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
        if (check("C_OpenSession",
                  m_fl->C_OpenSession(m_sh.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                      nullptr, &h)) == CKR_OK)
            m_sessions.push_back(h);
    }

    void close_session(size_t i) {
        if (m_sessions.size() <= 1 && m_iter < kIterations) return;
        const CK_SESSION_HANDLE h = m_sessions[i];
        check("C_CloseSession", m_fl->C_CloseSession(h));
        m_sessions.erase(m_sessions.begin() + static_cast<std::ptrdiff_t>(i));
        std::erase_if(m_keys, [&](const SessionKey& k) { return k.session == h; });
        // The handle is gone: using it again is refused (SoftHSM2 reuses handles, so another
        // thread's new session may hold it there).
        CK_SESSION_INFO info{};
        if (!testing_softhsm())
            check("C_GetSessionInfo(closed)", m_fl->C_GetSessionInfo(h, &info),
                  {CKR_SESSION_HANDLE_INVALID});
    }

    // C_Logout then C_Login alone under the gate: nobody else is mid-step on a private handle.
    void login_cycle() {
        std::unique_lock<std::shared_mutex> gate(m_sh.gate);
        const CK_SESSION_HANDLE s = any_session();
        ++m_sh.logout_epoch;
        check("C_Logout", m_fl->C_Logout(s));
        CK_SESSION_INFO info{};
        if (check("C_GetSessionInfo", m_fl->C_GetSessionInfo(s, &info)) == CKR_OK &&
            info.state != CKS_RW_PUBLIC_SESSION)
            m_sh.fail("thread " + std::to_string(m_id) + ": state after logout " +
                      std::to_string(info.state));
        check("C_Login", m_fl->C_Login(s, CKU_USER, pin(kCoPin), pin_len(kCoPin)));
    }

    void login_again() {
        check("C_Login(again)",
              m_fl->C_Login(any_session(), CKU_USER, pin(kCoPin), pin_len(kCoPin)),
              {CKR_USER_ALREADY_LOGGED_IN});
    }

    // Session keys are private: a logout since their generation destroyed them (v2.40 §5.6).
    void drop_stale_keys() {
        const uint64_t now = m_sh.logout_epoch.load();
        std::erase_if(m_keys, [&](const SessionKey& k) { return k.epoch != now; });
    }

    CK_OBJECT_HANDLE gen_aes(CK_SESSION_HANDLE s, bool token, const std::string& label) {
        CK_MECHANISM m = {CKM_AES_KEY_GEN, nullptr, 0};
        CK_ULONG len = kAesLen;
        CK_BBOOL tok = token ? CK_TRUE : CK_FALSE;
        std::string lab = label;
        CK_ATTRIBUTE t[] = {attr(CKA_VALUE_LEN, &len, sizeof len),  attr(CKA_ENCRYPT, &kTrue, 1),
                            attr(CKA_DECRYPT, &kTrue, 1),           attr(CKA_TOKEN, &tok, 1),
                            attr(CKA_SENSITIVE, &kTrue, 1),         attr(CKA_PRIVATE, &kTrue, 1),
                            attr(CKA_LABEL, lab.data(), lab.size())};
        CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
        if (check("C_GenerateKey(AES)", m_fl->C_GenerateKey(s, &m, t, 7, &h),
                  token ? Shared::token_create_ok() : std::vector<CK_RV>{CKR_OK}) != CKR_OK)
            return CK_INVALID_HANDLE;
        return h;
    }

    void gen_session_aes() {
        const CK_SESSION_HANDLE s = any_session();
        const CK_OBJECT_HANDLE h = gen_aes(s, false, next_label("sk"));
        if (h != CK_INVALID_HANDLE) m_keys.push_back({s, h, CK_INVALID_HANDLE, m_sh.logout_epoch});
    }

    void gen_session_ec() {
        const CK_SESSION_HANDLE s = any_session();
        CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
        CK_ATTRIBUTE pub[] = {attr(CKA_EC_PARAMS, kP256, sizeof kP256), attr(CKA_VERIFY, &kTrue, 1),
                              attr(CKA_TOKEN, &kFalse, 1)};
        CK_ATTRIBUTE priv[] = {attr(CKA_SIGN, &kTrue, 1), attr(CKA_TOKEN, &kFalse, 1),
                               attr(CKA_SENSITIVE, &kTrue, 1), attr(CKA_PRIVATE, &kTrue, 1)};
        CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
        if (check("C_GenerateKeyPair(EC)",
                  m_fl->C_GenerateKeyPair(s, &m, pub, 3, priv, 4, &hpub, &hpriv)) == CKR_OK)
            m_keys.push_back({s, hpriv, hpub, m_sh.logout_epoch});
    }

    void gen_token_aes() {
        const std::string label = next_label("tk");
        if (gen_aes(any_session(), true, label) != CK_INVALID_HANDLE) kept.keys.push_back(label);
    }

    // Runs one find over `tmpl` and returns every handle.
    std::vector<CK_OBJECT_HANDLE> find(CK_SESSION_HANDLE s, CK_ATTRIBUTE* tmpl, CK_ULONG n) {
        std::vector<CK_OBJECT_HANDLE> out;
        if (check("C_FindObjectsInit", m_fl->C_FindObjectsInit(s, tmpl, n)) != CKR_OK) return out;
        for (;;) {
            CK_OBJECT_HANDLE batch[7];
            CK_ULONG got = 0;
            if (check("C_FindObjects", m_fl->C_FindObjects(s, batch, 7, &got)) != CKR_OK ||
                got == 0)
                break;
            out.insert(out.end(), batch, batch + got);
        }
        check("C_FindObjectsFinal", m_fl->C_FindObjectsFinal(s));
        return out;
    }
    std::vector<CK_OBJECT_HANDLE> find_label(CK_SESSION_HANDLE s, const std::string& label) {
        std::string lab = label;
        CK_ATTRIBUTE t[] = {attr(CKA_LABEL, lab.data(), lab.size())};
        return find(s, t, 1);
    }
    // The one object labelled `label` (a failure when there is not exactly one).
    CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, const std::string& label) {
        auto found = find_label(s, label);
        if (found.size() == 1) return found[0];
        m_sh.fail("thread " + std::to_string(m_id) + ": " + std::to_string(found.size()) +
                  " objects labelled " + label);
        return CK_INVALID_HANDLE;
    }

    void ecdsa_round_trip(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE pub) {
        CK_MECHANISM m = {CKM_ECDSA, nullptr, 0};
        CK_BYTE digest[32];
        for (auto& b : digest) b = static_cast<CK_BYTE>(m_rng());
        CK_BYTE sig[64];
        CK_ULONG len = sizeof sig;
        if (check("C_SignInit(ECDSA)", m_fl->C_SignInit(s, &m, priv)) != CKR_OK) return;
        if (pick(2) == 0) {  // the length query, which keeps the operation active (v2.40 §5.2)
            CK_ULONG need = 0;
            if (check("C_Sign(length)", m_fl->C_Sign(s, digest, sizeof digest, nullptr, &need)) !=
                CKR_OK)
                return;
            if (need != sizeof sig)
                m_sh.fail("thread " + std::to_string(m_id) + ": ECDSA length " +
                          std::to_string(need));
        }
        if (check("C_Sign(ECDSA)", m_fl->C_Sign(s, digest, sizeof digest, sig, &len)) != CKR_OK)
            return;
        if (check("C_VerifyInit(ECDSA)", m_fl->C_VerifyInit(s, &m, pub)) != CKR_OK) return;
        check("C_Verify(ECDSA)", m_fl->C_Verify(s, digest, sizeof digest, sig, len));
        digest[0] ^= 1;  // a signature over other data must not verify
        if (check("C_VerifyInit(ECDSA)", m_fl->C_VerifyInit(s, &m, pub)) != CKR_OK) return;
        check("C_Verify(tampered)", m_fl->C_Verify(s, digest, sizeof digest, sig, len),
              {CKR_SIGNATURE_INVALID});
    }

    void sign_verify_shared() {
        const CK_SESSION_HANDLE s = any_session();
        std::string lab = m_sh.shared_ec_label;
        CK_OBJECT_CLASS priv_class = CKO_PRIVATE_KEY, pub_class = CKO_PUBLIC_KEY;
        CK_ATTRIBUTE tp[] = {attr(CKA_LABEL, lab.data(), lab.size()),
                             attr(CKA_CLASS, &priv_class, sizeof priv_class)};
        CK_ATTRIBUTE tq[] = {attr(CKA_LABEL, lab.data(), lab.size()),
                             attr(CKA_CLASS, &pub_class, sizeof pub_class)};
        auto priv = find(s, tp, 2);
        auto pub = find(s, tq, 2);
        if (priv.size() != 1 || pub.size() != 1)
            return m_sh.fail("thread " + std::to_string(m_id) + ": shared EC pair not found once");
        ecdsa_round_trip(s, priv[0], pub[0]);
    }

    void sign_verify_own() {
        for (const SessionKey& k : m_keys)
            if (k.pub != CK_INVALID_HANDLE) return ecdsa_round_trip(k.session, k.key, k.pub);
    }

    void encrypt_decrypt() {
        CK_SESSION_HANDLE s = any_session();
        CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
        for (const SessionKey& k : m_keys)
            if (k.pub == CK_INVALID_HANDLE && pick(2) == 0) {
                s = k.session;
                key = k.key;
            }
        if (key == CK_INVALID_HANDLE &&
            (key = find_one(s, m_sh.shared_aes_label)) == CK_INVALID_HANDLE)
            return;
        CK_BYTE iv[16];
        for (auto& b : iv) b = static_cast<CK_BYTE>(m_rng());
        CK_MECHANISM m = {CKM_AES_CBC_PAD, iv, sizeof iv};
        std::vector<CK_BYTE> plain(1 + pick(100));
        for (auto& b : plain) b = static_cast<CK_BYTE>(m_rng());
        std::vector<CK_BYTE> cipher(plain.size() + 16), back(plain.size() + 16);
        CK_ULONG clen = cipher.size(), plen = back.size();
        if (check("C_EncryptInit", m_fl->C_EncryptInit(s, &m, key)) != CKR_OK ||
            check("C_Encrypt",
                  m_fl->C_Encrypt(s, plain.data(), plain.size(), cipher.data(), &clen)) != CKR_OK ||
            check("C_DecryptInit", m_fl->C_DecryptInit(s, &m, key)) != CKR_OK ||
            check("C_Decrypt", m_fl->C_Decrypt(s, cipher.data(), clen, back.data(), &plen)) !=
                CKR_OK)
            return;
        back.resize(plen);
        if (back != plain) m_sh.fail("thread " + std::to_string(m_id) + ": AES round trip differs");
    }

    void create_token_data() {
        std::string label = next_label("d");
        std::vector<CK_BYTE> value(1 + pick(64));
        for (auto& b : value) b = static_cast<CK_BYTE>(m_rng());
        CK_ATTRIBUTE t[] = {attr(CKA_CLASS, &kDataClass, sizeof kDataClass),
                            attr(CKA_TOKEN, &kTrue, 1), attr(CKA_PRIVATE, &kFalse, 1),
                            attr(CKA_LABEL, label.data(), label.size()),
                            attr(CKA_VALUE, value.data(), value.size())};
        CK_OBJECT_HANDLE h = 0;
        if (check("C_CreateObject(token data)", m_fl->C_CreateObject(any_session(), t, 5, &h),
                  Shared::token_create_ok()) == CKR_OK)
            kept.data[label] = value;
    }

    void destroy_token_object() {
        const size_t total = kept.data.size() + kept.keys.size();
        if (total == 0) return;
        const size_t i = pick(total);
        std::string label;
        if (i < kept.data.size()) {
            auto it = std::next(kept.data.begin(), static_cast<std::ptrdiff_t>(i));
            label = it->first;
            kept.data.erase(it);
        } else {
            label = kept.keys[i - kept.data.size()];
            std::erase(kept.keys, label);
        }
        const CK_SESSION_HANDLE s = any_session();
        const CK_OBJECT_HANDLE h = find_one(s, label);
        if (h == CK_INVALID_HANDLE) return;
        { check("C_DestroyObject(token)", m_fl->C_DestroyObject(s, h)); }
        kept.destroyed.push_back(label);
        if (!find_label(s, label).empty())
            m_sh.fail("thread " + std::to_string(m_id) + ": destroyed " + label + " still found");
    }

    void find_own_by_label() {
        if (kept.data.empty()) return;
        auto it = std::next(kept.data.begin(), static_cast<std::ptrdiff_t>(pick(kept.data.size())));
        const CK_SESSION_HANDLE s = any_session();
        const CK_OBJECT_HANDLE h = find_one(s, it->first);
        if (h == CK_INVALID_HANDLE) return;
        std::vector<CK_BYTE> value(it->second.size() + 8);
        CK_ATTRIBUTE a = attr(CKA_VALUE, value.data(), value.size());
        if (check("C_GetAttributeValue(CKA_VALUE)", m_fl->C_GetAttributeValue(s, h, &a, 1)) !=
            CKR_OK)
            return;
        value.resize(a.ulValueLen);
        if (value != it->second)
            m_sh.fail("thread " + std::to_string(m_id) + ": wrong value of " + it->first);
    }

    // Every token data object of this thread is among the class search's results; objects of
    // other threads may be destroyed between the search and the read.
    void find_data_by_class() {
        const CK_SESSION_HANDLE s = any_session();
        CK_ATTRIBUTE t[] = {attr(CKA_CLASS, &kDataClass, sizeof kDataClass),
                            attr(CKA_TOKEN, &kTrue, 1)};
        size_t mine = 0;
        for (CK_OBJECT_HANDLE h : find(s, t, 2)) {
            char label[64];
            CK_ATTRIBUTE a = attr(CKA_LABEL, label, sizeof label);
            if (check("C_GetAttributeValue(CKA_LABEL)", m_fl->C_GetAttributeValue(s, h, &a, 1),
                      {CKR_OK, CKR_OBJECT_HANDLE_INVALID}) != CKR_OK)
                continue;
            if (kept.data.count(std::string(label, a.ulValueLen)) != 0) ++mine;
        }
        if (mine != kept.data.size())
            m_sh.fail("thread " + std::to_string(m_id) + ": class search found " +
                      std::to_string(mine) + " of its " + std::to_string(kept.data.size()) +
                      " data objects");
    }

    void session_object_round_trip() {
        const CK_SESSION_HANDLE s = any_session();
        std::string label = next_label("sd");
        CK_BYTE value[4] = {1, 2, 3, static_cast<CK_BYTE>(m_id)};
        CK_ATTRIBUTE t[] = {
            attr(CKA_CLASS, &kDataClass, sizeof kDataClass), attr(CKA_TOKEN, &kFalse, 1),
            attr(CKA_LABEL, label.data(), label.size()), attr(CKA_VALUE, value, sizeof value)};
        CK_OBJECT_HANDLE h = 0;
        if (check("C_CreateObject(session data)", m_fl->C_CreateObject(s, t, 4, &h)) != CKR_OK)
            return;
        if (find_one(s, label) != h)
            m_sh.fail("thread " + std::to_string(m_id) + ": session object not found by its label");
        check("C_DestroyObject(session)", m_fl->C_DestroyObject(s, h));
        CK_ATTRIBUTE a = attr(CKA_VALUE, nullptr, 0);
        check("C_GetAttributeValue(destroyed)", m_fl->C_GetAttributeValue(s, h, &a, 1),
              {CKR_OBJECT_HANDLE_INVALID});
    }

    void read_shared_attributes() {
        const CK_SESSION_HANDLE s = any_session();
        const CK_OBJECT_HANDLE h = find_one(s, m_sh.shared_aes_label);
        if (h == CK_INVALID_HANDLE) return;
        CK_OBJECT_CLASS cls = 0;
        CK_KEY_TYPE kt = 0;
        CK_ULONG len = 0;
        CK_BYTE value[64];
        CK_ATTRIBUTE a[] = {attr(CKA_CLASS, &cls, sizeof cls), attr(CKA_KEY_TYPE, &kt, sizeof kt),
                            attr(CKA_VALUE_LEN, &len, sizeof len),
                            attr(CKA_VALUE, value, sizeof value)};
        // CKA_VALUE of a sensitive key is not readable; the others are (v2.40 §5.7).
        check("C_GetAttributeValue(shared AES)", m_fl->C_GetAttributeValue(s, h, a, 4),
              {CKR_ATTRIBUTE_SENSITIVE});
        if (cls != CKO_SECRET_KEY || kt != CKK_AES || len != kAesLen ||
            a[3].ulValueLen != CK_UNAVAILABLE_INFORMATION)
            m_sh.fail("thread " + std::to_string(m_id) + ": shared AES key attributes wrong");
    }

    // A token key thread 6 creates and later destroys while the others encrypt with it: their
    // calls may find the handle gone (v2.40 §5.1 CKR_KEY_HANDLE_INVALID / OBJECT_HANDLE_INVALID)
    // but never fail otherwise.
    // Alternates: publish a new key; destroy it but leave its handle published, so the others
    // use a destroyed handle as often as a live one.
    void replace_victim() {
        const CK_SESSION_HANDLE s = any_session();
        const CK_OBJECT_HANDLE old = m_sh.victim.load();
        if (old != CK_INVALID_HANDLE && !m_victim_destroyed) {
            check("C_DestroyObject(victim)", m_fl->C_DestroyObject(s, old),
                  {CKR_OK, CKR_OBJECT_HANDLE_INVALID});
            m_victim_destroyed = true;
            return;
        }
        m_sh.victim = gen_aes(s, true, next_label("victim"));
        m_victim_destroyed = false;
    }

    void use_victim() {
        const CK_OBJECT_HANDLE k = m_sh.victim.load();
        if (k == CK_INVALID_HANDLE) return;
        const CK_SESSION_HANDLE s = any_session();
        const std::vector<CK_RV> ok = {CKR_OK, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID};
        CK_BYTE iv[16] = {};
        CK_MECHANISM m = {CKM_AES_CBC_PAD, iv, sizeof iv};
        CK_BYTE plain[40] = {}, cipher[64];
        CK_ULONG clen = sizeof cipher;
        ++m_sh.victim_uses;
        CK_RV rv = check("C_EncryptInit(victim)", m_fl->C_EncryptInit(s, &m, k), ok);
        if (rv == CKR_OK)
            rv = check("C_Encrypt(victim)", m_fl->C_Encrypt(s, plain, sizeof plain, cipher, &clen),
                       ok);
        if (rv != CKR_OK) ++m_sh.victim_gone;
        CK_KEY_TYPE kt = 0;
        CK_ATTRIBUTE a = attr(CKA_KEY_TYPE, &kt, sizeof kt);
        if (check("C_GetAttributeValue(victim)", m_fl->C_GetAttributeValue(s, k, &a, 1), ok) ==
                CKR_OK &&
            kt != CKK_AES)
            m_sh.fail("thread " + std::to_string(m_id) + ": victim key type changed");
    }

    // One session used by every thread at once for single-call functions (calls on a session
    // are serialized by the module; none of these leaves state in it).
    void use_keeper_session() {
        const CK_SESSION_HANDLE s = m_sh.keeper;
        CK_BYTE rnd[32];
        check("C_GenerateRandom(keeper)", m_fl->C_GenerateRandom(s, rnd, sizeof rnd));
        CK_BYTE value[8] = {9, 8, 7, 6, 5, 4, 3, static_cast<CK_BYTE>(m_id)};
        CK_ATTRIBUTE t[] = {attr(CKA_CLASS, &kDataClass, sizeof kDataClass),
                            attr(CKA_TOKEN, &kFalse, 1), attr(CKA_VALUE, value, sizeof value)};
        CK_OBJECT_HANDLE h = 0;
        if (check("C_CreateObject(keeper)", m_fl->C_CreateObject(s, t, 3, &h)) != CKR_OK) return;
        CK_BYTE back[16];
        CK_ATTRIBUTE a = attr(CKA_VALUE, back, sizeof back);
        if (check("C_GetAttributeValue(keeper)", m_fl->C_GetAttributeValue(s, h, &a, 1)) ==
                CKR_OK &&
            (a.ulValueLen != sizeof value || std::memcmp(back, value, sizeof value) != 0))
            m_sh.fail("thread " + std::to_string(m_id) + ": keeper session object value wrong");
        check("C_DestroyObject(keeper)", m_fl->C_DestroyObject(s, h));
    }

    // Rare (RSA-2048 generation is slow under TSan): one session pair, SHA256-RSA-PKCS.
    void rsa_round_trip() {
        std::shared_lock<std::shared_mutex> gate(m_sh.gate);
        const CK_SESSION_HANDLE s = any_session();
        CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
        CK_ULONG bits = 2048;
        CK_BYTE e[] = {1, 0, 1};
        CK_ATTRIBUTE pub[] = {attr(CKA_MODULUS_BITS, &bits, sizeof bits),
                              attr(CKA_PUBLIC_EXPONENT, e, sizeof e), attr(CKA_VERIFY, &kTrue, 1),
                              attr(CKA_TOKEN, &kFalse, 1)};
        CK_ATTRIBUTE priv[] = {attr(CKA_SIGN, &kTrue, 1), attr(CKA_TOKEN, &kFalse, 1),
                               attr(CKA_SENSITIVE, &kTrue, 1)};
        CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
        if (check("C_GenerateKeyPair(RSA)",
                  m_fl->C_GenerateKeyPair(s, &gen, pub, 4, priv, 3, &hpub, &hpriv)) != CKR_OK)
            return;
        CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, nullptr, 0};
        CK_BYTE data[] = "stress";
        CK_BYTE sig[256];
        CK_ULONG len = sizeof sig;
        if (check("C_SignInit(RSA)", m_fl->C_SignInit(s, &m, hpriv)) != CKR_OK ||
            check("C_Sign(RSA)", m_fl->C_Sign(s, data, sizeof data, sig, &len)) != CKR_OK ||
            check("C_VerifyInit(RSA)", m_fl->C_VerifyInit(s, &m, hpub)) != CKR_OK)
            return;
        check("C_Verify(RSA)", m_fl->C_Verify(s, data, sizeof data, sig, len));
    }

    // On the second token: sessions the closer thread may end at any moment (C_CloseAllSessions,
    // or C_CloseSession of the session another thread last opened there), so each call may
    // answer CKR_SESSION_HANDLE_INVALID, and a private key's use CKR_USER_NOT_LOGGED_IN or an
    // invalid handle when the closing logged the Crypto Officer out meanwhile. A call the closing
    // overtook may answer CKR_SESSION_CLOSED ("closed during the execution", v2.40 §5.1).
    void second_slot_visit() {
        if (!m_sh.has_slot2) return;
        const std::initializer_list<CK_RV> ok = {CKR_OK, CKR_SESSION_HANDLE_INVALID,
                                                 CKR_SESSION_CLOSED};
        CK_SESSION_HANDLE h = 0;
        if (check("C_OpenSession(slot 2)",
                  m_fl->C_OpenSession(m_sh.slot2, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                      nullptr, &h)) != CKR_OK)
            return;
        m_sh.last_slot2_session = h;
        CK_SESSION_INFO info{};
        check("C_GetSessionInfo(slot 2)", m_fl->C_GetSessionInfo(h, &info), ok);
        CK_BYTE rnd[16];
        check("C_GenerateRandom(slot 2)", m_fl->C_GenerateRandom(h, rnd, sizeof rnd), ok);
        CK_ATTRIBUTE t[] = {attr(CKA_CLASS, &kDataClass, sizeof kDataClass)};
        if (check("C_FindObjectsInit(slot 2)", m_fl->C_FindObjectsInit(h, t, 1), ok) == CKR_OK) {
            CK_OBJECT_HANDLE batch[4];
            CK_ULONG got = 0;
            check("C_FindObjects(slot 2)", m_fl->C_FindObjects(h, batch, 4, &got), ok);
            check("C_FindObjectsFinal(slot 2)", m_fl->C_FindObjectsFinal(h), ok);
        }
        if (pick(2) == 0) second_slot_crypto(h);
        check("C_CloseSession(slot 2)", m_fl->C_CloseSession(h), ok);
    }

    void second_slot_crypto(CK_SESSION_HANDLE h) {
        const std::initializer_list<CK_RV> ok = {CKR_OK,
                                                 CKR_SESSION_HANDLE_INVALID,
                                                 CKR_SESSION_CLOSED,
                                                 CKR_USER_NOT_LOGGED_IN,
                                                 CKR_KEY_HANDLE_INVALID,
                                                 CKR_OBJECT_HANDLE_INVALID};
        if (check("C_Login(slot 2)", m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)),
                  {CKR_OK, CKR_USER_ALREADY_LOGGED_IN, CKR_SESSION_HANDLE_INVALID,
                   CKR_SESSION_CLOSED}) != CKR_OK)
            return;
        CK_MECHANISM gen = {CKM_AES_KEY_GEN, nullptr, 0};
        CK_ULONG len = 16;
        CK_ATTRIBUTE t[] = {attr(CKA_VALUE_LEN, &len, sizeof len), attr(CKA_ENCRYPT, &kTrue, 1),
                            attr(CKA_TOKEN, &kFalse, 1), attr(CKA_PRIVATE, &kTrue, 1)};
        CK_OBJECT_HANDLE k = CK_INVALID_HANDLE;
        if (check("C_GenerateKey(slot 2)", m_fl->C_GenerateKey(h, &gen, t, 4, &k), ok) != CKR_OK)
            return;
        CK_BYTE iv[16] = {};
        CK_MECHANISM m = {CKM_AES_CBC_PAD, iv, sizeof iv};
        CK_BYTE plain[20] = {}, cipher[48];
        CK_ULONG clen = sizeof cipher;
        if (check("C_EncryptInit(slot 2)", m_fl->C_EncryptInit(h, &m, k), ok) == CKR_OK)
            check("C_Encrypt(slot 2)", m_fl->C_Encrypt(h, plain, sizeof plain, cipher, &clen),
                  {CKR_OK, CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_KEY_HANDLE_INVALID,
                   CKR_OPERATION_NOT_INITIALIZED});
    }

    // Token and slot queries while sessions come and go: the keeper's session always counts.
    void query_slot() {
        CK_TOKEN_INFO ti{};
        if (check("C_GetTokenInfo", m_fl->C_GetTokenInfo(m_sh.slot, &ti)) == CKR_OK &&
            (ti.ulSessionCount < 1 || ti.ulRwSessionCount > ti.ulSessionCount))
            m_sh.fail("thread " + std::to_string(m_id) + ": token info session counts " +
                      std::to_string(ti.ulSessionCount) + "/" +
                      std::to_string(ti.ulRwSessionCount));
        CK_ULONG n = 0;
        check("C_GetSlotList", m_fl->C_GetSlotList(CK_TRUE, nullptr, &n));
        CK_SESSION_INFO info{};
        if (check("C_GetSessionInfo", m_fl->C_GetSessionInfo(any_session(), &info)) == CKR_OK &&
            info.state != CKS_RW_USER_FUNCTIONS)
            m_sh.fail("thread " + std::to_string(m_id) + ": session state " +
                      std::to_string(info.state));
    }

    void close_all_second_slot() {
        if (!m_sh.has_slot2) return;
        if (pick(2) == 0)
            check("C_CloseAllSessions(slot 2)", m_fl->C_CloseAllSessions(m_sh.slot2));
        else
            check("C_CloseSession(another thread's)", m_fl->C_CloseSession(m_sh.last_slot2_session),
                  {CKR_OK, CKR_SESSION_HANDLE_INVALID});
    }

    Shared& m_sh;
    CK_FUNCTION_LIST_PTR m_fl;
    const int m_id;
    std::mt19937 m_rng;
    int m_iter = 0;
    int m_seq = 0;
    std::vector<CK_SESSION_HANDLE> m_sessions;
    std::vector<SessionKey> m_keys;
    bool m_victim_destroyed = false;
};

// Shared token keys every worker signs and encrypts with, found by label.
void make_shared_keys(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, Shared& sh) {
    CK_MECHANISM ec = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    std::string lab = sh.shared_ec_label;
    CK_ATTRIBUTE pub[] = {attr(CKA_EC_PARAMS, kP256, sizeof kP256), attr(CKA_VERIFY, &kTrue, 1),
                          attr(CKA_TOKEN, &kTrue, 1), attr(CKA_LABEL, lab.data(), lab.size())};
    CK_ATTRIBUTE priv[] = {attr(CKA_SIGN, &kTrue, 1), attr(CKA_TOKEN, &kTrue, 1),
                           attr(CKA_SENSITIVE, &kTrue, 1), attr(CKA_PRIVATE, &kTrue, 1),
                           attr(CKA_LABEL, lab.data(), lab.size())};
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    ASSERT_EQ(fl->C_GenerateKeyPair(s, &ec, pub, 4, priv, 5, &hpub, &hpriv), CKR_OK);
    CK_MECHANISM aes = {CKM_AES_KEY_GEN, nullptr, 0};
    CK_ULONG len = kAesLen;
    std::string alab = sh.shared_aes_label;
    CK_ATTRIBUTE t[] = {attr(CKA_VALUE_LEN, &len, sizeof len),
                        attr(CKA_ENCRYPT, &kTrue, 1),
                        attr(CKA_DECRYPT, &kTrue, 1),
                        attr(CKA_TOKEN, &kTrue, 1),
                        attr(CKA_SENSITIVE, &kTrue, 1),
                        attr(CKA_PRIVATE, &kTrue, 1),
                        attr(CKA_LABEL, alab.data(), alab.size())};
    CK_OBJECT_HANDLE h = 0;
    ASSERT_EQ(fl->C_GenerateKey(s, &aes, t, 7, &h), CKR_OK);
}

std::vector<CK_OBJECT_HANDLE> find_by_label(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s,
                                            const std::string& label) {
    std::string lab = label;
    CK_ATTRIBUTE t[] = {attr(CKA_LABEL, lab.data(), lab.size())};
    std::vector<CK_OBJECT_HANDLE> out(16);
    CK_ULONG got = 0;
    EXPECT_EQ(fl->C_FindObjectsInit(s, t, 1), CKR_OK);
    EXPECT_EQ(fl->C_FindObjects(s, out.data(), out.size(), &got), CKR_OK);
    EXPECT_EQ(fl->C_FindObjectsFinal(s), CKR_OK);
    out.resize(got);
    return out;
}

// Every kept token object is there once with its attributes; every destroyed one is gone.
void expect_consistent(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s,
                       const std::vector<Kept>& kept) {
    size_t objects = 0;
    for (const Kept& k : kept) {
        for (const auto& [label, value] : k.data) {
            auto found = find_by_label(fl, s, label);
            ASSERT_EQ(found.size(), 1u) << label;
            CK_OBJECT_CLASS cls = 0;
            std::vector<CK_BYTE> v(value.size() + 8);
            CK_ATTRIBUTE a[] = {attr(CKA_CLASS, &cls, sizeof cls),
                                attr(CKA_VALUE, v.data(), v.size())};
            ASSERT_EQ(fl->C_GetAttributeValue(s, found[0], a, 2), CKR_OK) << label;
            v.resize(a[1].ulValueLen);
            EXPECT_EQ(cls, static_cast<CK_OBJECT_CLASS>(CKO_DATA)) << label;
            EXPECT_EQ(v, value) << label;
            ++objects;
        }
        for (const std::string& label : k.keys) {
            auto found = find_by_label(fl, s, label);
            ASSERT_EQ(found.size(), 1u) << label;
            CK_KEY_TYPE kt = 0;
            CK_ULONG len = 0;
            CK_ATTRIBUTE a[] = {attr(CKA_KEY_TYPE, &kt, sizeof kt),
                                attr(CKA_VALUE_LEN, &len, sizeof len)};
            ASSERT_EQ(fl->C_GetAttributeValue(s, found[0], a, 2), CKR_OK) << label;
            EXPECT_EQ(kt, static_cast<CK_KEY_TYPE>(CKK_AES)) << label;
            EXPECT_EQ(len, kAesLen) << label;
            ++objects;
        }
        for (const std::string& label : k.destroyed)
            EXPECT_TRUE(find_by_label(fl, s, label).empty()) << label;
    }
    EXPECT_GT(objects, 0u);  // the run did keep token objects, so the check checked something
}

// Not run against SoftHSM2 (the suite's p11_blackbox_softhsm2): its file object store (2.6.1,
// Debian 12) loses token objects under this load. A creation answers CKR_OK, yet later the
// handle answers CKR_OBJECT_HANDLE_INVALID and no search finds the object ("class search found
// 10 of its 11 data objects", "0 objects labelled ..."), in 2 of 50 runs on a loaded machine.
// Strongroom lost none in the same conditions, so the test guards our module only.
TEST_F(ConcurrentThreads, ManySessionsSignGenerateAndSearchAtOnceAndTheTokenStaysConsistent) {
    if (testing_softhsm())
        GTEST_SKIP() << "SoftHSM2's file store loses token objects under concurrent use";
    Shared sh;
    sh.fl = m_fl;
    if (!testing_softhsm()) {  // a second device whose one token the closer thread empties
        auto spec = ready_spec(654321);
        spec.hsm_label = "second";
        spec.partitions = {"p2"};
        make_strongroom_device(spec);
    }
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    ASSERT_EQ(m_fl->C_Initialize(&args), CKR_OK);
    sh.slot = token_slot();
    if (!testing_softhsm()) {
        sh.slot2 = slot_labelled("p2");
        sh.has_slot2 = true;
    }
    // Keeps the Crypto Officer logged in whatever sessions the workers close.
    const CK_SESSION_HANDLE keeper = user_session();
    sh.keeper = keeper;
    ASSERT_NO_FATAL_FAILURE(make_shared_keys(m_fl, keeper, sh));

    std::vector<Worker> workers;
    workers.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) workers.emplace_back(sh, i);
    std::vector<std::thread> threads;
    for (Worker& w : workers) threads.emplace_back([&w] { w.run(); });
    for (auto& t : threads) t.join();

    EXPECT_GT(sh.calls.load(), 1000u);
    std::cout << "[ stress   ] " << sh.calls.load() << " calls, " << sh.logout_epoch.load()
              << " logout/login cycles, " << sh.victim_uses.load() << " uses of the victim key ("
              << sh.victim_gone.load() << " found it destroyed)\n";
    EXPECT_EQ(sh.failures.size(), 0u) << "unexpected results (the first 20 follow)";
    for (size_t i = 0; i < sh.failures.size() && i < 20; ++i) ADD_FAILURE() << sh.failures[i];
    std::vector<Kept> kept;
    for (Worker& w : workers) kept.push_back(w.kept);
    ASSERT_NO_FATAL_FAILURE(expect_consistent(m_fl, keeper, kept));
    // And the same from a fresh C_Initialize: the token's store holds what the threads left.
    reinitialize();
    ASSERT_NO_FATAL_FAILURE(expect_consistent(m_fl, user_session(), kept));
}

}  // namespace
}  // namespace sr::p11test
